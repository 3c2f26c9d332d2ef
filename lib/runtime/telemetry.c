/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime's telemetry commands, with DPDK's EAL names and keys: parameters, lcores
 * (with the load the poll loops count), heaps (one per NUMA node) and memory zones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_priv.h"
#include "sl_telemetry.h"

static char **params_copy;
static int nb_params, nb_runtime_params;

void runtime_params_save(int argc, char **argv, int consumed)
{
	runtime_params_free();
	params_copy = calloc((size_t)argc + 1, sizeof(char *));
	if (params_copy == NULL)
		return;
	for (int i = 0; i < argc; i++)
		params_copy[i] = strdup(argv[i] ? argv[i] : "");
	nb_params = argc;
	nb_runtime_params = consumed;
}

void runtime_params_free(void)
{
	for (int i = 0; params_copy && i < nb_params; i++)
		free(params_copy[i]);
	free(params_copy);
	params_copy = NULL;
	nb_params = nb_runtime_params = 0;
}

static json_t *strings(int from, int to)
{
	json_t *arr = json_array();

	for (int i = from; i < to && params_copy; i++)
		if (strcmp(params_copy[i], "--") != 0)
			json_array_append_new(arr, json_string(params_copy[i]));
	return arr;
}

static int cmd_params(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	(void)cmd, (void)p, (void)ctx;
	sl_telemetry_set(req, strings(0, nb_runtime_params));
	return 0;
}

static int cmd_app_params(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	(void)cmd, (void)p, (void)ctx;
	/* sl_init() left the program name at argv[consumed] for the application */
	sl_telemetry_set(req, strings(nb_runtime_params + 1, nb_params));
	return 0;
}

static int cmd_lcore_list(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *arr = json_array();
	uint32_t i;

	(void)cmd, (void)p, (void)ctx;
	SL_LCORE_FOREACH(i)
		json_array_append_new(arr, json_integer(i));
	sl_telemetry_set(req, arr);
	return 0;
}

static double ratio(const struct sl_lcore_load *l)
{
	return l->total_cycles ? (double)l->busy_cycles / (double)l->total_cycles : 0.0;
}

static int cmd_lcore_info(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct sl_lcore_load l;
	long id = sl_telemetry_param_uint(req, p, SL_MAX_LCORE);

	(void)cmd, (void)ctx;
	if (id < 0)
		return (int)id;
	if (!sl_lcore_is_enabled((uint32_t)id))
		return sl_telemetry_error(req, -ENOENT,
					  "%s: lcore %ld is not in use; /eal/lcore/list lists them",
					  cmd, id);
	sl_lcore_load_get((uint32_t)id, &l);
	sl_telemetry_set(req, json_pack("{sisiss s[i] sIsIsf ss}", "lcore_id", (int)id, "socket",
					sl_lcore_node((uint32_t)id), "role", "rte", "cpuset",
					(int)id, "total_cycles", (json_int_t)l.total_cycles,
					"busy_cycles", (json_int_t)l.busy_cycles, "usage_ratio",
					ratio(&l), "sluice_role",
					(uint32_t)id == sl_lcore_main() ? "main" : "worker"));
	return 0;
}

static int cmd_lcore_usage(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *ids = json_array(), *total = json_array(), *busy = json_array();
	uint32_t i;

	(void)cmd, (void)p, (void)ctx;
	SL_LCORE_FOREACH(i) {
		struct sl_lcore_load l;

		sl_lcore_load_get(i, &l);
		json_array_append_new(ids, json_integer(i));
		json_array_append_new(total, json_integer((json_int_t)l.total_cycles));
		json_array_append_new(busy, json_integer((json_int_t)l.busy_cycles));
	}
	sl_telemetry_set(req, json_pack("{sososo}", "lcore_ids", ids, "total_cycles", total,
					"busy_cycles", busy));
	return 0;
}

static int cmd_lcores(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *arr = json_array();
	uint32_t i;

	(void)cmd, (void)p, (void)ctx;
	SL_LCORE_FOREACH(i) {
		struct sl_lcore_load l;

		sl_lcore_load_get(i, &l);
		json_array_append_new(arr, json_pack("{sisssisIsIsI}", "lcore", (int)i, "role",
						     i == sl_lcore_main() ? "main" : "worker",
						     "node", sl_lcore_node(i), "busy_cycles",
						     (json_int_t)l.busy_cycles, "total_cycles",
						     (json_int_t)l.total_cycles, "rounds",
						     (json_int_t)l.rounds));
	}
	sl_telemetry_set(req, arr);
	return 0;
}

