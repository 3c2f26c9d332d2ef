/* SPDX-License-Identifier: BSD-3-Clause */
/* Parser tests: every supported packet kind with exact types and lengths, the same packets
 * split into segments, truncated at every byte, and malformed on purpose. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "net_test.h"
#include "sl_parse.h"

#define L2E SL_PTYPE_L2_ETHER
#define V4 SL_PTYPE_L3_IPV4
#define V4X SL_PTYPE_L3_IPV4_EXT
#define V6 SL_PTYPE_L3_IPV6
#define V6X SL_PTYPE_L3_IPV6_EXT
#define MAL SL_PTYPE_MALFORMED

struct expect {
	uint32_t ptype, inner_ptype;
	uint16_t l2, l3, l4;
	uint16_t tunnel_len;
	uint16_t il2, il3, il4;
	uint16_t reason;
	int l2_only; /* no IP: a truncation after the Ethernet header is still valid */
	int padded;  /* Ethernet padding after the IP packet */
};

typedef void (*build_fn)(struct pb *pb, struct expect *e);

static void set_frag4(struct pb *pb, uint32_t l3, uint16_t v)
{
	((struct sl_ipv4_hdr *)(pb->b + l3))->fragment_offset = sl_htons(v);
}

/* --- well-formed packets --- */

static void b_ipv4_tcp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_TCP, 0);
	pb_tcp(pb, 5);
	pb_bytes(pb, 10);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_TCP, .l2 = 14, .l3 = 20, .l4 = 20};
}

static void b_ipv4opt_udp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 3);
	pb_udp(pb, 1000, 2000);
	pb_bytes(pb, 5);
	*e = (struct expect){.ptype = L2E | V4X | SL_PTYPE_L4_UDP, .l2 = 14, .l3 = 32, .l4 = 8};
}

static void b_vlan_ipv4_icmp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_VLAN);
	pb_vlan(pb, 10, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_ICMP, 0);
	pb_bytes(pb, 8);
	*e = (struct expect){.ptype = SL_PTYPE_L2_ETHER_VLAN | V4 | SL_PTYPE_L4_ICMP,
			     .l2 = 18, .l3 = 20, .l4 = 8};
}

static void b_qinq_ipv6_tcp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_QINQ);
	pb_vlan(pb, 100, SL_ETHER_TYPE_VLAN);
	pb_vlan(pb, 200, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_TCP);
	pb_tcp(pb, 8);
	pb_bytes(pb, 3);
	*e = (struct expect){.ptype = SL_PTYPE_L2_ETHER_QINQ | V6 | SL_PTYPE_L4_TCP,
			     .l2 = 22, .l3 = 40, .l4 = 32};
}

static void b_vlan8(struct pb *pb, struct expect *e)
{
	int i;

	pb_eth(pb, SL_ETHER_TYPE_QINQ_OLD);
	for (i = 0; i < SL_PARSE_MAX_VLANS - 1; i++)
		pb_vlan(pb, (uint16_t)i, SL_ETHER_TYPE_VLAN);
	pb_vlan(pb, 99, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	pb_udp(pb, 1, 2);
	*e = (struct expect){.ptype = SL_PTYPE_L2_ETHER_QINQ | V4 | SL_PTYPE_L4_UDP,
			     .l2 = 14 + 4 * SL_PARSE_MAX_VLANS, .l3 = 20, .l4 = 8};
}

static void b_arp(struct pb *pb, struct expect *e)
{
	struct sl_arp_hdr *a;

	pb_eth(pb, SL_ETHER_TYPE_ARP);
	a = pb_put(pb, sizeof(*a));
	a->hrd = sl_htons(SL_ARP_HRD_ETHER);
	a->pro = sl_htons(SL_ETHER_TYPE_IPV4);
	a->hln = 6;
	a->pln = 4;
	a->op = sl_htons(SL_ARP_OP_REQUEST);
	*e = (struct expect){.ptype = SL_PTYPE_L2_ETHER_ARP, .l2 = 14};
}

static void b_vlan_arp(struct pb *pb, struct expect *e)
{
	struct sl_arp_hdr *a;

	pb_eth(pb, SL_ETHER_TYPE_VLAN);
	pb_vlan(pb, 7, SL_ETHER_TYPE_ARP);
	a = pb_put(pb, sizeof(*a));
	a->hln = 6;
	a->pln = 4;
	*e = (struct expect){.ptype = SL_PTYPE_L2_ETHER_ARP, .l2 = 18};
}

static void b_ipv6_ext_udp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_HOPOPTS);
	pb_ext(pb, SL_IPPROTO_ROUTING, 0);
	pb_ext(pb, SL_IPPROTO_DSTOPTS, 1);
	pb_ext(pb, SL_IPPROTO_AH, 0);
	pb_ext(pb, SL_IPPROTO_UDP, 2); /* AH: (2 + 2) * 4 = 16 bytes */
	pb->len -= 8;                  /* pb_ext made 24; AH with len 2 is 16 */
	pb_udp(pb, 53, 53);
	pb_bytes(pb, 20);
	*e = (struct expect){.ptype = L2E | V6X | SL_PTYPE_L4_UDP, .l2 = 14,
			     .l3 = 40 + 8 + 16 + 8 + 16, .l4 = 8};
}

