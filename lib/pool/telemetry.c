/* SPDX-License-Identifier: BSD-3-Clause */
/* The pools' telemetry: DPDK's /mempool/list and /mempool/info with its keys, plus in_use. */
#include <errno.h>
#include <string.h>

#include "pool_priv.h"
#include "sl_telemetry.h"

static void add_name(struct sl_pool *p, void *arg)
{
	json_array_append_new(arg, json_string(p->name));
}

static int cmd_list(struct sl_telemetry_req *req, const char *cmd, const char *prm, void *ctx)
{
	json_t *arr = json_array();

	(void)cmd, (void)prm, (void)ctx;
	pool_walk(add_name, arr);
	sl_telemetry_set(req, arr);
	return 0;
}

struct info_walk {
	const char *name;
	json_t *out;
};

static void info_one(struct sl_pool *p, void *arg)
{
	struct info_walk *w = arg;
	unsigned cached = 0, in_use;

	if (w->out || strcmp(p->name, w->name) != 0)
		return;
	for (uint32_t l = 0; l < SL_MAX_LCORE; l++)
		cached += sl_pool_cache_count(p, l);
	in_use = sl_pool_in_use(p);
	w->out = json_pack("{sssisisisisisisisisisisisiss}", "name", p->name, "flags",
			   (int)p->flags, "socket_id", p->node, "size", (int)p->size, "cache_size",
			   (int)p->cache_size, "elt_size", (int)p->elt_size, "header_size",
			   (int)p->hdr_size, "trailer_size",
			   (int)(p->stride - p->hdr_size - p->elt_size), "private_data_size",
			   (int)p->priv_size, "populated_size", (int)p->size, "total_cache_count",
			   (int)cached, "common_pool_count", (int)(p->size - in_use - cached),
			   "in_use", (int)in_use, "backend", sl_pool_backend(p));
}

static int cmd_info(struct sl_telemetry_req *req, const char *cmd, const char *prm, void *ctx)
{
	struct info_walk w = {.name = prm};

	(void)ctx;
	if (prm == NULL || prm[0] == '\0')
		return sl_telemetry_error(
			req, -EINVAL, "%s needs a pool name: %s,NAME (/mempool/list lists them)",
			cmd, cmd);
	pool_walk(info_one, &w);
	if (w.out == NULL)
		return sl_telemetry_error(
			req, -ENOENT, "%s: no pool '%.64s'; /mempool/list lists them", cmd, prm);
	sl_telemetry_set(req, w.out);
	return 0;
}

static const struct sl_telemetry_cmd cmds[] = {
	{"/mempool/list", cmd_list, "Returns the names of the pools"},
	{"/mempool/info", cmd_info,
	 "Returns a pool's size, object size, cache and objects in use. Parameter: pool name"},
};

void pool_telemetry(void)
{
	sl_telemetry_register(cmds, SL_ARRAY_SIZE(cmds));
}