static int cmd_heap_list(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	json_t *arr = json_array();

	(void)cmd, (void)p, (void)ctx;
	for (unsigned n = 0; n < sl_mem_nodes(); n++)
		json_array_append_new(arr, json_integer(n));
	sl_telemetry_set(req, arr);
	return 0;
}

static int cmd_heap_info(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct sl_mem_stats st;
	char name[32];
	long id = sl_telemetry_param_uint(req, p, sl_mem_nodes());

	(void)cmd, (void)ctx;
	if (id < 0)
		return (int)id;
	if (sl_mem_stats((int)id, &st) < 0)
		return sl_telemetry_error(req, -ENOENT, "%s: no heap %ld", cmd, id);
	snprintf(name, sizeof(name), "socket_%ld", id);
	sl_telemetry_set(req,
			 json_pack("{sisssIsIsIsIsisI}", "Heap_id", (int)id, "Name", name,
				   "Heap_size", (json_int_t)st.mapped, "Free_size",
				   (json_int_t)(st.mapped - st.in_use), "Alloc_size",
				   (json_int_t)st.in_use, "Limit", (json_int_t)st.limit, "Segments",
				   (int)st.segments, "Hugepage_bytes", (json_int_t)st.huge_bytes));
	return 0;
}

struct zone_walk {
	long want;  /* index wanted, -1 to count */
	long index; /* zones seen */
	json_t *out;
};

static void zone_visit(const struct sl_zone *z, void *arg)
{
	struct zone_walk *w = arg;
	char addr[24], base[24];

	if (w->want >= 0 && w->index == w->want) {
		uintptr_t a = (uintptr_t)z->addr, pg = z->page_size ? z->page_size : 4096;
		uintptr_t b = a & ~(pg - 1);

		snprintf(addr, sizeof(addr), "%p", z->addr);
		snprintf(base, sizeof(base), "0x%lx", (unsigned long)b);
		w->out = json_pack("{sIsssIsssisisIsssI}", "Zone", (json_int_t)w->index, "Name",
				   z->name, "Length", (json_int_t)z->len, "Address", addr, "Socket",
				   z->node, "Flags", 0, "Hugepage_size", (json_int_t)pg,
				   "Hugepage_base", base, "Hugepage_used",
				   (json_int_t)((a + z->len - b + pg - 1) / pg));
	}
	w->index++;
}

static int cmd_zone_list(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct zone_walk w = {.want = -1};
	json_t *arr = json_array();

	(void)cmd, (void)p, (void)ctx;
	sl_zone_walk(zone_visit, &w);
	for (long i = 0; i < w.index; i++)
		json_array_append_new(arr, json_integer(i));
	sl_telemetry_set(req, arr);
	return 0;
}

static int cmd_zone_info(struct sl_telemetry_req *req, const char *cmd, const char *p, void *ctx)
{
	struct zone_walk w = {0};

	(void)ctx;
	w.want = sl_telemetry_param_uint(req, p, 1u << 20);
	if (w.want < 0)
		return (int)w.want;
	sl_zone_walk(zone_visit, &w);
	if (w.out == NULL)
		return sl_telemetry_error(
			req, -ENOENT,
			"%s: no zone %ld (there are %ld); /eal/memzone_list lists them", cmd,
			w.want, w.index);
	sl_telemetry_set(req, w.out);
	return 0;
}

static const struct sl_telemetry_cmd cmds[] = {
	{"/eal/params", cmd_params, "Returns the runtime's (EAL's) command-line options"},
	{"/eal/app_params", cmd_app_params, "Returns the application's command-line arguments"},
	{"/eal/lcore/list", cmd_lcore_list, "Returns the lcore ids in use"},
	{"/eal/lcore/info", cmd_lcore_info,
	 "Returns an lcore's node, cpuset, total and busy cycles. Parameter: lcore id"},
	{"/eal/lcore/usage", cmd_lcore_usage, "Returns total and busy cycles of every lcore"},
	{"/sluice/lcores", cmd_lcores,
	 "Returns every lcore's role, node, busy and total cycles and poll rounds"},
	{"/eal/heap_list", cmd_heap_list, "Returns the heap ids (one per NUMA node)"},
	{"/eal/heap_info", cmd_heap_info, "Returns a heap's sizes. Parameter: heap id"},
	{"/eal/memzone_list", cmd_zone_list, "Returns the memory zone indexes"},
	{"/eal/memzone_info", cmd_zone_info,
	 "Returns a memory zone's name, length, address and pages. Parameter: zone index"},
};

static void runtime_telemetry(void)
{
	sl_telemetry_register(cmds, SL_ARRAY_SIZE(cmds));
}
SL_TELEMETRY_INIT(runtime_telemetry)
