/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_RUNTIME_PRIV_H
#define SL_RUNTIME_PRIV_H

#include <sched.h>
#include <stdbool.h>

#include "sl_runtime.h"

SL_LOG_TYPE_DECLARE(runtime);

/* Parses a CPU list such as "0-3,6,8-9" into set.  Returns 0 or -EINVAL. */
int cpulist_parse(const char *list, cpu_set_t *set);
/* Formats a set as a compact list ("0-3,6") into buf. */
void cpulist_format(const cpu_set_t *set, char *buf, size_t len);

/* Reads the CPU -> NUMA node map from sysfs; returns the number of nodes (>= 1). */
unsigned topology_detect(int cpu_node[CPU_SETSIZE]);

/* Starts a pinned worker thread for each lcore in set other than main. */
int lcores_start(const cpu_set_t *set, uint32_t main_lcore, const int *cpu_node, bool workers);
void lcores_stop(void);

void cycles_calibrate(void);

/* Logs one notice per DPDK option in cfg->noted: the option and why it changes nothing. */
void config_log_notices(const struct sl_config *cfg);

/* Keeps argv for /eal/params (the first `consumed`) and /eal/app_params (the rest). */
void runtime_params_save(int argc, char **argv, int consumed);
void runtime_params_free(void);

#endif