static void b_ipv6_frag_first(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_FRAGMENT);
	pb_frag6(pb, SL_IPPROTO_UDP, 0, 1);
	pb_udp(pb, 1, 2);
	pb_bytes(pb, 16);
	*e = (struct expect){.ptype = L2E | V6X | SL_PTYPE_L4_FRAG, .l2 = 14, .l3 = 48};
}

static void b_ipv6_frag_later(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_DSTOPTS);
	pb_ext(pb, SL_IPPROTO_FRAGMENT, 0);
	pb_frag6(pb, SL_IPPROTO_TCP, 100, 0);
	pb_bytes(pb, 30);
	*e = (struct expect){.ptype = L2E | V6X | SL_PTYPE_L4_FRAG, .l2 = 14, .l3 = 56};
}

static void b_ipv6_atomic_frag(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_FRAGMENT);
	pb_frag6(pb, SL_IPPROTO_TCP, 0, 0);
	pb_tcp(pb, 5);
	*e = (struct expect){.ptype = L2E | V6X | SL_PTYPE_L4_TCP, .l2 = 14, .l3 = 48, .l4 = 20};
}

static void b_ipv4_frag_first(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	set_frag4(pb, 14, SL_IPV4_HDR_MF_FLAG);
	pb_udp(pb, 1, 2);
	pb_bytes(pb, 16);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_FRAG, .l2 = 14, .l3 = 20};
}

static void b_ipv4_frag_later(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_TCP, 1);
	set_frag4(pb, 14, SL_IPV4_HDR_DF_FLAG | 185); /* odd but a fragment all the same */
	pb_bytes(pb, 3);
	*e = (struct expect){.ptype = L2E | V4X | SL_PTYPE_L4_FRAG, .l2 = 14, .l3 = 24};
}

static void b_ipv4_df_udp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	set_frag4(pb, 14, SL_IPV4_HDR_DF_FLAG); /* DF alone: not a fragment */
	pb_udp(pb, 1, 2);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_UDP, .l2 = 14, .l3 = 20, .l4 = 8};
}

static void b_ipv4_sctp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_SCTP, 0);
	pb_bytes(pb, 12 + 16);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_SCTP, .l2 = 14, .l3 = 20, .l4 = 12};
}

static void b_ipv6_icmp6(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_ICMPV6);
	pb_bytes(pb, 8);
	*e = (struct expect){.ptype = L2E | V6 | SL_PTYPE_L4_ICMP, .l2 = 14, .l3 = 40, .l4 = 4};
}

static void b_vxlan(struct pb *pb, struct expect *e)
{
	struct sl_vxlan_hdr *vx;

	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	pb_udp(pb, 5555, SL_VXLAN_PORT);
	vx = pb_put(pb, sizeof(*vx));
	vx->vx_flags = sl_htonl(SL_VXLAN_FLAG_VNI);
	vx->vx_vni = sl_htonl(42 << 8);
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_TCP, 0);
	pb_tcp(pb, 5);
	pb_bytes(pb, 4);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_UDP | SL_PTYPE_TUNNEL_VXLAN,
			     .inner_ptype = L2E | V4 | SL_PTYPE_L4_TCP,
			     .l2 = 14, .l3 = 20, .l4 = 8, .tunnel_len = 8,
			     .il2 = 14, .il3 = 20, .il4 = 20};
}

static void geneve(struct pb *pb, uint16_t proto, unsigned opt_words)
{
	struct sl_geneve_hdr *g = pb_put(pb, sizeof(*g) + 4 * opt_words);

	g->ver_opt_len = (uint8_t)opt_words;
	g->proto = sl_htons(proto);
	memset(g + 1, 0xab, 4 * opt_words);
}

static void b_geneve_eth(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_UDP);
	pb_udp(pb, 7, SL_GENEVE_PORT);
	geneve(pb, SL_ETHER_TYPE_TEB, 2);
	pb_eth(pb, SL_ETHER_TYPE_VLAN);
	pb_vlan(pb, 5, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_UDP);
	pb_udp(pb, 1, 2);
	pb_bytes(pb, 3);
	*e = (struct expect){.ptype = L2E | V6 | SL_PTYPE_L4_UDP | SL_PTYPE_TUNNEL_GENEVE,
			     .inner_ptype = SL_PTYPE_L2_ETHER_VLAN | V6 | SL_PTYPE_L4_UDP,
			     .l2 = 14, .l3 = 40, .l4 = 8, .tunnel_len = 16,
			     .il2 = 18, .il3 = 40, .il4 = 8};
}

