/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_PORT_PRIV_H
#define SL_PORT_PRIV_H

#include <pthread.h>

#include "sl_port_driver.h"

/* Taken by create, configure, queue setup, stats reset and close, and by the telemetry
 * handlers around what they read (they run in other threads than the control one). */
extern pthread_mutex_t sl_port_ctl_lock;

/* The port of an id in use, or NULL (not logged). */
struct sl_port *port_by_id(uint16_t id);
/* Telemetry: a port's drop source, added after create and removed before close. */
void port_telemetry_add(uint16_t id);
void port_telemetry_remove(uint16_t id);

/* Splits "net_null0,a=1,b=2" into its name and arguments.  0 or -EINVAL (logged). */
int devstr_parse(const char *devstr, char *name, size_t name_len, struct sl_devargs *args);

/* soft.c: what the port layer does in software for drivers that cannot (RSS, checksums,
 * VLAN insertion).  Nothing is installed for ports that ask for none of it. */
int soft_configure(struct sl_port *port, const struct sl_port_conf *conf,
		   const struct sl_port_info *info);
uint16_t soft_driver_rxq(const struct sl_port *port);
bool soft_has_rss(const struct sl_port *port);
int soft_start(struct sl_port *port);
sl_port_burst_fn soft_rx_fn(const struct sl_port *port);
sl_port_burst_fn soft_tx_fn(const struct sl_port *port);
void soft_stop(struct sl_port *port);
void soft_free(struct sl_port *port);
struct soft_counts {
	uint64_t packets, bytes; /* rx, with RSS: handed out by the queue */
	uint64_t ring_full;	 /* rx, with RSS: for other queues, their ring full (imissed) */
	uint64_t vlan_no_room;	 /* tx: dropped, no headroom for the tag (oerrors) */
};
bool soft_counts(const struct sl_port *port, uint16_t q, struct soft_counts *c);
/* SL_PKT_TX_* the software stage does for the driver (0 for none). */
uint64_t soft_sw_tx(const struct sl_port *port);
void soft_stats_reset(struct sl_port *port);
int soft_rss_key_set(struct sl_port *port, const uint8_t *key, unsigned len);
int soft_reta_set(struct sl_port *port, const uint16_t *reta, unsigned n);
int soft_reta_get(struct sl_port *port, uint16_t *reta, unsigned n);

#endif
