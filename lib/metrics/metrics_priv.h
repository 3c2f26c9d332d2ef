/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the HTTP side (metrics.c) and the page (render.c). */
#ifndef SL_METRICS_PRIV_H
#define SL_METRICS_PRIV_H

#include <stdint.h>

#include "sl_log.h"
#include "sl_metrics.h"

SL_LOG_TYPE_DECLARE(metrics);

/* The counters behind sl_metrics_stats(): written by the server thread and by any thread
 * that renders, with relaxed atomic adds; read with relaxed loads. */
extern struct sl_metrics_stats sl_metrics__ctr;

static inline void metrics_count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

#endif