static void b_geneve_ip(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	pb_udp(pb, 7, SL_GENEVE_PORT);
	geneve(pb, SL_ETHER_TYPE_IPV4, 0);
	pb_ipv4(pb, SL_IPPROTO_ICMP, 2);
	pb_bytes(pb, 8);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_UDP | SL_PTYPE_TUNNEL_GENEVE,
			     .inner_ptype = V4X | SL_PTYPE_L4_ICMP,
			     .l2 = 14, .l3 = 20, .l4 = 8, .tunnel_len = 8,
			     .il2 = 0, .il3 = 28, .il4 = 8};
}

static void gre(struct pb *pb, uint16_t flags, uint16_t proto)
{
	struct sl_gre_hdr *g = pb_put(pb, sizeof(*g));

	g->flags_ver = sl_htons(flags);
	g->proto = sl_htons(proto);
	if (flags & SL_GRE_CSUM_FLAG)
		pb_bytes(pb, 4);
	if (flags & SL_GRE_KEY_FLAG)
		pb_bytes(pb, 4);
	if (flags & SL_GRE_SEQ_FLAG)
		pb_bytes(pb, 4);
}

static void b_gre_cks(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_GRE, 0);
	gre(pb, SL_GRE_CSUM_FLAG | SL_GRE_KEY_FLAG | SL_GRE_SEQ_FLAG, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	pb_udp(pb, 9, 10);
	pb_bytes(pb, 1);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_TUNNEL_GRE,
			     .inner_ptype = V4 | SL_PTYPE_L4_UDP,
			     .l2 = 14, .l3 = 20, .l4 = 0, .tunnel_len = 16,
			     .il2 = 0, .il3 = 20, .il4 = 8};
}

static void b_gre_teb(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_GRE, 1);
	gre(pb, SL_GRE_KEY_FLAG, SL_ETHER_TYPE_TEB);
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_TCP);
	pb_tcp(pb, 6);
	*e = (struct expect){.ptype = L2E | V4X | SL_PTYPE_TUNNEL_GRE,
			     .inner_ptype = L2E | V6 | SL_PTYPE_L4_TCP,
			     .l2 = 14, .l3 = 24, .l4 = 0, .tunnel_len = 8,
			     .il2 = 14, .il3 = 40, .il4 = 24};
}

static void b_gre_v6(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_GRE);
	gre(pb, 0, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_ICMPV6);
	pb_bytes(pb, 8);
	*e = (struct expect){.ptype = L2E | V6 | SL_PTYPE_TUNNEL_GRE,
			     .inner_ptype = V6 | SL_PTYPE_L4_ICMP,
			     .l2 = 14, .l3 = 40, .l4 = 0, .tunnel_len = 4,
			     .il2 = 0, .il3 = 40, .il4 = 4};
}

static void b_gre_mpls(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_GRE, 0);
	gre(pb, 0, 0x8847); /* MPLS: a tunnel we do not look into */
	pb_bytes(pb, 20);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_TUNNEL_GRE, .l2 = 14, .l3 = 20,
			     .tunnel_len = 4};
}

static void b_gre_v1(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_GRE, 0);
	gre(pb, SL_GRE_KEY_FLAG | 1, 0x880b); /* PPTP's enhanced GRE */
	pb_bytes(pb, 20);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_OTHER, .l2 = 14, .l3 = 20};
}

static void b_tunnel_in_tunnel(struct pb *pb, struct expect *e)
{
	/* VXLAN inside VXLAN: only the first level is followed */
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	pb_udp(pb, 1, SL_VXLAN_PORT);
	pb_bytes(pb, 8);
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	pb_udp(pb, 1, SL_VXLAN_PORT);
	pb_bytes(pb, 8 + 14);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_UDP | SL_PTYPE_TUNNEL_VXLAN,
			     .inner_ptype = L2E | V4 | SL_PTYPE_L4_UDP,
			     .l2 = 14, .l3 = 20, .l4 = 8, .tunnel_len = 8,
			     .il2 = 14, .il3 = 20, .il4 = 8};
}

static void b_lldp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, 0x88cc);
	pb_bytes(pb, 30);
	*e = (struct expect){.ptype = L2E, .l2 = 14, .l2_only = 1};
}

static void b_ipv4_ospf(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, 89, 0);
	pb_bytes(pb, 24);
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_OTHER, .l2 = 14, .l3 = 20};
}

static void b_ipv6_esp(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_ESP);
	pb_bytes(pb, 24);
	*e = (struct expect){.ptype = L2E | V6 | SL_PTYPE_L4_OTHER, .l2 = 14, .l3 = 40};
}

