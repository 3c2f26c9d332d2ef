/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_priv.h"
#include "sl_telemetry.h"
#ifdef SL_HAVE_METRICS
#include "sl_metrics.h"
#endif

SL_LOG_TYPE_DEFINE(runtime)

static bool initialized;
static char run_dir[PATH_MAX];
static int lock_fd = -1;
static unsigned nb_nodes = 1;
static cpu_set_t enabled_set;
static cpu_set_t caller_affinity; /* restored by sl_cleanup() */
static char *vdevs[SL_MAX_VDEVS];
static unsigned nb_vdevs;

const char *const *sl_runtime_vdevs(unsigned *n)
{
	*n = nb_vdevs;
	return (const char *const *)vdevs;
}

static void vdevs_clear(void)
{
	for (unsigned i = 0; i < nb_vdevs; i++)
		free(vdevs[i]);
	nb_vdevs = 0;
}

bool sl_initialized(void)
{
	return initialized;
}

const char *sl_runtime_dir(void)
{
	return run_dir;
}

unsigned sl_numa_nodes(void)
{
	return nb_nodes;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* /run/sluice/<prefix> for root; $XDG_RUNTIME_DIR/sluice/<prefix> or /tmp otherwise.
 * A lock file in it says which process owns the prefix. */
static int runtime_dir_open(const char *prefix)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char lock_path[PATH_MAX + 8];
	char pid[24];
	int rc;

	if (strchr(prefix, '/') || prefix[0] == '.' || strlen(prefix) >= SL_NAME_SIZE) {
		SL_LOG(runtime, ERR,
		       "file prefix '%s' must be a plain name (no '/', not starting with '.', under %d characters)",
		       prefix, SL_NAME_SIZE);
		return -EINVAL;
	}
	snprintf(run_dir, sizeof(run_dir), "/run/sluice/%s", prefix);
	rc = mkdir_p(run_dir);
	if (rc < 0 && xdg) {
		snprintf(run_dir, sizeof(run_dir), "%s/sluice/%s", xdg, prefix);
		rc = mkdir_p(run_dir);
	}
	if (rc < 0) {
		snprintf(run_dir, sizeof(run_dir), "/tmp/sluice-%u/%s", (unsigned)getuid(), prefix);
		rc = mkdir_p(run_dir);
	}
	if (rc < 0) {
		SL_LOG(runtime, ERR, "cannot create runtime directory %s: %s", run_dir,
		       strerror(-rc));
		return rc;
	}
	snprintf(lock_path, sizeof(lock_path), "%s/lock", run_dir);
	lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock_fd < 0) {
		rc = -errno;
		SL_LOG(runtime, ERR, "cannot open %s: %s", lock_path, strerror(errno));
		return rc;
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		char other[24] = "?";
		ssize_t n = pread(lock_fd, other, sizeof(other) - 1, 0);

		if (n > 0)
			other[n] = '\0';
		other[strcspn(other, "\n")] = '\0';
		SL_LOG(runtime, ERR,
		       "file prefix '%s' is in use by process %s; give this one another with --file-prefix NAME",
		       prefix, other);
		close(lock_fd);
		lock_fd = -1;
		return -EBUSY;
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(lock_fd, 0) < 0 || pwrite(lock_fd, pid, strlen(pid), 0) < 0)
		SL_LOG(runtime, DEBUG, "cannot write pid to %s", lock_path);
	return 0;
}

static void runtime_dir_close(void)
{
	char lock_path[PATH_MAX + 8];

	if (lock_fd < 0)
		return;
	snprintf(lock_path, sizeof(lock_path), "%s/lock", run_dir);
	unlink(lock_path);
	rmdir(run_dir);
	close(lock_fd);
	lock_fd = -1;
}

