/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbours of both families (control thread only).  A neighbour is a RT_NH_NEIGH next
 * hop plus what only the control thread needs: its hold queue, retries and deadline.
 * Gateways are neighbours that routes reference; hosts on a connected subnet become
 * neighbours when a packet needs them, and get a host route (/32, /128) once resolved, so
 * the next packets find them in the LPM directly.
 *
 * States (the `link` word of the next hop, which workers read): INCOMPLETE while asking
 * (workers punt packets, which wait here, at most RT_HOLD_MAX each), REACHABLE once
 * answered (held packets go back into the graph), FAILED after RT_ARP_RETRIES unanswered
 * requests (held packets come back as host unreachable; for RT_FAILED_MS workers answer
 * unreachable themselves, then the entry is asked again, or removed if nothing uses it).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "router_ctl.h"
#include "sl_hash.h"

#define RT_FAILED_MS 3000

struct nkey {
	uint8_t family;
	uint8_t pad[3];
	uint8_t ip[16];
};

struct neigh {
	struct nkey key;
	uint32_t id; /* its next hop */
	uint16_t port;
	bool is_static;
	bool host_route;   /* a /32 or /128 points at it */
	uint16_t refs;	   /* routes using it as gateway */
	uint8_t tries;	   /* requests sent in this round */
	uint64_t deadline; /* ms: next retry, or the end of FAILED */
	unsigned nhold;
	struct sl_pktbuf *hold[RT_HOLD_MAX];
	struct neigh *next, **pprev;
};

unsigned rt_neigh_max = 4096;
static struct sl_hash *table;
static struct neigh *all;
static unsigned count;
static struct neigh **by_id_cache; /* id -> neigh for ids < RT_NH_MAX, lazily */

enum {
	N_FULL,
	N_HOLD_FULL,
	N_FAILED_PKTS,
	N_UNSOLICITED,
	N_WRONG_PORT,
	N_MAC_CHANGED,
	N_REQ,
	N_RESOLVED,
	N_C
};
static struct rt_cstat nstats[N_C] = {
	[N_FULL] = {"neigh_table_full", "a neighbour could not be created (--neigh-max)", true, 0},
	[N_HOLD_FULL] = {"neigh_hold_full",
			 "packet for a resolving neighbour whose hold queue "
			 "was full",
			 true, 0},
	[N_FAILED_PKTS] = {"neigh_failed",
			   "held packets of a neighbour that did not answer "
			   "(host unreachable sent)",
			   true, 0},
	[N_UNSOLICITED] = {"neigh_unsolicited",
			   "ARP reply / solicited NA nobody asked for "
			   "(ignored)",
			   false, 0},
	[N_WRONG_PORT] = {"neigh_wrong_port",
			  "a neighbour's address claimed from another port "
			  "(ignored)",
			  false, 0},
	[N_MAC_CHANGED] = {"neigh_mac_changed", "a neighbour's MAC address changed", false, 0},
	[N_REQ] = {"neigh_requests", "ARP requests and neighbour solicitations sent", false, 0},
	[N_RESOLVED] = {"neigh_resolved", "neighbours that answered", false, 0},
};

uint64_t rt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void mk_key(struct nkey *k, int family, const void *ip)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)family;
	if (family == 4)
		memcpy(k->ip, ip, 4);
	else
		memcpy(k->ip, ip, 16);
}

int rt_neigh_init(void)
{
	struct sl_hash_params hp = {.name = "rt_neigh",
				    .entries = rt_neigh_max,
				    .key_len = sizeof(struct nkey),
				    .node = SL_NODE_ANY};

	table = sl_hash_create(&hp);
	by_id_cache = calloc(RT_NH_MAX, sizeof(*by_id_cache));
	rt_cstat_register(nstats, N_C);
	return table && by_id_cache ? 0 : -ENOMEM;
}

static struct neigh *find(int family, const void *ip)
{
	struct nkey k;
	uint64_t v;

	mk_key(&k, family, ip);
	return sl_hash_lookup(table, &k, &v) >= 0 ? (struct neigh *)(uintptr_t)v : NULL;
}

