/* SPDX-License-Identifier: BSD-3-Clause */
/* The control thread's internal interfaces (control.c, neigh.c, route.c, cmds.c). */
#ifndef SL_ROUTER_CTL_H
#define SL_ROUTER_CTL_H

#include <stdio.h>

#include <jansson.h>

#include "router.h"

/* Interfaces: a private copy of port's interface to change, then publish it (the old one
 * is freed after a grace period).  NULL when out of memory. */
struct rt_iface *rt_iface_edit(uint16_t port);
void rt_iface_publish(uint16_t port, struct rt_iface *n);

/* Next-hop ids: a zeroed entry (0 when none is free, counted), release after a grace
 * period, ids in use. */
uint32_t rt_nh_alloc(void);
void rt_nh_release(uint32_t id);
unsigned rt_nh_used(void);

/* Neighbours (neigh.c). */
extern unsigned rt_neigh_max; /* --neigh-max */
unsigned rt_neigh_count(void);
int rt_neigh_init(void);
/* A RESOLVE4/6 punt: hold the packet on the neighbour it waits for and ask. */
void rt_neigh_resolve(struct sl_pktbuf *p);
void rt_neigh_timers(void);
/* A static neighbour (`neighbour add`): -EINVAL / -ENOSPC. */
int rt_neigh_static(int family, const void *ip, uint16_t port, const struct sl_ether_addr *mac);
/* Deletes learned (non-static, unreferenced) neighbours, resets the others to resolve
 * again; returns how many were removed. */
unsigned rt_neigh_flush(void);
/* One JSON object per neighbour into arr, and text lines into out. */
void rt_neigh_show(json_t *arr, FILE *out);
/* A route's reference on a neighbour (gateways), and its release. */
void rt_neigh_ref(uint32_t id);
void rt_neigh_unref(uint32_t id);
/* Interface `port` changed address set or went away: forget its neighbours. */
void rt_neigh_port_down(uint16_t port);

/* Routes (route.c): the control-side record of every route, for show, delete and load. */
int rt_route_init(uint32_t max4, uint32_t max6);
/* Adds or replaces family/prefix/depth -> id (the route keeps one reference on id). */
int rt_route_set(int family, const uint8_t *ip, uint8_t depth, uint32_t id, char *err,
		 size_t errlen);
int rt_route_del(int family, const uint8_t *ip, uint8_t depth, char *err, size_t errlen);
/* Next-hop id of a gateway list (one neighbour, or an ECMP group), 0 with err set. */
uint32_t rt_route_gateways(int family, const uint8_t (*gws)[16], unsigned n, int port, char *err,
			   size_t errlen);
unsigned rt_route_count(int family);
/* Whether a configured route family/ip/depth exists, and its next-hop id. */
bool rt_route_exact(int family, const uint8_t *ip, uint8_t depth, uint32_t *id);
void rt_route_show(json_t *arr, FILE *out, int family, unsigned limit);
/* What a route-file line or a command says: a prefix and its next hop. */
int rt_route_load(const char *path, const uint8_t (*gws4)[16], unsigned n4,
		  const uint8_t (*gws6)[16], unsigned n6, char *err, size_t errlen,
		  unsigned *loaded);

/* Whether family/ip/depth is a route an address owns (its local, connected, network or
 * broadcast route): route add/del refuse those (address del removes them). */
bool rt_route_owned(int family, const uint8_t *ip, uint8_t depth);

/* Addresses (cmds.c calls them; route.c keeps the local and connected routes). */
int rt_addr_add(uint16_t port, int family, const uint8_t *ip, uint8_t len, char *err,
		size_t errlen);
int rt_addr_del(uint16_t port, int family, const uint8_t *ip, uint8_t len, char *err,
		size_t errlen);

/* Text forms (route.c): a prefix "10.0.0.0/8" or "2001:db8::/32" (an address alone is a
 * host prefix; IPv4 comes back in host order in ip[0..3]), 0 or -EINVAL; and an address. */
int rt_parse_prefix(const char *s, int *family, uint8_t ip[16], uint8_t *depth);
void rt_fmt_ip(char *buf, size_t len, int family, const uint8_t *ip);

/* Commands (cmds.c). */
struct sl_ctl;
int rt_cmds_register(struct sl_ctl *ctl);
/* Parses a port: a number or a port name; -1 with err set. */
int rt_parse_port(const char *s, char *err, size_t errlen);

/* 64-bit milliseconds of a monotonic clock. */
uint64_t rt_now_ms(void);

#endif
