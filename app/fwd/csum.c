/* SPDX-License-Identifier: BSD-3-Clause */
/* csum: check IPv4 header and UDP/TCP checksums, count and fix wrong ones, forward. */
#include "fwd.h"
#include "sl_cksum.h"

enum { CSUM_IP_BAD, CSUM_L4_BAD, CSUM_UNPARSED };

static const char *const csum_names[] = {"ip_cksum_bad", "l4_cksum_bad", "not_ip", NULL};

/* Finds IPv4/IPv6 behind Ethernet (and one VLAN tag); returns the L3 offset or -1. */
static int l3_offset(const struct sl_pktbuf *p, uint16_t *type)
{
	const struct sl_ether_hdr *eth = sl_pktbuf_mtod(p, const struct sl_ether_hdr *);
	int off = sizeof(*eth);

	if (p->data_len < sizeof(*eth) + 4)
		return -1;
	*type = sl_ntohs(eth->ether_type);
	if (*type == SL_ETHER_TYPE_VLAN) {
		const struct sl_vlan_hdr *vlan = (const struct sl_vlan_hdr *)(eth + 1);

		*type = sl_ntohs(vlan->eth_proto);
		off += sizeof(*vlan);
	}
	return off;
}

static void fix_one(struct fwd_stream *s, struct sl_pktbuf *p)
{
	uint16_t type = 0;
	int l3 = l3_offset(p, &type);
	uint32_t l4;
	int rc;

	if (l3 < 0 || (type != SL_ETHER_TYPE_IPV4 && type != SL_ETHER_TYPE_IPV6) ||
	    (uint32_t)l3 + sizeof(struct sl_ipv6_hdr) > p->data_len) {
		sl_counter_add(&s->extra[CSUM_UNPARSED], 1);
		return;
	}
	if (type == SL_ETHER_TYPE_IPV4) {
		struct sl_ipv4_hdr *ip = sl_pktbuf_mtod_offset(p, struct sl_ipv4_hdr *, l3);
		uint8_t proto = ip->next_proto_id;

		if (sl_ipv4_hdr_len(ip) < SL_IPV4_HDR_LEN ||
		    l3 + sl_ipv4_hdr_len(ip) > p->data_len) {
			sl_counter_add(&s->extra[CSUM_UNPARSED], 1);
			return;
		}
		if (sl_ipv4_cksum_verify(ip) != 0) {
			sl_counter_add(&s->extra[CSUM_IP_BAD], 1);
			ip->hdr_checksum = sl_ipv4_cksum(ip);
		}
		if ((proto != SL_IPPROTO_UDP && proto != SL_IPPROTO_TCP) || sl_ipv4_is_fragment(ip))
			return;
		l4 = (uint32_t)l3 + sl_ipv4_hdr_len(ip);
	} else {
		struct sl_ipv6_hdr *ip6 = sl_pktbuf_mtod_offset(p, struct sl_ipv6_hdr *, l3);

		if (ip6->proto != SL_IPPROTO_UDP && ip6->proto != SL_IPPROTO_TCP)
			return;
		l4 = (uint32_t)l3 + sizeof(*ip6);
	}
	rc = sl_udptcp_cksum_pkt_verify(p, (uint32_t)l3, l4);
	if (rc == -EBADMSG) {
		sl_counter_add(&s->extra[CSUM_L4_BAD], 1);
		sl_udptcp_cksum_pkt_set(p, (uint32_t)l3, l4);
	} else if (rc < 0) {
		sl_counter_add(&s->extra[CSUM_UNPARSED], 1);
	}
}

static void csum_burst(struct fwd_stream *s)
{
	struct sl_pktbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_recv(s, pkts);

	if (n == 0)
		return;
	for (uint16_t i = 0; i < n; i++)
		fix_one(s, pkts[i]);
	fwd_send(s, pkts, n);
}

const struct fwd_mode fwd_mode_csum = {
	.name = "csum",
	.help = "verify IPv4/UDP/TCP checksums, count and fix wrong ones, forward",
	.extra_names = csum_names,
	.burst = csum_burst,
};