static void b_ipv6_nonext(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(pb, SL_IPPROTO_DSTOPTS);
	pb_ext(pb, SL_IPPROTO_NONE, 0);
	*e = (struct expect){.ptype = L2E | V6X, .l2 = 14, .l3 = 48};
}

static void b_padded(struct pb *pb, struct expect *e)
{
	pb_eth(pb, SL_ETHER_TYPE_IPV4);
	pb_ipv4(pb, SL_IPPROTO_UDP, 0);
	pb_udp(pb, 1, 2);
	pb_bytes(pb, 2);
	pb_finish(pb);
	pb->nfix = 0;
	pb_put(pb, 60 - pb->len); /* Ethernet minimum frame */
	*e = (struct expect){.ptype = L2E | V4 | SL_PTYPE_L4_UDP, .l2 = 14, .l3 = 20, .l4 = 8,
			     .padded = 1};
}

static const struct {
	const char *name;
	build_fn build;
} good[] = {
#define G(n) {#n, b_##n}
	G(ipv4_tcp), G(ipv4opt_udp), G(vlan_ipv4_icmp), G(qinq_ipv6_tcp), G(vlan8), G(arp),
	G(vlan_arp), G(ipv6_ext_udp), G(ipv6_frag_first), G(ipv6_frag_later),
	G(ipv6_atomic_frag), G(ipv4_frag_first), G(ipv4_frag_later), G(ipv4_df_udp),
	G(ipv4_sctp), G(ipv6_icmp6), G(vxlan), G(geneve_eth), G(geneve_ip), G(gre_cks),
	G(gre_teb), G(gre_v6), G(gre_mpls), G(gre_v1), G(tunnel_in_tunnel), G(lldp),
	G(ipv4_ospf), G(ipv6_esp), G(ipv6_nonext), G(padded),
#undef G
};

static void build(unsigned i, struct pb *pb, struct expect *e)
{
	memset(pb, 0, sizeof(*pb));
	good[i].build(pb, e);
	pb_finish(pb);
}

/*
 * With SL_NET_CORPUS_DIR set, writes each packet as a fuzzer input (one segmentation byte,
 * then the packet): this is how tests/fuzz/corpus/parse was made.
 */
static void corpus_dump(const char *kind, const char *name, const uint8_t *b, uint32_t len)
{
	const char *dir = getenv("SL_NET_CORPUS_DIR");
	char path[512], *c;
	uint8_t seg = (uint8_t)(strlen(name) * 13); /* some inputs one segment, some several */
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s-%s", dir, kind, name);
	for (c = path + strlen(dir) + 1; *c; c++)
		if (*c == ' ' || *c == '>' || *c == '<')
			*c = '_';
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	fwrite(&seg, 1, 1, f);
	fwrite(b, 1, len, f);
	fclose(f);
}

static uint32_t parse_bytes(const uint8_t *b, uint32_t len, struct sl_parse_result *r,
			    struct sl_pktbuf **keep)
{
	struct sl_pktbuf *p = pkt_make1(b, len);
	uint32_t t = sl_net_parse(p, r);

	if (keep)
		*keep = p;
	else
		pkt_free(p);
	return t;
}

/* Invariants of any result, valid or not. */
static void check_sane(const struct sl_parse_result *r, uint32_t len)
{
	assert_true(r->l3_off == r->l2_len);
	assert_true(r->l4_off == r->l2_len + r->l3_len);
	assert_true(r->reason < SL_PARSE_REASON_MAX);
	assert_true((r->reason != 0) == ((r->ptype & MAL) != 0));
	if (!(r->ptype & MAL)) {
		assert_true((uint32_t)r->l4_off + r->l4_len <= len);
		if (r->ptype & SL_PTYPE_TUNNEL_MASK) {
			assert_true(r->inner_off == r->tunnel_off + r->tunnel_len);
			assert_true((uint32_t)r->inner_l4_off + r->inner_l4_len <= len);
			assert_true(r->inner_l4_off == r->inner_l3_off + r->inner_l3_len);
			assert_true(r->inner_l3_off == r->inner_off + r->inner_l2_len);
		}
	}
}

