/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's core: tables, the punt queue, injection, control-plane counters,
 * interfaces (copy, change, publish, free the old copy after a grace period) and next-hop
 * ids.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "router_ctl.h"
#include "sl_runtime.h"

struct router rt;

const char *rt_nh_kind(unsigned type)
{
	static const char *const kinds[] = {
		[RT_NH_FREE] = "free",		 [RT_NH_LOCAL] = "local",
		[RT_NH_NEIGH] = "neighbour",	 [RT_NH_CONNECTED] = "connected",
		[RT_NH_BLACKHOLE] = "blackhole", [RT_NH_REJECT] = "reject",
		[RT_NH_GROUP] = "group",
	};

	return type < SL_ARRAY_SIZE(kinds) ? kinds[type] : "?";
}

/* --- control-plane counters --- */
#define CSTAT_SETS 16
static struct {
	struct rt_cstat *s;
	unsigned n;
} cstat_sets[CSTAT_SETS];
static unsigned nb_cstat_sets;

void rt_cstat_register(struct rt_cstat *stats, unsigned n)
{
	if (nb_cstat_sets < CSTAT_SETS)
		cstat_sets[nb_cstat_sets++] = (typeof(cstat_sets[0])){stats, n};
}

void rt_cstat_foreach(void (*fn)(const struct rt_cstat *c, void *arg), void *arg)
{
	for (unsigned i = 0; i < nb_cstat_sets; i++)
		for (unsigned j = 0; j < cstat_sets[i].n; j++)
			fn(&cstat_sets[i].s[j], arg);
}

enum {
	C_PUNT_BAD,
	C_INJECT_FULL,
	C_ALLOC_FAIL,
	C_NH_FULL,
	C_N,
};
static struct rt_cstat cstats[C_N] = {
	[C_PUNT_BAD] = {"punt_unknown", "punted packet with no known reason", true, 0},
	[C_INJECT_FULL] = {"inject_full", "the worker's inject queue was full", true, 0},
	[C_ALLOC_FAIL] = {"ctl_alloc_fail", "no packet buffer for an ARP/NDP/reply", false, 0},
	[C_NH_FULL] = {"nh_table_full", "no free next-hop id", false, 0},
};

__attribute__((constructor)) static void cstats_init(void)
{
	rt_cstat_register(cstats, C_N);
}

/* --- packets to and from the graph --- */

int rt_inject(struct sl_pktbuf *p, unsigned where)
{
	rt_meta(p)->why = (uint8_t)where;
	if (sl_ring_sp_enqueue_burst(rt.workers[0].inject, (void *const *)&p, 1, NULL) != 1) {
		cstats[C_INJECT_FULL].value++;
		sl_pktbuf_free(p);
		return -ENOBUFS;
	}
	return 0;
}

struct sl_pktbuf *rt_pkt_alloc(void)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(rt.pool);

	if (!p)
		cstats[C_ALLOC_FAIL].value++;
	else
		p->udata64 = 0;
	return p;
}

/* --- interfaces --- */

bool rt_own4(uint16_t port, uint32_t ip)
{
	for (uint16_t p = 0; p < SL_PORT_MAX; p++) {
		const struct rt_iface *ifc = rt.ifaces[p];

		if (!ifc || (port != SL_PKTBUF_PORT_NONE && p != port))
			continue;
		for (unsigned i = 0; i < ifc->nb_addr4; i++)
			if (ifc->addr4[i].ip == ip)
				return true;
	}
	return false;
}

bool rt_own6(uint16_t port, const uint8_t ip[16])
{
	for (uint16_t p = 0; p < SL_PORT_MAX; p++) {
		const struct rt_iface *ifc = rt.ifaces[p];

		if (!ifc || (port != SL_PKTBUF_PORT_NONE && p != port))
			continue;
		for (unsigned i = 0; i < ifc->nb_addr6; i++)
			if (memcmp(ifc->addr6[i].ip, ip, 16) == 0)
				return true;
	}
	return false;
}

