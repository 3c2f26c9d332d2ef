/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime: sl_init() picks cores, memory and a runtime directory and starts one pinned
 * worker thread per core.  With no options it takes every core this process may run on
 * and whatever memory it can get (hugepages if reserved, else ordinary locked memory) and
 * logs one line saying what it chose.
 *
 * Options (shaped like DPDK's EAL options so command lines carry over):
 *   -l, --lcores LIST     cores to use: "0-3", "0,2", "0-1,4"     (default: allowed cores)
 *   --main-lcore N        core that runs the calling thread       (default: first core)
 *   -m, --memory MB       memory limit over all nodes             (default: no limit)
 *   --socket-mem MB,MB    memory limit per NUMA node              (default: no limit)
 *   --no-huge             never use hugepages
 *   --huge                require hugepages (fail instead of falling back)
 *   --file-prefix NAME    runtime directory /run/sluice/NAME/    (default: "sluice")
 *   --log-level SPEC      "info", "debug", "ring:debug,*:notice" (default: notice)
 *   --vdev DEV            a virtual port, e.g. net_null0,size=64 (repeatable); created by
 *                         sl_port_create_vdevs() once the port library is in use
 *   --no-workers          do not start worker threads (tools that only need memory)
 *   --no-telemetry        serve no telemetry socket (default: DPDK's telemetry v2 protocol
 *                         at /var/run/dpdk/PREFIX/dpdk_telemetry.v2, docs/telemetry.md)
 *   --metrics [ADDR:]PORT serve Prometheus /metrics over HTTP (docs/metrics.md)
 *   -h, --help            print this help
 * DPDK's forms carry over: -c MASK (a core mask), --in-memory (a runtime directory of the
 * process's own), --log-level lib.eal:debug or pmd.net.X:8 (DPDK's type names mapped to
 * ours); DPDK options that change nothing here (-n, --no-pci, -a PCI_ADDR, --proc-type
 * primary, --huge-dir...) are accepted with one notice each saying why (docs/runtime.md).
 * Options end at the first argument that is not one of these, or after "--".
 */
#ifndef SL_RUNTIME_H
#define SL_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sl_cycles.h"
#include "sl_lcore.h"
#include "sl_log.h"
#include "sl_memory.h"

/* Most --vdev options one command line may carry. */
#define SL_MAX_VDEVS 32

struct sl_config {
	const char *lcores;     /* core list; NULL = every core in this process's affinity */
	int main_lcore;         /* -1 = first core of the list */
	size_t mem_limit;       /* bytes over all nodes; 0 = no limit */
	size_t node_mem_limit[SL_MAX_NUMA_NODES]; /* bytes per node; 0 = no limit */
	enum sl_mem_huge huge;  /* AUTO, OFF (--no-huge) or REQUIRE (--huge) */
	const char *file_prefix; /* NULL = "sluice" */
	const char *log_levels;  /* NULL = leave as is */
	bool no_workers;
	bool no_telemetry;		 /* --no-telemetry: no telemetry socket */
	const char *metrics;		 /* --metrics [ADDR:]PORT, or NULL */
	const char *vdevs[SL_MAX_VDEVS]; /* --vdev device strings */
	unsigned nb_vdevs;
	bool help;               /* set by sl_config_parse() for -h/--help */
	bool in_memory;		 /* --in-memory: the parser names a per-process file prefix */
	uint64_t noted;		 /* DPDK options given that change nothing (a bit each);
				    sl_init_config() logs why, once the log levels are set */
	/* Storage for strings the parser builds (cfg's pointers may point here). */
	char lcores_buf[256]; /* -c MASK as a core list */
	char log_buf[256];    /* every --log-level, translated to our type names */
	char prefix_buf[32];  /* --in-memory's file prefix */
};

/* Fills cfg with the defaults above. */
void sl_config_defaults(struct sl_config *cfg);

/*
 * Parses runtime options from argv into cfg (which must hold defaults).  Returns the number
 * of arguments consumed (argv[0] included, and "--" if present), or -EINVAL after logging
 * which option was wrong.  Strings in cfg point into argv or into cfg's own buffers.
 */
int sl_config_parse(struct sl_config *cfg, int argc, char **argv);

/*
 * Initialises the runtime from a config.  Returns 0, -EALREADY if already initialised,
 * -EINVAL for an impossible core list or limit, -EBUSY if another process holds the same
 * file prefix, -ENOMEM if hugepages were required and none could be had, or another -errno.
 * Every failure logs one line naming the problem and the fix.
 */
int sl_init_config(const struct sl_config *cfg);

/*
 * Parses options and initialises.  Returns the number of arguments consumed (so the app
 * does argc -= n; argv += n), -ECANCELED after printing the help for -h/--help (the app
 * should exit 0), or a negative errno as sl_init_config().
 */
int sl_init(int argc, char **argv);

/* Stops the workers, releases memory and the runtime directory.  Returns 0 or -EINVAL if
 * not initialised.  The runtime can be initialised again afterwards. */
int sl_cleanup(void);

bool sl_initialized(void);

/* The --vdev strings given to sl_init(), in order; *n receives their count.  They stay
 * valid until sl_cleanup(). */
const char *const *sl_runtime_vdevs(unsigned *n);

/* Runtime directory of this process, e.g. "/run/sluice/sluice". */
const char *sl_runtime_dir(void);

/* Number of NUMA nodes found (1 on machines without NUMA). */
unsigned sl_numa_nodes(void);

/* Prints the options. */
void sl_usage(FILE *out);

/* Prints what the runtime chose: cores, nodes, memory mode and hugepages. */
void sl_runtime_dump(FILE *out);

#endif