static void test_good(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(good); i++) {
		struct pb pb;
		struct expect e;
		struct sl_parse_result r;
		struct sl_pktbuf *p;
		uint32_t t;
		char name[128];

		build(i, &pb, &e);
		corpus_dump("good", good[i].name, pb.b, pb.len);
		t = parse_bytes(pb.b, pb.len, &r, &p);
		sl_pktbuf_ptype_name(r.ptype, name, sizeof(name));
		if (t != e.ptype || r.ptype != e.ptype)
			fail_msg("%s: ptype %#x (%s, reason %s), want %#x", good[i].name, r.ptype, name,
				 sl_parse_reason_name(r.reason), e.ptype);
		if (r.inner_ptype != e.inner_ptype)
			fail_msg("%s: inner ptype %#x, want %#x", good[i].name, r.inner_ptype,
				 e.inner_ptype);
		if (r.l2_len != e.l2 || r.l3_len != e.l3 || r.l4_len != e.l4)
			fail_msg("%s: lengths %u/%u/%u, want %u/%u/%u", good[i].name, r.l2_len,
				 r.l3_len, r.l4_len, e.l2, e.l3, e.l4);
		if (r.tunnel_len != e.tunnel_len || r.inner_l2_len != e.il2 ||
		    r.inner_l3_len != e.il3 || r.inner_l4_len != e.il4)
			fail_msg("%s: tunnel %u inner %u/%u/%u, want %u inner %u/%u/%u", good[i].name,
				 r.tunnel_len, r.inner_l2_len, r.inner_l3_len, r.inner_l4_len,
				 e.tunnel_len, e.il2, e.il3, e.il4);
		check_sane(&r, pb.len);
		/* the packet buffer's fields */
		assert_int_equal(p->packet_type, r.ptype);
		if (r.ptype & SL_PTYPE_TUNNEL_MASK) {
			assert_int_equal(r.tunnel_off, r.l4_off + r.l4_len);
			assert_int_equal(p->outer_l2_len, e.l2);
			assert_int_equal(p->outer_l3_len, e.l3);
			assert_int_equal(p->l2_len, e.l4 + e.tunnel_len + e.il2);
			assert_int_equal(p->l3_len, e.il3);
			assert_int_equal(p->l4_len, e.il4);
		} else {
			assert_int_equal(p->l2_len, e.l2);
			assert_int_equal(p->l3_len, e.l3);
			assert_int_equal(p->l4_len, e.l4);
			assert_int_equal(p->outer_l2_len, 0);
			assert_int_equal(p->outer_l3_len, 0);
		}
		pkt_free(p);
	}
}

/* Same result whatever the segmentation: every single cut, and random multi-cuts. */
static void test_segments(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(good); i++) {
		struct pb pb;
		struct expect e;
		struct sl_parse_result r0, r;
		uint32_t cut;
		unsigned k;

		build(i, &pb, &e);
		parse_bytes(pb.b, pb.len, &r0, NULL);
		for (cut = 0; cut <= pb.len; cut++) {
			struct sl_pktbuf *p = pkt_make(pb.b, pb.len, &cut, 1);

			sl_net_parse(p, &r);
			pkt_free(p);
			if (memcmp(&r, &r0, sizeof(r)) != 0)
				fail_msg("%s: split at %u gives ptype %#x, whole %#x", good[i].name, cut,
					 r.ptype, r0.ptype);
		}
		for (k = 0; k < 300; k++) {
			struct sl_pktbuf *p = pkt_make_random(pb.b, pb.len, 12);

			sl_net_parse(p, &r);
			pkt_free(p);
			if (memcmp(&r, &r0, sizeof(r)) != 0)
				fail_msg("%s: a random split changes the result", good[i].name);
		}
	}
}

/* Truncated at every byte: never a crash or an over-read (ASan), and malformed unless what
 * is left is still a whole packet (an L2 we do not parse, or padding). */
static void test_truncation(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(good); i++) {
		struct pb pb;
		struct expect e;
		uint32_t len;

		build(i, &pb, &e);
		for (len = 0; len < pb.len; len++) {
			struct sl_parse_result r, r2;
			struct sl_pktbuf *p;

			parse_bytes(pb.b, len, &r, NULL);
			check_sane(&r, len);
			if (!(r.ptype & MAL) && !(e.l2_only && len >= 14) && !e.padded)
				fail_msg("%s: cut to %u bytes parses as %#x", good[i].name, len, r.ptype);
			p = pkt_make_random(pb.b, len, 6);
			sl_net_parse(p, &r2);
			pkt_free(p);
			assert_memory_equal(&r, &r2, sizeof(r));
		}
	}
}

/* --- malformed on purpose --- */

struct bad_case {
	const char *name;
	unsigned base;                    /* index in good[] */
	void (*mutate)(struct pb *pb);
	uint32_t ptype;                   /* expected, MALFORMED included */
	uint16_t reason;
};

static struct sl_ipv4_hdr *ip4_at(struct pb *pb, uint32_t off)
{
	return (struct sl_ipv4_hdr *)(pb->b + off);
}

