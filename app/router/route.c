/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes and addresses (control thread).  The LPM tables hold prefix -> next-hop id for
 * the workers; this file keeps the control-side record of every route (a hash keyed by
 * family, depth and prefix) so routes can be listed, replaced and deleted with their
 * next hop's reference dropped, and the addresses with the local and connected routes
 * they own.  IPv4 addresses are in host order here (as lib/lpm wants them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "router_ctl.h"
#include "sl_hash.h"

struct rkey {
	uint8_t family, depth, pad[2];
	uint8_t ip[16]; /* v4: host-order uint32_t in the first 4 bytes */
};

static struct sl_hash *routes;
static unsigned nroutes[2];
static uint32_t ecmp_free[RT_ECMP_GROUPS], ecmp_nfree;

struct addr_rec {
	uint16_t port;
	int family;
	uint8_t ip[16];
	uint8_t len;
	uint32_t local_id, conn_id;
	struct addr_rec *next;
};
static struct addr_rec *addrs;

int rt_route_init(uint32_t max4, uint32_t max6)
{
	struct sl_hash_params hp = {.name = "rt_routes",
				    .entries = max4 + max6 + 1024,
				    .key_len = sizeof(struct rkey),
				    .node = SL_NODE_ANY};

	routes = sl_hash_create(&hp);
	for (uint32_t i = 0; i < RT_ECMP_GROUPS; i++)
		ecmp_free[ecmp_nfree++] = RT_ECMP_GROUPS - 1 - i;
	return routes ? 0 : -ENOMEM;
}

static void mask(int family, uint8_t *ip, uint8_t depth)
{
	if (family == 4) {
		uint32_t a;

		memcpy(&a, ip, 4);
		a &= depth ? ~0u << (32 - depth) : 0;
		memcpy(ip, &a, 4);
		memset(ip + 4, 0, 12);
		return;
	}
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = depth > i * 8 ? depth - i * 8 : 0;

		ip[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
	}
}

static void mk_key(struct rkey *k, int family, const uint8_t *ip, uint8_t depth)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)family;
	k->depth = depth;
	memcpy(k->ip, ip, family == 4 ? 4 : 16);
	mask(family, k->ip, depth);
}

/* References: gateways count routes on their neighbour, groups on themselves. */
static void ref(uint32_t id)
{
	struct rt_nh *nh = &rt.nh[id];

	if (nh->type == RT_NH_NEIGH)
		rt_neigh_ref(id);
	else if (nh->type == RT_NH_GROUP)
		nh->refs++;
}

static void unref(uint32_t id)
{
	struct rt_nh *nh = &rt.nh[id];

	if (nh->type == RT_NH_NEIGH) {
		rt_neigh_unref(id);
	} else if (nh->type == RT_NH_GROUP && nh->refs && --nh->refs == 0) {
		for (unsigned i = 0; i < nh->nb_members; i++)
			rt_neigh_unref(rt.ecmp[(size_t)nh->slot * RT_ECMP_MAX + i]);
		ecmp_free[ecmp_nfree++] = nh->slot; /* reused only after the id is: a grace */
		rt_nh_release(id);
	}
}

static int lpm_set(int family, const uint8_t *ip, uint8_t depth, uint32_t id)
{
	if (family == 4) {
		uint32_t a;

		memcpy(&a, ip, 4);
		return sl_lpm_add(rt.rt4, a, depth, id);
	}
	return sl_lpm6_add(rt.rt6, ip, depth, id);
}

int rt_route_set(int family, const uint8_t *ip, uint8_t depth, uint32_t id, char *err,
		 size_t errlen)
{
	struct rkey k;
	uint64_t old = 0;
	int rc;

	mk_key(&k, family, ip, depth);
	bool existed = sl_hash_lookup(routes, &k, &old) >= 0;

	rc = lpm_set(family, k.ip, depth, id);
	if (rc < 0) {
		snprintf(err, errlen,
			 "the IPv%d table is full (%s); start with a larger --routes%d", family,
			 rc == -ENOSPC ? "no room for the route" : strerror(-rc), family);
		return rc;
	}
	if (sl_hash_add(routes, &k, id) < 0) {
		snprintf(err, errlen, "too many routes for the route record (--routes%d)", family);
		return -ENOSPC;
	}
	ref((uint32_t)id);
	if (existed)
		unref((uint32_t)old);
	else
		nroutes[family == 6]++;
	return 0;
}