static void set_link(struct neigh *n, const struct sl_ether_addr *mac, unsigned state)
{
	static const struct sl_ether_addr zero;

	__atomic_store_n(&rt.nh[n->id].link, rt_link_make(mac ? mac : &zero, state),
			 __ATOMIC_RELEASE);
}

static unsigned state_of(const struct neigh *n)
{
	return rt_link_state(__atomic_load_n(&rt.nh[n->id].link, __ATOMIC_RELAXED));
}

static struct neigh *create(int family, const void *ip, uint16_t port)
{
	struct neigh *n;
	uint32_t id;

	if (count >= rt_neigh_max || !(n = calloc(1, sizeof(*n)))) {
		nstats[N_FULL].value++;
		return NULL;
	}
	if (!(id = rt_nh_alloc())) {
		free(n);
		nstats[N_FULL].value++;
		return NULL;
	}
	mk_key(&n->key, family, ip);
	n->id = id;
	n->port = port;
	if (sl_hash_add(table, &n->key, (uintptr_t)n) < 0) {
		rt_nh_release(id);
		free(n);
		nstats[N_FULL].value++;
		return NULL;
	}
	struct rt_nh *nh = &rt.nh[id];

	nh->type = RT_NH_NEIGH;
	nh->family = (uint8_t)family;
	nh->port = port;
	if (family == 4)
		memcpy(&nh->ip4, ip, 4);
	else
		memcpy(nh->ip6, ip, 16);
	set_link(n, NULL, RT_NS_NONE);
	n->next = all;
	if (all)
		all->pprev = &n->next;
	all = n;
	n->pprev = &all;
	by_id_cache[id] = n;
	count++;
	return n;
}

/* The host route of a resolved neighbour.  A configured route of the same prefix wins:
 * it is neither overwritten nor deleted (deleting puts it back in the LPM). */
static void host_route(struct neigh *n, bool add)
{
	uint8_t depth = n->key.family == 4 ? 32 : 128;
	uint32_t user, a;

	if (add == n->host_route)
		return;
	bool configured = rt_route_exact(n->key.family, n->key.ip, depth, &user);

	memcpy(&a, n->key.ip, 4);
	if (add) {
		if (configured)
			return;
		add = (n->key.family == 4 ? sl_lpm_add(rt.rt4, a, 32, n->id)
					  : sl_lpm6_add(rt.rt6, n->key.ip, 128, n->id)) == 0;
	} else if (configured) {
		if (n->key.family == 4)
			sl_lpm_add(rt.rt4, a, 32, user);
		else
			sl_lpm6_add(rt.rt6, n->key.ip, 128, user);
	} else if (n->key.family == 4) {
		sl_lpm_delete(rt.rt4, a, 32);
	} else {
		sl_lpm6_delete(rt.rt6, n->key.ip, 128);
	}
	n->host_route = add;
}

static void destroy(struct neigh *n)
{
	host_route(n, false);
	for (unsigned i = 0; i < n->nhold; i++)
		sl_pktbuf_free(n->hold[i]);
	nstats[N_FAILED_PKTS].value += n->nhold;
	sl_hash_delete(table, &n->key);
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	by_id_cache[n->id] = NULL;
	rt_nh_release(n->id);
	count--;
	free(n);
}

static void ask(struct neigh *n)
{
	n->tries++;
	n->deadline = rt_now_ms() + RT_ARP_RETRY_MS;
	nstats[N_REQ].value++;
	if (n->key.family == 4)
		rt_arp_request(n->id);
	else
		rt_ndp_solicit(n->id);
}

unsigned rt_neigh_count(void)
{
	return count;
}

uint32_t rt_neigh_get(int family, const void *ip, uint16_t port, bool create_it)
{
	struct neigh *n = find(family, ip);

	if (n && n->port != port)
		return 0; /* one address, one port: the other port's claim is not this one */
	if (!n && create_it)
		n = create(family, ip, port);
	return n ? n->id : 0;
}