static int choose_cores(const struct sl_config *cfg, uint32_t *main_lcore)
{
	char want[256], allowed_s[256];
	cpu_set_t allowed, bad;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	caller_affinity = allowed;
	cpulist_format(&allowed, allowed_s, sizeof(allowed_s));
	if (cfg->lcores == NULL) {
		enabled_set = allowed;
	} else if (cpulist_parse(cfg->lcores, &enabled_set) < 0) {
		SL_LOG(runtime, ERR, "core list '%s' is not valid; write it like 0-3 or 0,2 (allowed: %s)",
		       cfg->lcores, allowed_s);
		return -EINVAL;
	}
	for (int c = SL_MAX_LCORE; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &enabled_set)) {
			if (cfg->lcores) {
				SL_LOG(runtime, ERR, "core %d is above the maximum lcore id %d", c,
				       SL_MAX_LCORE - 1);
				return -EINVAL;
			}
			CPU_CLR(c, &enabled_set);
		}
	CPU_XOR(&bad, &enabled_set, &allowed);
	CPU_AND(&bad, &bad, &enabled_set);
	if (CPU_COUNT(&bad)) {
		cpulist_format(&bad, want, sizeof(want));
		SL_LOG(runtime, ERR, "core(s) %s not available to this process; use cores from %s",
		       want, allowed_s);
		return -EINVAL;
	}
	if (CPU_COUNT(&enabled_set) == 0) {
		SL_LOG(runtime, ERR, "the core list is empty; use cores from %s", allowed_s);
		return -EINVAL;
	}
	if (cfg->main_lcore >= 0) {
		if (cfg->main_lcore >= SL_MAX_LCORE || !CPU_ISSET(cfg->main_lcore, &enabled_set)) {
			cpulist_format(&enabled_set, want, sizeof(want));
			SL_LOG(runtime, ERR, "main lcore %d is not in the core list %s", cfg->main_lcore,
			       want);
			return -EINVAL;
		}
		*main_lcore = (uint32_t)cfg->main_lcore;
	} else {
		for (int c = 0; c < SL_MAX_LCORE; c++)
			if (CPU_ISSET(c, &enabled_set)) {
				*main_lcore = (uint32_t)c;
				break;
			}
	}
	return 0;
}

/* Telemetry (unless --no-telemetry: a failure to serve it is logged, not fatal) and
 * --metrics (fatal: the user asked for it). */
static int services_start(const struct sl_config *cfg)
{
	const char *prefix = cfg->file_prefix ? cfg->file_prefix : "sluice";

	if (!cfg->no_telemetry)
		sl_telemetry_start(prefix);
	if (cfg->metrics == NULL)
		return 0;
#ifdef SL_HAVE_METRICS
	int rc = sl_metrics_start(cfg->metrics);

	if (rc < 0)
		sl_telemetry_stop();
	else
		SL_LOG(runtime, NOTICE, "Prometheus metrics on http://%s/metrics",
		       sl_metrics_address());
	return rc;
#else
	SL_LOG(runtime, ERR,
	       "--metrics %s: this build has no lib/metrics; install libmicrohttpd-dev and rebuild",
	       cfg->metrics);
	sl_telemetry_stop();
	return -ENOTSUP;
#endif
}

static void services_stop(void)
{
#ifdef SL_HAVE_METRICS
	sl_metrics_stop();
#endif
	sl_telemetry_stop();
}