int rt_route_del(int family, const uint8_t *ip, uint8_t depth, char *err, size_t errlen)
{
	struct rkey k;
	uint64_t old;
	char buf[64];

	mk_key(&k, family, ip, depth);
	if (sl_hash_lookup(routes, &k, &old) < 0) {
		if (family == 4) {
			uint32_t a;

			memcpy(&a, k.ip, 4);
			sl_ipv4_prefix_format(buf, sizeof(buf), sl_htonl(a), depth);
		} else {
			sl_ipv6_prefix_format(buf, sizeof(buf), k.ip, depth);
		}
		snprintf(err, errlen, "no route %s (route show lists them)", buf);
		return -ENOENT;
	}
	if (family == 4) {
		uint32_t a;

		memcpy(&a, k.ip, 4);
		sl_lpm_delete(rt.rt4, a, depth);
	} else {
		sl_lpm6_delete(rt.rt6, k.ip, depth);
	}
	sl_hash_delete(routes, &k);
	nroutes[family == 6]--;
	unref((uint32_t)old);
	return 0;
}

bool rt_route_exact(int family, const uint8_t *ip, uint8_t depth, uint32_t *id)
{
	struct rkey k;
	uint64_t v;

	mk_key(&k, family, ip, depth);
	if (sl_hash_lookup(routes, &k, &v) < 0)
		return false;
	*id = (uint32_t)v;
	return true;
}

unsigned rt_route_count(int family)
{
	return nroutes[family == 6];
}

void rt_fmt_ip(char *buf, size_t len, int family, const uint8_t *ip)
{
	if (family == 4) {
		uint32_t a;

		memcpy(&a, ip, 4);
		sl_ipv4_addr_format(buf, len, sl_htonl(a));
	} else {
		sl_ipv6_addr_format(buf, len, ip);
	}
}

/* The port a gateway is reached on: its connected subnet (or its host route). */
static int gateway_port(int family, const uint8_t *gw, char *err, size_t errlen)
{
	uint32_t id = 0;
	char buf[64];
	int rc;

	if (family == 4) {
		uint32_t a;

		memcpy(&a, gw, 4);
		rc = sl_lpm_lookup(rt.rt4, a, &id);
	} else {
		rc = sl_lpm6_lookup(rt.rt6, gw, &id);
	}
	rt_fmt_ip(buf, sizeof(buf), family, gw);
	if (rc == 0 && rt.nh[id].type == RT_NH_LOCAL) {
		snprintf(err, errlen, "gateway %s is one of the router's own addresses", buf);
		return -1;
	}
	if (rc < 0 || (rt.nh[id].type != RT_NH_CONNECTED && rt.nh[id].type != RT_NH_NEIGH)) {
		snprintf(err, errlen,
			 "gateway %s is not on a connected subnet (add an address "
			 "on its port first, or give 'dev PORT')",
			 buf);
		return -1;
	}
	return rt.nh[id].port;
}

uint32_t rt_route_gateways(int family, const uint8_t (*gws)[16], unsigned n, int port, char *err,
			   size_t errlen)
{
	uint32_t ids[RT_ECMP_MAX];

	if (n == 0 || n > RT_ECMP_MAX) {
		snprintf(err, errlen, "give 1 to %d gateways (got %u)", RT_ECMP_MAX, n);
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		int p = port >= 0 ? port : gateway_port(family, gws[i], err, errlen);

		if (p < 0)
			return 0;
		ids[i] = rt_neigh_get(family, gws[i], (uint16_t)p, true);
		if (!ids[i]) {
			char buf[64];

			rt_fmt_ip(buf, sizeof(buf), family, gws[i]);
			snprintf(err, errlen,
				 "gateway %s: the neighbour table is full (--neigh-max), "
				 "or %s is known on another port",
				 buf, buf);
			return 0;
		}
	}
	if (n == 1)
		return ids[0];
	if (!ecmp_nfree) {
		snprintf(err, errlen, "all %d ECMP groups are in use", RT_ECMP_GROUPS);
		return 0;
	}
	uint32_t id = rt_nh_alloc();

	if (!id) {
		snprintf(err, errlen, "no free next-hop id");
		return 0;
	}
	struct rt_nh *g = &rt.nh[id];

	g->slot = ecmp_free[--ecmp_nfree];
	for (unsigned i = 0; i < n; i++) {
		rt.ecmp[(size_t)g->slot * RT_ECMP_MAX + i] = ids[i];
		rt_neigh_ref(ids[i]);
	}
	g->family = (uint8_t)family;
	g->nb_members = (uint16_t)n;
	__atomic_store_n(&g->type, RT_NH_GROUP, __ATOMIC_RELEASE);
	return id;
}