/* Held packets go back in at ip4/ip6 rewrite (resolved) or as host unreachable. */
static void release(struct neigh *n, bool resolved)
{
	for (unsigned i = 0; i < n->nhold; i++) {
		struct sl_pktbuf *p = n->hold[i];
		struct rt_meta *m = rt_meta(p);

		if (resolved) {
			m->nh = n->id;
			rt_inject(p, n->key.family == 4 ? RT_INJ_IP4_OUTPUT : RT_INJ_IP6_OUTPUT);
		} else {
			m->flags |= RT_M_HOST_UNREACH;
			nstats[N_FAILED_PKTS].value++;
			rt_inject(p, n->key.family == 4 ? RT_INJ_IP4_ERROR : RT_INJ_IP6_ERROR);
		}
	}
	n->nhold = 0;
}

int rt_neigh_learn(int family, const void *ip, uint16_t port, const struct sl_ether_addr *mac,
		   bool confirmed)
{
	struct neigh *n = find(family, ip);

	if (!n) {
		if (confirmed) {
			nstats[N_UNSOLICITED].value++;
			return -ENOENT;
		}
		/* an unsolicited hint (a request to us): keep it when the sender is on one of
		 * this port's subnets, so our answer's return traffic needs no request */
		uint32_t id = 0;

		if (family == 4) {
			uint32_t a;

			memcpy(&a, ip, 4);
			if (sl_lpm_lookup(rt.rt4, a, &id) < 0)
				return -ENOENT;
		} else if (sl_lpm6_lookup(rt.rt6, ip, &id) < 0) {
			return -ENOENT;
		}
		if (rt.nh[id].type != RT_NH_CONNECTED || rt.nh[id].port != port)
			return -ENOENT;
		if (!(n = create(family, ip, port)))
			return -ENOSPC;
	}
	if (n->is_static)
		return 0;
	if (n->port != port) {
		/* the address lives on another port: a host there cannot take it over */
		nstats[N_WRONG_PORT].value++;
		return -EPERM;
	}
	uint64_t old = __atomic_load_n(&rt.nh[n->id].link, __ATOMIC_RELAXED);
	unsigned st = rt_link_state(old);

	if ((st == RT_NS_REACHABLE) &&
	    (old & 0xffffffffffffull) != (rt_link_make(mac, 0) & 0xffffffffffffull))
		nstats[N_MAC_CHANGED].value++;
	if (st != RT_NS_REACHABLE)
		nstats[N_RESOLVED].value++;
	set_link(n, mac, RT_NS_REACHABLE);
	n->tries = 0;
	/* a host route: packets for it (a host on a subnet, or the gateway's own address)
	 * then find the neighbour in the LPM without a punt */
	host_route(n, true);
	release(n, true);
	return 0;
}

void rt_neigh_resolve(struct sl_pktbuf *p)
{
	struct rt_meta *m = rt_meta(p);
	const struct rt_nh *nh = &rt.nh[m->nh];
	struct neigh *n = NULL;

	if (nh->type == RT_NH_CONNECTED) {
		if (m->why == RT_PUNT_RESOLVE4) {
			uint32_t dst = sl_ntohl(sl_pktbuf_mtod(p, struct sl_ipv4_hdr *)->dst_addr);

			n = find(4, &dst);
			if (!n)
				n = create(4, &dst, nh->port);
		} else {
			const uint8_t *dst = sl_pktbuf_mtod(p, struct sl_ipv6_hdr *)->dst_addr;

			n = find(6, dst);
			if (!n)
				n = create(6, dst, nh->port);
		}
	} else if (nh->type == RT_NH_NEIGH) {
		n = by_id_cache[m->nh];
	}
	if (!n) {
		sl_pktbuf_free(p);
		return; /* counted by create(), or a next hop deleted meanwhile */
	}
	unsigned st = state_of(n);

	if (st == RT_NS_REACHABLE || st == RT_NS_STATIC) {
		m->nh = n->id;
		rt_inject(p, n->key.family == 4 ? RT_INJ_IP4_OUTPUT : RT_INJ_IP6_OUTPUT);
		return;
	}
	if (st == RT_NS_FAILED) {
		m->flags |= RT_M_HOST_UNREACH;
		nstats[N_FAILED_PKTS].value++;
		rt_inject(p, n->key.family == 4 ? RT_INJ_IP4_ERROR : RT_INJ_IP6_ERROR);
		return;
	}
	if (n->nhold == RT_HOLD_MAX) {
		nstats[N_HOLD_FULL].value++;
		sl_pktbuf_free(p);
	} else {
		n->hold[n->nhold++] = p;
	}
	if (st == RT_NS_NONE) {
		set_link(n, NULL, RT_NS_INCOMPLETE);
		n->tries = 0;
		ask(n);
	}
}

