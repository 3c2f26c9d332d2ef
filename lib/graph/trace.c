/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace.  The control thread publishes a request (count, filter) under the seqlock
 * trace_req_gen; the worker adopts it at the start of a walk, so every trace field but the
 * request is written by the worker alone.  Records are appended with a release store of
 * the record count, which the control thread reads with an acquire load: a record it can
 * see is complete.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "graph_priv.h"
#include "sl_net.h"

/*
 * The request is a seqlock: the control thread makes trace_req_gen odd, writes the fields,
 * then makes it even again (release); the worker adopts the fields only when it read the
 * same even generation before and after them.  Every field access is atomic, so a worker
 * reading while the control thread writes sees some value, and discards it.
 */
static void request(struct sl_graph_priv *pv, unsigned count, sl_graph_trace_filter_fn filter,
		    void *arg)
{
	uint32_t gen = __atomic_load_n(&pv->trace_req_gen, __ATOMIC_RELAXED);

	/* release stores: each is ordered after the odd generation before it */
	__atomic_store_n(&pv->trace_req_gen, gen + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&pv->trace_req_count, count, __ATOMIC_RELEASE);
	__atomic_store_n(&pv->trace_req_filter, filter, __ATOMIC_RELEASE);
	__atomic_store_n(&pv->trace_req_arg, arg, __ATOMIC_RELEASE);
	__atomic_store_n(&pv->trace_req_gen, gen + 2, __ATOMIC_RELEASE);
}

int sl_graph_trace_start(struct sl_graph *g, unsigned count, sl_graph_trace_filter_fn filter,
			 void *arg)
{
	if (count == 0 || count > SL_GRAPH_TRACE_MAX) {
		SL_LOG(graph, ERR, "trace: %u packets (give 1 to %d)", count, SL_GRAPH_TRACE_MAX);
		return -EINVAL;
	}
	request(g->priv, count, filter, arg);
	return 0;
}

void sl_graph_trace_stop(struct sl_graph *g)
{
	request(g->priv, 0, NULL, NULL);
}

/* Worker: adopt the control thread's request (or, while it is being written, try again at
 * the next walk).  A stop (count 0) keeps the records. */
void sl_graph__trace_sync(struct sl_graph *g)
{
	struct sl_graph_priv *pv = g->priv;
	uint32_t gen = __atomic_load_n(&pv->trace_req_gen, __ATOMIC_ACQUIRE);
	/* acquire loads: the second read of the generation cannot move before them */
	uint32_t count = __atomic_load_n(&pv->trace_req_count, __ATOMIC_ACQUIRE);
	sl_graph_trace_filter_fn filter = __atomic_load_n(&pv->trace_req_filter, __ATOMIC_ACQUIRE);
	void *arg = __atomic_load_n(&pv->trace_req_arg, __ATOMIC_ACQUIRE);

	if ((gen & 1) || __atomic_load_n(&pv->trace_req_gen, __ATOMIC_RELAXED) != gen)
		return;
	pv->trace_gen = gen;
	pv->trace_budget = count;
	pv->trace_filter = filter;
	pv->trace_arg = arg;
	if (pv->trace_budget) {
		pv->trace_pkts = 0;
		pv->trace_inflight = 0;
		__atomic_store_n(&pv->trace_nrec, 0, __ATOMIC_RELEASE);
	}
	g->trace_live = pv->trace_budget || pv->trace_inflight;
}

static struct sl_graph_trace_rec *rec_new(struct sl_graph_priv *pv)
{
	uint32_t i = pv->trace_nrec;

	return i < SL_GRAPH_TRACE_RECORDS ? &pv->recs[i] : NULL;
}

static void rec_commit(struct sl_graph_priv *pv)
{
	__atomic_store_n(&pv->trace_nrec, pv->trace_nrec + 1, __ATOMIC_RELEASE);
}

static void record(struct sl_graph *g, struct sl_graph_node *node, struct sl_pktbuf *p,
		   uint64_t tsc, bool with_data)
{
	struct sl_graph_priv *pv = g->priv;
	struct sl_graph_trace_rec *r = rec_new(pv);

	if (!r)
		return;
	r->tsc = tsc;
	r->pkt = p->trace_id;
	r->node = node->id;
	r->port = p->port;
	r->len = p->pkt_len;
	r->info[0] = 0;
	r->data_len = 0;
	if (with_data) {
		r->data_len = (uint16_t)SL_MIN(p->data_len, SL_GRAPH_TRACE_DATA);
		memcpy(r->data, sl_pktbuf_mtod(p, const void *), r->data_len);
	}
	if (node->type->trace)
		node->type->trace(node, p, r->info, sizeof(r->info));
	rec_commit(pv);
}

void sl_graph__trace_mark(struct sl_graph *g, struct sl_graph_node *node, struct sl_pktbuf **pkts,
			  uint16_t n)
{
	struct sl_graph_priv *pv = g->priv;
	uint64_t tsc = sl_rdtsc();

	for (uint16_t i = 0; i < n && pv->trace_budget; i++) {
		struct sl_pktbuf *p = pkts[i];

		if (p->ol_flags & SL_PKT_GRAPH_TRACE)
			continue; /* already marked (re-injected) */
		if (pv->trace_filter && !pv->trace_filter(p, pv->trace_arg))
			continue;
		p->ol_flags |= SL_PKT_GRAPH_TRACE;
		p->trace_id = ++pv->trace_pkts;
		pv->trace_budget--;
		pv->trace_inflight++;
		record(g, node, p, tsc, true);
	}
	g->trace_live = pv->trace_budget || pv->trace_inflight;
}