static const char *nh_text(uint32_t id, char *buf, size_t len)
{
	const struct rt_nh *nh = &rt.nh[id];
	char a[64];

	switch (nh->type) {
	case RT_NH_LOCAL:
		return "local";
	case RT_NH_CONNECTED:
		snprintf(buf, len, "connected port %u", nh->port);
		return buf;
	case RT_NH_BLACKHOLE:
		return "blackhole";
	case RT_NH_REJECT:
		return "reject";
	case RT_NH_NEIGH:
		rt_fmt_ip(a, sizeof(a), nh->family,
			  nh->family == 4 ? (const uint8_t *)&nh->ip4 : nh->ip6);
		snprintf(buf, len, "via %s port %u", a, nh->port);
		return buf;
	case RT_NH_GROUP: {
		size_t off = (size_t)snprintf(buf, len, "via");

		for (unsigned i = 0; i < nh->nb_members && off < len; i++) {
			const struct rt_nh *m = &rt.nh[rt.ecmp[(size_t)nh->slot * RT_ECMP_MAX + i]];

			rt_fmt_ip(a, sizeof(a), m->family,
				  m->family == 4 ? (const uint8_t *)&m->ip4 : m->ip6);
			off += (size_t)snprintf(buf + off, len - off, " %s", a);
		}
		return buf;
	}
	default:
		return "?";
	}
}

void rt_route_show(json_t *arr, FILE *out, int family, unsigned limit)
{
	uint32_t it = 0;
	const void *key;
	uint64_t val;
	unsigned shown = 0;

	while (shown < limit && sl_hash_iterate(routes, &it, &key, &val) >= 0) {
		const struct rkey *k = key;
		char pfx[64], nh[256];

		if (family && k->family != family)
			continue;
		if (k->family == 4) {
			uint32_t a;

			memcpy(&a, k->ip, 4);
			sl_ipv4_prefix_format(pfx, sizeof(pfx), sl_htonl(a), k->depth);
		} else {
			sl_ipv6_prefix_format(pfx, sizeof(pfx), k->ip, k->depth);
		}
		const char *t = nh_text((uint32_t)val, nh, sizeof(nh));

		json_array_append_new(arr, json_pack("{s:s, s:s, s:i}", "prefix", pfx, "nexthop", t,
						     "nh", (int)val));
		fprintf(out, "%-44s %s\n", pfx, t);
		shown++;
	}
}

/* --- route files --- */

int rt_parse_prefix(const char *s, int *family, uint8_t ip[16], uint8_t *depth)
{
	uint32_t a;

	if (strchr(s, ':')) {
		*family = 6;
		return sl_ipv6_prefix_parse(s, ip, depth);
	}
	*family = 4;
	if (sl_ipv4_prefix_parse(s, &a, depth) < 0)
		return -EINVAL;
	a = sl_ntohl(a);
	memcpy(ip, &a, 4);
	return 0;
}