void rt_neigh_timers(void)
{
	static uint64_t last;
	uint64_t now = rt_now_ms();

	if (now - last < 50)
		return;
	last = now;
	for (struct neigh *n = all, *next; n; n = next) {
		unsigned st = state_of(n);

		next = n->next;
		if (st == RT_NS_INCOMPLETE && now >= n->deadline) {
			if (n->tries < RT_ARP_RETRIES) {
				ask(n);
				continue;
			}
			set_link(n, NULL, RT_NS_FAILED);
			n->deadline = now + RT_FAILED_MS;
			release(n, false);
		} else if (st == RT_NS_FAILED && now >= n->deadline) {
			if (n->refs)
				set_link(n, NULL, RT_NS_NONE); /* ask again on the next packet */
			else
				destroy(n);
		}
	}
}

int rt_neigh_static(int family, const void *ip, uint16_t port, const struct sl_ether_addr *mac)
{
	struct neigh *n = find(family, ip);

	if (!n && !(n = create(family, ip, port)))
		return -ENOSPC;
	n->is_static = true;
	n->port = port;
	rt.nh[n->id].port = port;
	set_link(n, mac, RT_NS_STATIC);
	host_route(n, true);
	release(n, true);
	return 0;
}

unsigned rt_neigh_flush(void)
{
	unsigned removed = 0;

	for (struct neigh *n = all, *next; n; n = next) {
		next = n->next;
		if (n->is_static)
			continue;
		if (n->refs) {
			host_route(n, false);
			set_link(n, NULL, RT_NS_NONE);
		} else {
			destroy(n);
			removed++;
		}
	}
	return removed;
}

void rt_neigh_port_down(uint16_t port)
{
	for (struct neigh *n = all, *next; n; n = next) {
		next = n->next;
		if (n->port == port && !n->refs && !n->is_static)
			destroy(n);
	}
}

void rt_neigh_ref(uint32_t id)
{
	if (id < RT_NH_MAX && by_id_cache[id])
		by_id_cache[id]->refs++;
}

void rt_neigh_unref(uint32_t id)
{
	struct neigh *n = id < RT_NH_MAX ? by_id_cache[id] : NULL;

	if (n && n->refs && --n->refs == 0 && !n->is_static && state_of(n) != RT_NS_REACHABLE)
		destroy(n);
}

void rt_neigh_show(json_t *arr, FILE *out)
{
	static const char *const states[] = {"none", "incomplete", "reachable", "failed", "static"};

	for (struct neigh *n = all; n; n = n->next) {
		uint64_t link = __atomic_load_n(&rt.nh[n->id].link, __ATOMIC_RELAXED);
		unsigned st = rt_link_state(link);
		char ip[64], mac[24];
		struct sl_ether_addr m;

		rt_fmt_ip(ip, sizeof(ip), n->key.family, n->key.ip);
		rt_link_mac(link, m.bytes);
		sl_ether_addr_format(mac, sizeof(mac), &m);
		if (st != RT_NS_REACHABLE && st != RT_NS_STATIC)
			snprintf(mac, sizeof(mac), "-");
		json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:s, s:i, s:i, s:i}", "ip",
						     ip, "mac", mac, "port", n->port, "state",
						     states[st % 5], "held", n->nhold, "refs",
						     n->refs, "nh", n->id));
		fprintf(out, "%-40s %-18s port %-3u %-10s held %u\n", ip, mac, n->port,
			states[st % 5], n->nhold);
	}
}