bool rt_src4(uint16_t port, uint32_t *ip)
{
	const struct rt_iface *ifc = rt_iface(port);

	if (!ifc || !ifc->nb_addr4)
		return false;
	*ip = ifc->addr4[0].ip;
	return true;
}

bool rt_src6(uint16_t port, uint8_t ip[16])
{
	const struct rt_iface *ifc = rt_iface(port);

	if (!ifc || !ifc->nb_addr6)
		return false;
	memcpy(ip, ifc->addr6[ifc->nb_addr6 > 1 ? 1 : 0].ip, 16);
	return true;
}

static void free_cb(void *p)
{
	free(p);
}

struct rt_iface *rt_iface_edit(uint16_t port)
{
	struct rt_iface *n = malloc(sizeof(*n));

	if (n && rt.ifaces[port])
		*n = *rt.ifaces[port];
	return n;
}

void rt_iface_publish(uint16_t port, struct rt_iface *n)
{
	struct rt_iface *old = rt.ifaces[port];

	__atomic_store_n(&rt.ifaces[port], n, __ATOMIC_RELEASE);
	if (old)
		sl_rcu_defer(rt.rcu, free_cb, old);
}

/* --- next-hop ids --- */
static uint32_t *nh_free; /* stack of free ids */
static uint32_t nh_nfree;

uint32_t rt_nh_alloc(void)
{
	if (!nh_nfree) {
		cstats[C_NH_FULL].value++;
		return 0;
	}
	uint32_t id = nh_free[--nh_nfree];

	memset(&rt.nh[id], 0, sizeof(rt.nh[id]));
	return id;
}

static void nh_free_cb(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;

	memset(&rt.nh[id], 0, sizeof(rt.nh[id]));
	nh_free[nh_nfree++] = id;
}

void rt_nh_release(uint32_t id)
{
	if (id <= RT_NH_ID_REJECT)
		return;
	/* workers may still read it until they pass a walk */
	sl_rcu_defer(rt.rcu, nh_free_cb, (void *)(uintptr_t)id);
}

unsigned rt_nh_used(void)
{
	return RT_NH_MAX - 3 - nh_nfree;
}

int rt_control_init(void)
{
	rt.nh = sl_malloc(sizeof(*rt.nh) * RT_NH_MAX, SL_CACHE_LINE, SL_NODE_ANY);
	rt.ecmp = calloc((size_t)RT_ECMP_GROUPS * RT_ECMP_MAX, sizeof(uint32_t));
	nh_free = malloc(sizeof(*nh_free) * RT_NH_MAX);
	if (!rt.nh || !nh_free || !rt.ecmp)
		return -ENOMEM;
	memset(rt.nh, 0, sizeof(*rt.nh) * RT_NH_MAX);
	for (uint32_t id = RT_NH_MAX - 1; id > RT_NH_ID_REJECT; id--)
		nh_free[nh_nfree++] = id;
	rt.nh[RT_NH_ID_BLACKHOLE].type = RT_NH_BLACKHOLE;
	rt.nh[RT_NH_ID_REJECT].type = RT_NH_REJECT;
	rt.punt = sl_ring_create("rt_punt", 4096, SL_NODE_ANY, SL_RING_SC_DEQ);
	if (!rt.punt)
		return -ENOMEM;
	return rt_neigh_init();
}

/* --- the loop --- */

void rt_control_poll(void)
{
	struct sl_pktbuf *pkts[64];
	unsigned n = sl_ring_sc_dequeue_burst(rt.punt, (void **)pkts, 64, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		switch (rt_meta(p)->why) {
		case RT_PUNT_ARP:
			rt_arp_input(p);
			break;
		case RT_PUNT_NDP:
			rt_ndp_input(p);
			break;
		case RT_PUNT_RESOLVE4:
		case RT_PUNT_RESOLVE6:
			rt_neigh_resolve(p);
			break;
		default:
			cstats[C_PUNT_BAD].value++;
			sl_pktbuf_free(p);
		}
	}
	rt_neigh_timers();
	sl_rcu_reclaim(rt.rcu);
}