int rt_route_load(const char *path, const uint8_t (*gws4)[16], unsigned n4,
		  const uint8_t (*gws6)[16], unsigned n6, char *err, size_t errlen,
		  unsigned *loaded)
{
	gzFile f = gzopen(path, "r");
	uint32_t ids4[RT_ECMP_MAX] = {0}, ids6[RT_ECMP_MAX] = {0};
	char line[512], e[200];
	unsigned lineno = 0, rr4 = 0, rr6 = 0;
	int rc = 0;

	*loaded = 0;
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	gzbuffer(f, 1 << 17);
	/* the default gateways, each a next hop of its own (routes spread round robin) */
	for (unsigned i = 0; i < n4; i++)
		if (!(ids4[i] = rt_route_gateways(4, &gws4[i], 1, -1, err, errlen)))
			goto out_err;
	for (unsigned i = 0; i < n6; i++)
		if (!(ids6[i] = rt_route_gateways(6, &gws6[i], 1, -1, err, errlen)))
			goto out_err;
	while (gzgets(f, line, sizeof(line))) {
		char *w[4], *save = NULL;
		unsigned nw = 0;
		int family;
		uint8_t ip[16], depth;
		uint32_t id;

		lineno++;
		for (char *t = strtok_r(line, " \t\r\n", &save); t && nw < 4;
		     t = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = t;
		if (nw == 0 || w[0][0] == '#')
			continue;
		if (rt_parse_prefix(w[0], &family, ip, &depth) < 0) {
			snprintf(err, errlen,
				 "%s:%u: '%s' is not a prefix (10.0.0.0/8, "
				 "2001:db8::/32)",
				 path, lineno, w[0]);
			rc = -EINVAL;
			break;
		}
		if (nw == 1) {
			if (family == 4 ? !n4 : !n6) {
				snprintf(err, errlen,
					 "%s:%u: no next hop for %s; give 'route load "
					 "FILE via GW...' to spread such routes over gateways",
					 path, lineno, w[0]);
				rc = -EINVAL;
				break;
			}
			id = family == 4 ? ids4[rr4++ % n4] : ids6[rr6++ % n6];
		} else if (strcmp(w[1], "blackhole") == 0) {
			id = RT_NH_ID_BLACKHOLE;
		} else if (strcmp(w[1], "reject") == 0) {
			id = RT_NH_ID_REJECT;
		} else {
			const char *g = nw > 2 && strcmp(w[1], "via") == 0 ? w[2] : w[1];
			uint8_t gw[16];
			int gf;
			uint8_t gd;

			if (rt_parse_prefix(g, &gf, gw, &gd) < 0 || gf != family ||
			    gd != (family == 4 ? 32 : 128)) {
				snprintf(err, errlen, "%s:%u: '%s' is not an IPv%d gateway address",
					 path, lineno, g, family);
				rc = -EINVAL;
				break;
			}
			id = rt_route_gateways(family, (const uint8_t(*)[16])gw, 1, -1, e,
					       sizeof(e));
			if (!id) {
				snprintf(err, errlen, "%s:%u: %s", path, lineno, e);
				rc = -EINVAL;
				break;
			}
		}
		if ((rc = rt_route_set(family, ip, depth, id, e, sizeof(e))) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, e);
			break;
		}
		(*loaded)++;
	}
	gzclose(f);
	return rc;
out_err:
	gzclose(f);
	return -EINVAL;
}

/* --- addresses --- */

bool rt_route_owned(int family, const uint8_t *ip, uint8_t depth)
{
	uint8_t k[16], a[16];

	memcpy(k, ip, 16);
	mask(family, k, depth);
	for (struct addr_rec *r = addrs; r; r = r->next) {
		if (r->family != family)
			continue;
		if (depth == (family == 4 ? 32 : 128) &&
		    memcmp(r->ip, k, family == 4 ? 4 : 16) == 0)
			return true; /* its local route */
		memcpy(a, r->ip, 16);
		mask(family, a, r->len);
		if (r->conn_id && depth == r->len && memcmp(a, k, 16) == 0)
			return true; /* its connected route */
		if (family == 4 && r->len <= 30 && depth == 32) {
			uint32_t v, m = ~0u << (32 - r->len), x;

			memcpy(&v, r->ip, 4);
			memcpy(&x, k, 4);
			if (x == (v & m) || x == (v | ~m))
				return true; /* its network or broadcast blackhole */
		}
	}
	return false;
}