static void m_ihl4(struct pb *pb) { ip4_at(pb, 14)->version_ihl = 0x44; }
static void m_ihl0(struct pb *pb) { ip4_at(pb, 14)->version_ihl = 0x40; }
static void m_ihl15(struct pb *pb) { ip4_at(pb, 14)->version_ihl = 0x4f; }
static void m_v4ver(struct pb *pb) { ip4_at(pb, 14)->version_ihl = 0x65; }
static void m_totlen_big(struct pb *pb)
{
	ip4_at(pb, 14)->total_length = sl_htons((uint16_t)(pb->len - 14 + 1));
}
static void m_totlen_small(struct pb *pb) { ip4_at(pb, 14)->total_length = sl_htons(19); }
static void m_v6ver(struct pb *pb) { pb->b[14] = 0x40; }
static void m_v6len(struct pb *pb)
{
	((struct sl_ipv6_hdr *)(pb->b + 14))->payload_len = sl_htons((uint16_t)(pb->len - 54 + 1));
}
/* ipv6_ext_udp: the routing header (second) claims 16 * 8 bytes more */
static void m_ext_overrun(struct pb *pb) { pb->b[14 + 40 + 8 + 1] = 16; }
static void m_ext_overrun_ah(struct pb *pb) { pb->b[14 + 40 + 8 + 16 + 8 + 1] = 200; }
static void m_tcp_doff4(struct pb *pb) { pb->b[14 + 20 + 12] = 0x40; }
static void m_tcp_doff0(struct pb *pb) { pb->b[14 + 20 + 12] = 0x00; }
static void m_tcp_doff15(struct pb *pb) { pb->b[14 + 20 + 12] = 0xf0; } /* 60 > 30 left */
static void m_udp_len7(struct pb *pb) { pb->b[14 + 32 + 4] = 0, pb->b[14 + 32 + 5] = 7; }
static void m_udp_len_big(struct pb *pb) { pb->b[14 + 32 + 4] = 0, pb->b[14 + 32 + 5] = 14; }
/* geneve_eth: options length 63 words */
static void m_geneve_opt(struct pb *pb) { pb->b[14 + 40 + 8] = 63; }
static void m_arp_addrs(struct pb *pb) { pb->b[14 + 4] = 200; } /* hln 200 */
static void m_vxlan_inner_ihl(struct pb *pb)
{
	ip4_at(pb, 14 + 20 + 8 + 8 + 14)->version_ihl = 0x43;
}
static void m_gre_flags(struct pb *pb)
{
	/* gre_v6 (4-byte GRE, then 48 bytes): claim C, K and S and cut the payload to 8 */
	pb->b[14 + 40] = 0xb0;
	pb->len = 14 + 40 + 8;
	((struct sl_ipv6_hdr *)(pb->b + 14))->payload_len = sl_htons(8);
}
static void m_vxlan_short(struct pb *pb)
{
	/* vxlan: keep 4 bytes of VXLAN header */
	pb->len = 14 + 20 + 8 + 4;
	ip4_at(pb, 14)->total_length = sl_htons(32);
	pb->b[14 + 20 + 4] = 0, pb->b[14 + 20 + 5] = 12;
}

static const struct bad_case bad[] = {
	{"ihl4", 0, m_ihl4, L2E | MAL, SL_PARSE_ERR_IPV4_IHL},
	{"ihl0", 0, m_ihl0, L2E | MAL, SL_PARSE_ERR_IPV4_IHL},
	{"ihl15", 14, m_ihl15, L2E | MAL, SL_PARSE_ERR_IPV4_TRUNC}, /* 60 > 48 left */
	{"ipv4 version", 0, m_v4ver, L2E | MAL, SL_PARSE_ERR_IPV4_VERSION},
	{"total_length > packet", 0, m_totlen_big, L2E | MAL, SL_PARSE_ERR_IPV4_LEN},
	{"total_length < ihl", 0, m_totlen_small, L2E | MAL, SL_PARSE_ERR_IPV4_LEN},
	{"ipv6 version", 15, m_v6ver, SL_PTYPE_L2_ETHER | MAL, SL_PARSE_ERR_IPV6_VERSION},
	{"ipv6 payload_len", 15, m_v6len, L2E | MAL, SL_PARSE_ERR_IPV6_LEN},
	{"ipv6 ext overrun", 7, m_ext_overrun, L2E | MAL, SL_PARSE_ERR_IPV6_EXT_LEN},
	{"ipv6 ah overrun", 7, m_ext_overrun_ah, L2E | MAL, SL_PARSE_ERR_IPV6_EXT_LEN},
	{"tcp doff 4", 0, m_tcp_doff4, L2E | V4 | SL_PTYPE_L4_TCP | MAL, SL_PARSE_ERR_TCP_DOFF},
	{"tcp doff 0", 0, m_tcp_doff0, L2E | V4 | SL_PTYPE_L4_TCP | MAL, SL_PARSE_ERR_TCP_DOFF},
	{"tcp doff 15", 0, m_tcp_doff15, L2E | V4 | SL_PTYPE_L4_TCP | MAL, SL_PARSE_ERR_TCP_DOFF},
	{"udp len 7", 1, m_udp_len7, L2E | V4X | SL_PTYPE_L4_UDP | MAL, SL_PARSE_ERR_UDP_LEN},
	{"udp len > ip", 1, m_udp_len_big, L2E | V4X | SL_PTYPE_L4_UDP | MAL, SL_PARSE_ERR_UDP_LEN},
	{"geneve opt len", 17, m_geneve_opt,
	 L2E | V6 | SL_PTYPE_L4_UDP | SL_PTYPE_TUNNEL_GENEVE | MAL, SL_PARSE_ERR_GENEVE_OPT_LEN},
	{"arp addresses", 5, m_arp_addrs, SL_PTYPE_L2_ETHER_ARP | MAL, SL_PARSE_ERR_ARP_TRUNC},
	{"vxlan inner ihl", 16, m_vxlan_inner_ihl,
	 L2E | V4 | SL_PTYPE_L4_UDP | SL_PTYPE_TUNNEL_VXLAN | MAL, SL_PARSE_ERR_IPV4_IHL},
	{"gre flags overrun", 21, m_gre_flags, L2E | V6 | SL_PTYPE_TUNNEL_GRE | MAL,
	 SL_PARSE_ERR_TUNNEL_TRUNC},
	{"vxlan short", 16, m_vxlan_short, L2E | V4 | SL_PTYPE_L4_UDP | MAL,
	 SL_PARSE_ERR_TUNNEL_TRUNC},
};

