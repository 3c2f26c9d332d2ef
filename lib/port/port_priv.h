/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_PORT_PRIV_H
#define SL_PORT_PRIV_H

#include "sl_port_driver.h"

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
bool soft_rx_counts(const struct sl_port *port, uint16_t q, uint64_t *packets, uint64_t *bytes,
		    uint64_t *ring_full);
uint64_t soft_tx_vlan_no_room(const struct sl_port *port, uint16_t q);
void soft_stats_reset(struct sl_port *port);
int soft_rss_key_set(struct sl_port *port, const uint8_t *key, unsigned len);
int soft_reta_set(struct sl_port *port, const uint16_t *reta, unsigned n);
int soft_reta_get(struct sl_port *port, uint16_t *reta, unsigned n);

#endif