int rt_addr_add(uint16_t port, int family, const uint8_t *ip, uint8_t len, char *err, size_t errlen)
{
	uint8_t full = family == 4 ? 32 : 128;
	struct rt_iface *ifc;
	char buf[64];

	rt_fmt_ip(buf, sizeof(buf), family, ip);
	if (!rt.ifaces[port]) {
		snprintf(err, errlen, "port %u has no interface", port);
		return -ENODEV;
	}
	for (struct addr_rec *a = addrs; a; a = a->next)
		if (a->family == family && memcmp(a->ip, ip, family == 4 ? 4 : 16) == 0) {
			snprintf(err, errlen, "%s is already an address of port %u", buf, a->port);
			return -EEXIST;
		}
	ifc = rt_iface_edit(port);
	if (!ifc)
		return -ENOMEM;
	if ((family == 4 ? ifc->nb_addr4 : ifc->nb_addr6) >= RT_MAX_ADDRS) {
		snprintf(err, errlen, "port %u has %d IPv%d addresses already (the most)", port,
			 RT_MAX_ADDRS, family);
		free(ifc);
		return -ENOSPC;
	}
	struct addr_rec *a = calloc(1, sizeof(*a));
	uint32_t local = rt_nh_alloc(), conn = len < full ? rt_nh_alloc() : 0;

	if (!a || !local || (len < full && !conn)) {
		free(a);
		free(ifc);
		snprintf(err, errlen, "out of memory or next-hop ids");
		return -ENOMEM;
	}
	rt.nh[local].type = RT_NH_LOCAL;
	rt.nh[local].family = (uint8_t)family;
	rt.nh[local].port = port;
	if (conn) {
		rt.nh[conn].type = RT_NH_CONNECTED;
		rt.nh[conn].family = (uint8_t)family;
		rt.nh[conn].port = port;
	}
	if (family == 4) {
		memcpy(&ifc->addr4[ifc->nb_addr4].ip, ip, 4);
		ifc->addr4[ifc->nb_addr4++].len = len;
	} else {
		memcpy(ifc->addr6[ifc->nb_addr6].ip, ip, 16);
		ifc->addr6[ifc->nb_addr6++].len = len;
	}
	rt_iface_publish(port, ifc);
	*a = (struct addr_rec){port, family, {0}, len, local, conn, addrs};
	memcpy(a->ip, ip, family == 4 ? 4 : 16);
	addrs = a;
	if (rt_route_set(family, ip, full, local, err, errlen) < 0 ||
	    (conn && rt_route_set(family, ip, len, conn, err, errlen) < 0))
		return -ENOSPC;
	if (family == 4 && len <= 30) {
		/* the subnet's network and broadcast addresses are nobody to resolve: directed
		 * broadcasts are dropped (RFC 2644), counted as blackhole */
		uint32_t v, m = ~0u << (32 - len), net, bcast;

		memcpy(&v, ip, 4);
		net = v & m;
		bcast = v | ~m;
		rt_route_set(4, (const uint8_t *)&net, 32, RT_NH_ID_BLACKHOLE, err, errlen);
		rt_route_set(4, (const uint8_t *)&bcast, 32, RT_NH_ID_BLACKHOLE, err, errlen);
	}
	return 0;
}

int rt_addr_del(uint16_t port, int family, const uint8_t *ip, uint8_t len, char *err, size_t errlen)
{
	struct addr_rec **pp, *a;
	char buf[64], e[128];

	for (pp = &addrs; (a = *pp); pp = &a->next)
		if (a->port == port && a->family == family &&
		    memcmp(a->ip, ip, family == 4 ? 4 : 16) == 0 && a->len == len)
			break;
	if (!a) {
		rt_fmt_ip(buf, sizeof(buf), family, ip);
		snprintf(err, errlen,
			 "%s/%u is not an address of port %u (address show lists "
			 "them)",
			 buf, len, port);
		return -ENOENT;
	}
	*pp = a->next;
	rt_route_del(family, ip, family == 4 ? 32 : 128, e, sizeof(e));
	if (a->conn_id)
		rt_route_del(family, ip, len, e, sizeof(e));
	if (family == 4 && len <= 30) {
		uint32_t v, m = ~0u << (32 - len), net, bcast;

		memcpy(&v, ip, 4);
		net = v & m;
		bcast = v | ~m;
		rt_route_del(4, (const uint8_t *)&net, 32, e, sizeof(e));
		rt_route_del(4, (const uint8_t *)&bcast, 32, e, sizeof(e));
	}

	struct rt_iface *ifc = rt_iface_edit(port);

	if (ifc) {
		if (family == 4) {
			for (unsigned i = 0; i < ifc->nb_addr4; i++)
				if (memcmp(&ifc->addr4[i].ip, ip, 4) == 0) {
					ifc->addr4[i] = ifc->addr4[--ifc->nb_addr4];
					break;
				}
		} else {
			for (unsigned i = 0; i < ifc->nb_addr6; i++)
				if (memcmp(ifc->addr6[i].ip, ip, 16) == 0) {
					memmove(&ifc->addr6[i], &ifc->addr6[i + 1],
						(--ifc->nb_addr6 - i) * sizeof(ifc->addr6[0]));
					break;
				}
		}
		rt_iface_publish(port, ifc);
	}
	rt_nh_release(a->local_id);
	if (a->conn_id)
		rt_nh_release(a->conn_id);
	rt_neigh_port_down(port);
	free(a);
	return 0;
}