static void test_bad(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		struct pb pb;
		struct expect e;
		struct sl_parse_result r;
		unsigned k;

		build(bad[i].base, &pb, &e);
		bad[i].mutate(&pb);
		corpus_dump("bad", bad[i].name, pb.b, pb.len);
		parse_bytes(pb.b, pb.len, &r, NULL);
		check_sane(&r, pb.len);
		if (r.ptype != bad[i].ptype || r.reason != bad[i].reason)
			fail_msg("%s: ptype %#x reason %s, want %#x %s", bad[i].name, r.ptype,
				 sl_parse_reason_name(r.reason), bad[i].ptype,
				 sl_parse_reason_name(bad[i].reason));
		for (k = 0; k < 50; k++) {
			struct sl_parse_result r2;
			struct sl_pktbuf *p = pkt_make_random(pb.b, pb.len, 8);

			sl_net_parse(p, &r2);
			pkt_free(p);
			assert_memory_equal(&r, &r2, sizeof(r));
		}
	}
}

static void test_vlan_depth(void **state)
{
	struct pb pb;
	struct sl_parse_result r;
	int i;

	(void)state;
	/* one tag more than allowed */
	memset(&pb, 0, sizeof(pb));
	pb_eth(&pb, SL_ETHER_TYPE_VLAN);
	for (i = 0; i < SL_PARSE_MAX_VLANS; i++)
		pb_vlan(&pb, 1, SL_ETHER_TYPE_VLAN);
	pb_vlan(&pb, 1, SL_ETHER_TYPE_IPV4);
	pb_ipv4(&pb, SL_IPPROTO_UDP, 0);
	pb_udp(&pb, 1, 2);
	pb_finish(&pb);
	corpus_dump("bad", "vlan-too-many", pb.b, pb.len);
	parse_bytes(pb.b, pb.len, &r, NULL);
	assert_int_equal(r.ptype, SL_PTYPE_L2_ETHER_QINQ | MAL);
	assert_int_equal(r.reason, SL_PARSE_ERR_VLAN_DEPTH);
	/* a packet that is nothing but tags */
	memset(&pb, 0, sizeof(pb));
	pb_put(&pb, 12);
	for (i = 0; i < 500; i++)
		pb_vlan(&pb, SL_ETHER_TYPE_VLAN, SL_ETHER_TYPE_VLAN);
	corpus_dump("bad", "vlan-endless", pb.b, 200);
	parse_bytes(pb.b, pb.len, &r, NULL);
	assert_int_equal(r.reason, SL_PARSE_ERR_VLAN_DEPTH);
	/* tags running to the end of the packet */
	parse_bytes(pb.b, 12 + 4 * 5, &r, NULL);
	assert_int_equal(r.reason, SL_PARSE_ERR_L2_TRUNC);
}