void sl_graph__trace_vec(struct sl_graph *g, struct sl_graph_node *node, struct sl_pktbuf **pkts,
			 uint16_t n)
{
	struct sl_graph_priv *pv = g->priv;
	uint64_t tsc = sl_rdtsc();

	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		if (!(p->ol_flags & SL_PKT_GRAPH_TRACE))
			continue;
		record(g, node, p, tsc, false);
		if (node->flags & SL_GRAPH_SINK) {
			p->ol_flags &= ~SL_PKT_GRAPH_TRACE;
			if (pv->trace_inflight)
				pv->trace_inflight--;
		}
	}
	g->trace_live = pv->trace_budget || pv->trace_inflight;
}

unsigned sl_graph_trace_read(const struct sl_graph *g, struct sl_graph_trace_rec *recs, unsigned n)
{
	const struct sl_graph_priv *pv = g->priv;
	uint32_t nrec = __atomic_load_n(&pv->trace_nrec, __ATOMIC_ACQUIRE);

	if (recs)
		memcpy(recs, pv->recs, SL_MIN(n, nrec) * sizeof(*recs));
	return nrec;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One line saying what the first bytes of a packet are: Ethernet, VLAN, IPv4/IPv6, ports. */
static void decode(FILE *out, const uint8_t *d, unsigned len)
{
	char a[64], b[64];
	unsigned off = 14;

	if (len < 14) {
		fprintf(out, "      (%u bytes)\n", len);
		return;
	}
	const struct sl_ether_hdr *eth = (const void *)d;
	uint16_t type = sl_ntohs(eth->ether_type);

	sl_ether_addr_format(a, sizeof(a), &eth->src);
	sl_ether_addr_format(b, sizeof(b), &eth->dst);
	fprintf(out, "      %s > %s", a, b);
	while ((type == SL_ETHER_TYPE_VLAN || type == SL_ETHER_TYPE_QINQ) && len >= off + 4) {
		fprintf(out, " vlan %u", rd16(d + off) & 0xfff);
		type = rd16(d + off + 2);
		off += 4;
	}
	if (type == SL_ETHER_TYPE_IPV4 && len >= off + 20) {
		const struct sl_ipv4_hdr *ip = (const void *)(d + off);

		sl_ipv4_addr_format(a, sizeof(a), ip->src_addr);
		sl_ipv4_addr_format(b, sizeof(b), ip->dst_addr);
		fprintf(out, " IPv4 %s > %s proto %u ttl %u len %u", a, b, ip->next_proto_id,
			ip->time_to_live, sl_ntohs(ip->total_length));
		off += sl_ipv4_hdr_len(ip);
		if ((ip->next_proto_id == 6 || ip->next_proto_id == 17) && len >= off + 4)
			fprintf(out, " ports %u > %u", rd16(d + off), rd16(d + off + 2));
		else if (ip->next_proto_id == 1 && len >= off + 2)
			fprintf(out, " icmp type %u code %u", d[off], d[off + 1]);
	} else if (type == SL_ETHER_TYPE_IPV6 && len >= off + 40) {
		const struct sl_ipv6_hdr *ip6 = (const void *)(d + off);

		sl_ipv6_addr_format(a, sizeof(a), ip6->src_addr);
		sl_ipv6_addr_format(b, sizeof(b), ip6->dst_addr);
		fprintf(out, " IPv6 %s > %s next %u hlim %u", a, b, ip6->proto, ip6->hop_limits);
		off += 40;
		if (ip6->proto == 58 && len >= off + 2)
			fprintf(out, " icmp6 type %u code %u", d[off], d[off + 1]);
	} else if (type == SL_ETHER_TYPE_ARP && len >= off + 8) {
		fprintf(out, " ARP op %u", rd16(d + off + 6));
	} else {
		fprintf(out, " type 0x%04x", type);
	}
	fprintf(out, "\n");
}

void sl_graph_trace_dump(FILE *out, const struct sl_graph *g)
{
	const struct sl_graph_priv *pv = g->priv;
	unsigned n = sl_graph_trace_read(g, NULL, 0);
	struct sl_graph_trace_rec *recs;
	uint32_t maxpkt = 0;
	double ns_per_tsc = 1e9 / (double)sl_tsc_hz();

	if (n > SL_GRAPH_TRACE_RECORDS)
		n = SL_GRAPH_TRACE_RECORDS;
	recs = malloc((n ? n : 1) * sizeof(*recs));
	if (!recs)
		return;
	n = SL_MIN(n, sl_graph_trace_read(g, recs, n));
	for (unsigned i = 0; i < n; i++)
		maxpkt = SL_MAX(maxpkt, recs[i].pkt);
	fprintf(out, "graph %s: %u packets traced, %u records\n", pv->name, maxpkt, n);
	for (uint32_t pk = 1; pk <= maxpkt; pk++) {
		uint64_t t0 = 0;

		fprintf(out, "Packet %u\n", pk);
		for (unsigned i = 0; i < n; i++) {
			const struct sl_graph_trace_rec *r = &recs[i];

			if (r->pkt != pk)
				continue;
			if (!t0)
				t0 = r->tsc;
			fprintf(out, "  %9.3f us  %-22s port %-5u len %-5u %s\n",
				(double)(r->tsc - t0) * ns_per_tsc / 1e3, pv->nodes[r->node].name,
				r->port, r->len, r->info);
			if (r->data_len)
				decode(out, r->data, r->data_len);
		}
	}
	free(recs);
}
