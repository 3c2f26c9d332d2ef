/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet generation shared by txonly and flowgen: the template frame and the rate limit. */
#include <stdlib.h>
#include <string.h>

#include "fwd.h"
#include "sl_cksum.h"

/*
 * Writes the whole template into every buffer of the pool once, so that generating a packet
 * only copies its headers (FWD_GEN_HDR_LEN bytes): the payload is already there.  Without
 * it, 1500-byte txonly spends its time in memcpy.  Buffers are taken while no port runs.
 */
static void prefill_pool(struct fwd_app *app)
{
	unsigned n = sl_pool_avail(app->pool), done = 0;
	struct sl_pktbuf **all = malloc(sizeof(*all) * n);

	if (all == NULL)
		return;
	while (done < n && sl_pktbuf_alloc_bulk(app->pool, all + done, 1) == 0) {
		memcpy(sl_pktbuf_mtod(all[done], void *), app->template_frame, app->pkt_size);
		done++;
	}
	sl_pktbuf_free_bulk(all, done);
	free(all);
}

void fwd_build_template(struct fwd_app *app, uint16_t tx_port)
{
	uint8_t *f = app->template_frame;
	struct sl_ether_hdr *eth = (struct sl_ether_hdr *)f;
	struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)(eth + 1);
	struct sl_udp_hdr *udp = (struct sl_udp_hdr *)(ip + 1);
	uint32_t ip_len = app->pkt_size - sizeof(*eth);

	memset(f, 0, app->pkt_size);
	eth->dst = app->peer_mac[tx_port];
	sl_port_mac(tx_port, eth->src.bytes);
	eth->ether_type = sl_htons(SL_ETHER_TYPE_IPV4);
	/* 198.18.0.0/15 is reserved for benchmarking (RFC 2544). */
	ip->version_ihl = SL_IPV4_VERSION_IHL;
	ip->total_length = sl_htons((uint16_t)ip_len);
	ip->time_to_live = 64;
	ip->next_proto_id = SL_IPPROTO_UDP;
	ip->src_addr = sl_htonl(0xc6120001); /* 198.18.0.1 */
	ip->dst_addr = sl_htonl(0xc6120002); /* 198.18.0.2 */
	ip->hdr_checksum = sl_ipv4_cksum(ip);
	udp->src_port = sl_htons(9);
	udp->dst_port = sl_htons(9);     /* discard */
	udp->dgram_len = sl_htons((uint16_t)(ip_len - sizeof(*ip)));
	udp->dgram_cksum = 0;            /* optional over IPv4 */
	prefill_pool(app);
}

uint16_t fwd_gen_alloc(struct fwd_stream *s, struct sl_pktbuf **pkts)
{
	const struct fwd_app *app = s->app;
	uint16_t n = fwd_gen_allowance(s);

	if (n == 0)
		return 0;
	s->budget -= n;
	sl_counter_add(&s->generated, n);
	if (sl_unlikely(sl_pktbuf_alloc_bulk(app->pool, pkts, n) < 0)) {
		sl_counter_add(&s->drops[FWD_DROP_NO_BUF], n);
		return 0;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		memcpy(sl_pktbuf_mtod(p, void *), app->template_frame,
		       SL_MIN(app->pkt_size, FWD_GEN_HDR_LEN));
		p->data_len = (uint16_t)app->pkt_size;
		p->pkt_len = app->pkt_size;
		p->packet_type = SL_PTYPE_L2_ETHER | SL_PTYPE_L3_IPV4 | SL_PTYPE_L4_UDP;
	}
	return n;
}

uint16_t fwd_gen_allowance(struct fwd_stream *s)
{
	uint64_t n = s->burst;

	if (s->tsc_per_pkt) {
		uint64_t now = sl_rdtsc();

		if (now < s->next_tsc)
			return 0;
		/* After a stall, do not send the backlog in one rush: at most one burst. */
		if (now - s->next_tsc > s->tsc_per_pkt * s->burst)
			s->next_tsc = now - s->tsc_per_pkt * s->burst;
		n = SL_MIN(n, (now - s->next_tsc) / s->tsc_per_pkt + 1);
		s->next_tsc += n * s->tsc_per_pkt;
	}
	return (uint16_t)SL_MIN(n, s->budget);
}