static void test_ext_depth(void **state)
{
	struct pb pb;
	struct sl_parse_result r;
	int i, n;

	(void)state;
	for (n = SL_PARSE_MAX_IPV6_EXT; n <= SL_PARSE_MAX_IPV6_EXT + 1; n++) {
		memset(&pb, 0, sizeof(pb));
		pb_eth(&pb, SL_ETHER_TYPE_IPV6);
		pb_ipv6(&pb, SL_IPPROTO_DSTOPTS);
		for (i = 0; i < n - 1; i++)
			pb_ext(&pb, SL_IPPROTO_DSTOPTS, 0);
		pb_ext(&pb, SL_IPPROTO_UDP, 0);
		pb_udp(&pb, 1, 2);
		pb_finish(&pb);
		corpus_dump("ext", n == SL_PARSE_MAX_IPV6_EXT ? "max" : "too-many", pb.b, pb.len);
		parse_bytes(pb.b, pb.len, &r, NULL);
		if (n == SL_PARSE_MAX_IPV6_EXT) {
			assert_int_equal(r.ptype, L2E | V6X | SL_PTYPE_L4_UDP);
			assert_int_equal(r.l3_len, 40 + 8 * n);
		} else {
			assert_int_equal(r.ptype, L2E | MAL);
			assert_int_equal(r.reason, SL_PARSE_ERR_IPV6_EXT_DEPTH);
		}
	}
	/* a chain that loops on itself forever (every header says "hop-by-hop next") */
	memset(&pb, 0, sizeof(pb));
	pb_eth(&pb, SL_ETHER_TYPE_IPV6);
	pb_ipv6(&pb, SL_IPPROTO_HOPOPTS);
	for (i = 0; i < 100; i++)
		pb_ext(&pb, SL_IPPROTO_HOPOPTS, 0);
	pb_finish(&pb);
	corpus_dump("bad", "ext-loop", pb.b, pb.len);
	parse_bytes(pb.b, pb.len, &r, NULL);
	assert_int_equal(r.reason, SL_PARSE_ERR_IPV6_EXT_DEPTH);
}

/* Broken packet buffers: a chain shorter than pkt_len, a first segment longer than it. */
static void test_bad_chain(void **state)
{
	struct pb pb;
	struct expect e;
	struct sl_parse_result r;
	struct sl_pktbuf *p;
	uint32_t cut;

	(void)state;
	build(16, &pb, &e); /* vxlan */
	for (cut = 0; cut < 90; cut += 3) { /* the last header byte read is at 97 */
		p = pkt_make(pb.b, pb.len, &cut, 1);
		pkt_free(p->next);
		p->next = NULL; /* nb_segs and pkt_len still claim the whole packet */
		sl_net_parse(p, &r);
		assert_true(r.ptype & MAL);
		pkt_free(p);
	}
	/* nb_segs smaller than the chain: the walk stops at nb_segs */
	{
		uint32_t cuts[2] = {20, 40};

		p = pkt_make(pb.b, pb.len, cuts, 2);
		p->nb_segs = 2;
		sl_net_parse(p, &r);
		assert_true(r.ptype & MAL);
		pkt_free(p);
	}
	/* pkt_len shorter than data_len: pkt_len wins */
	p = pkt_make1(pb.b, pb.len);
	p->pkt_len = 40;
	sl_net_parse(p, &r);
	assert_int_equal(r.ptype, L2E | MAL);
	assert_int_equal(r.reason, SL_PARSE_ERR_IPV4_LEN);
	pkt_free(p);
}

/* Random mutations of the good packets: invariants hold, segmentation never matters. */
static void test_mutations(void **state)
{
	unsigned iter, malformed = 0;

	(void)state;
	for (iter = 0; iter < 40000; iter++) {
		struct pb pb;
		struct expect e;
		struct sl_parse_result r, r2;
		struct sl_pktbuf *p;
		unsigned k, flips = 1 + (unsigned)(rnd() % 4);

		build((unsigned)(rnd() % SL_ARRAY_SIZE(good)), &pb, &e);
		for (k = 0; k < flips; k++)
			pb.b[rnd() % pb.len] = (uint8_t)rnd();
		if (rnd() & 1)
			pb.len = (uint32_t)(rnd() % (pb.len + 1));
		parse_bytes(pb.b, pb.len, &r, NULL);
		check_sane(&r, pb.len);
		malformed += !!(r.ptype & MAL);
		p = pkt_make_random(pb.b, pb.len, 10);
		sl_net_parse(p, &r2);
		pkt_free(p);
		assert_memory_equal(&r, &r2, sizeof(r));
	}
	assert_true(malformed > 1000 && malformed < 40000);
}

static void test_reason_names(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < SL_PARSE_REASON_MAX; i++)
		assert_string_not_equal(sl_parse_reason_name(i), "?");
	assert_string_equal(sl_parse_reason_name(SL_PARSE_ERR_IPV4_IHL), "ipv4-ihl");
	assert_string_equal(sl_parse_reason_name(SL_PARSE_REASON_MAX), "?");
}

int run_parse_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_vlan_depth),
		cmocka_unit_test(test_ext_depth),
		cmocka_unit_test(test_bad_chain),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("net_parse", tests, NULL, NULL);
}