int sl_init_config(const struct sl_config *cfg)
{
	static int cpu_node[CPU_SETSIZE];
	struct sl_config defaults;
	char cores_s[256];
	uint32_t main_lcore = 0;
	int rc;

	if (initialized) {
		SL_LOG(runtime, ERR, "sl_init() called twice; call sl_cleanup() first");
		return -EALREADY;
	}
	if (cfg == NULL) {
		sl_config_defaults(&defaults);
		cfg = &defaults;
	}
	if (cfg->log_levels && sl_log_set_levels(cfg->log_levels) < 0) {
		SL_LOG(runtime, ERR, "log level '%s' is not valid; use e.g. info or ring:debug",
		       cfg->log_levels);
		return -EINVAL;
	}
	config_log_notices(cfg);
	nb_nodes = topology_detect(cpu_node);
	rc = choose_cores(cfg, &main_lcore);
	if (rc < 0)
		return rc;
	for (unsigned n = nb_nodes; n < SL_MAX_NUMA_NODES; n++)
		if (cfg->node_mem_limit[n]) {
			SL_LOG(runtime, ERR, "--socket-mem names node %u but this machine has %u node(s)",
			       n, nb_nodes);
			return -EINVAL;
		}
	rc = sl_mem_configure(cfg->huge, cfg->node_mem_limit, SL_MAX_NUMA_NODES, cfg->mem_limit);
	if (rc < 0)
		return rc;
	if (cfg->huge == SL_MEM_HUGE_REQUIRE && strncmp(sl_mem_mode(), "hugepages (", 11) != 0) {
		SL_LOG(runtime, ERR,
		       "--huge was given but no hugepages are free; reserve some ('sluice hugepages reserve 512') or drop --huge");
		return -ENOMEM;
	}
	rc = runtime_dir_open(cfg->file_prefix ? cfg->file_prefix : "sluice");
	if (rc < 0)
		return rc;
	cycles_calibrate();
	rc = lcores_start(&enabled_set, main_lcore, cpu_node, !cfg->no_workers);
	if (rc < 0) {
		sched_setaffinity(0, sizeof(caller_affinity), &caller_affinity);
		runtime_dir_close();
		return rc;
	}
	for (unsigned i = 0; i < cfg->nb_vdevs && i < SL_MAX_VDEVS; i++)
		if (cfg->vdevs[i] && (vdevs[nb_vdevs] = strdup(cfg->vdevs[i])) != NULL)
			nb_vdevs++;
	rc = services_start(cfg);
	if (rc < 0) {
		lcores_stop();
		vdevs_clear();
		sched_setaffinity(0, sizeof(caller_affinity), &caller_affinity);
		runtime_dir_close();
		return rc;
	}
	initialized = true;
	cpulist_format(&enabled_set, cores_s, sizeof(cores_s));
	SL_LOG(runtime, NOTICE,
	       "cores %s (main %u, %u worker%s), %u NUMA node%s, memory: %s, TSC %.3f GHz, runtime dir %s",
	       cores_s, main_lcore, cfg->no_workers ? 0 : sl_lcore_count() - 1,
	       sl_lcore_count() - 1 == 1 ? "" : "s", nb_nodes, nb_nodes == 1 ? "" : "s",
	       sl_mem_mode(), (double)sl_tsc_hz() / 1e9, run_dir);
	return 0;
}

int sl_init(int argc, char **argv)
{
	struct sl_config cfg;
	int n, rc;

	sl_config_defaults(&cfg);
	n = sl_config_parse(&cfg, argc, argv);
	if (n < 0)
		return n;
	if (cfg.help) {
		sl_usage(stdout);
		return -ECANCELED;
	}
	rc = sl_init_config(&cfg);
	if (rc == 0)
		runtime_params_save(argc, argv, n);
	return rc < 0 ? rc : n;
}

int sl_cleanup(void)
{
	if (!initialized)
		return -EINVAL;
	services_stop();
	runtime_params_free();
	lcores_stop();
	vdevs_clear();
	sched_setaffinity(0, sizeof(caller_affinity), &caller_affinity);
	sl_mem_release_all();
	runtime_dir_close();
	initialized = false;
	return 0;
}

void sl_runtime_dump(FILE *out)
{
	char cores_s[256];
	uint32_t i;

	cpulist_format(&enabled_set, cores_s, sizeof(cores_s));
	fprintf(out, "cores:        %s (main %u)\n", cores_s, sl_lcore_main());
	fprintf(out, "NUMA nodes:   %u\n", nb_nodes);
	SL_LCORE_FOREACH(i)
		fprintf(out, "  lcore %-3u   node %d%s\n", i, sl_lcore_node(i),
			i == sl_lcore_main() ? " (main)" : "");
	fprintf(out, "memory:       %s\n", sl_mem_mode());
	for (unsigned n = 0; n < nb_nodes; n++) {
		struct sl_mem_stats st;

		if (sl_mem_stats((int)n, &st) == 0)
			fprintf(out, "  node %u:     %zu KiB mapped in %u segment(s), %zu KiB in use, limit %s\n",
				n, st.mapped >> 10, st.segments, st.in_use >> 10,
				st.limit ? "set" : "none");
	}
	fprintf(out, "TSC:          %.3f GHz\n", (double)sl_tsc_hz() / 1e9);
	fprintf(out, "runtime dir:  %s\n", run_dir);
}
