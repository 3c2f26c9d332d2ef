/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tap_responder DEVSTR IP SECONDS: opens a net_tap port and answers ARP requests and ICMP
 * echo requests for IP until SECONDS pass or SIGTERM/SIGINT arrives, then prints what it
 * did on one line and exits 0.  tests/integ/tap_ping.sh pings it from the kernel.
 *
 *   tap_responder net_tap0,iface=sltp1 10.99.1.2 30
 *   -> "ready sltp1 02:..:..", later "arp_replies=1 echo_replies=5 ignored=0 dropped=0"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_cksum.h"
#include "sl_net.h"
#include "sl_port.h"

#define BURST 32

struct responder {
	uint16_t port;
	uint32_t ip;       /* network order */
	uint8_t mac[6];
	uint64_t arp_replies, echo_replies, ignored, dropped;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Turns an ARP request for our address into the reply, in place.  True if it did. */
static bool arp_answer(struct responder *r, struct sl_pktbuf *p)
{
	struct sl_ether_hdr *eth = sl_pktbuf_mtod(p, struct sl_ether_hdr *);
	struct sl_arp_hdr *arp = (struct sl_arp_hdr *)(eth + 1);

	if (p->data_len < sizeof(*eth) + sizeof(*arp) ||
	    arp->hrd != sl_htons(SL_ARP_HRD_ETHER) || arp->pro != sl_htons(SL_ETHER_TYPE_IPV4) ||
	    arp->op != sl_htons(SL_ARP_OP_REQUEST) || arp->data.tip != r->ip)
		return false;
	arp->op = sl_htons(SL_ARP_OP_REPLY);
	arp->data.tha = arp->data.sha;
	arp->data.tip = arp->data.sip;
	memcpy(arp->data.sha.bytes, r->mac, 6);
	arp->data.sip = r->ip;
	eth->dst = eth->src;
	memcpy(eth->src.bytes, r->mac, 6);
	/* Keep just the ARP message (drop any padding). */
	p->data_len = p->pkt_len = (uint32_t)(sizeof(*eth) + sizeof(*arp));
	r->arp_replies++;
	return true;
}

/* Turns an ICMP echo request to our address into the reply, in place.  True if it did. */
static bool echo_answer(struct responder *r, struct sl_pktbuf *p)
{
	struct sl_ether_hdr *eth = sl_pktbuf_mtod(p, struct sl_ether_hdr *);
	struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)(eth + 1);
	struct sl_icmp_hdr *icmp;
	unsigned ihl, total;
	uint32_t a;

	if (p->data_len < sizeof(*eth) + SL_IPV4_HDR_LEN || (ip->version_ihl >> 4) != 4 ||
	    ip->next_proto_id != SL_IPPROTO_ICMP || ip->dst_addr != r->ip ||
	    sl_ipv4_is_fragment(ip))
		return false;
	ihl = sl_ipv4_hdr_len(ip);
	total = sl_ntohs(ip->total_length);
	if (ihl < SL_IPV4_HDR_LEN || total < ihl + sizeof(*icmp) ||
	    sizeof(*eth) + total > p->data_len)
		return false;
	icmp = (struct sl_icmp_hdr *)((uint8_t *)ip + ihl);
	if (icmp->icmp_type != SL_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return false;
	icmp->icmp_type = SL_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = sl_cksum(icmp, total - ihl);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = sl_ipv4_cksum(ip);
	eth->dst = eth->src;
	memcpy(eth->src.bytes, r->mac, 6);
	p->data_len = p->pkt_len = (uint32_t)(sizeof(*eth) + total);
	r->echo_replies++;
	return true;
}

static void serve(struct responder *r, unsigned seconds)
{
	struct timespec start, now, nap = {.tv_nsec = 200000};
	struct sl_pktbuf *pkts[BURST], *out[BURST];

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!stop) {
		uint16_t n = sl_port_rx_burst(r->port, 0, pkts, BURST), nout = 0, sent;

		for (uint16_t i = 0; i < n; i++) {
			struct sl_pktbuf *p = pkts[i];
			const struct sl_ether_hdr *eth =
				sl_pktbuf_mtod(p, const struct sl_ether_hdr *);
			bool answered = false;

			if (p->nb_segs == 1 && eth->ether_type == sl_htons(SL_ETHER_TYPE_ARP))
				answered = arp_answer(r, p);
			else if (p->nb_segs == 1 && eth->ether_type == sl_htons(SL_ETHER_TYPE_IPV4))
				answered = echo_answer(r, p);
			if (answered) {
				out[nout++] = p;
			} else {
				r->ignored++;
				sl_pktbuf_free(p);
			}
		}
		sent = sl_port_tx_burst(r->port, 0, out, nout);
		if (sent < nout) {
			r->dropped += nout - sent;
			sl_pktbuf_free_bulk(out + sent, nout - sent);
		}
		if (n == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= (time_t)seconds)
				break;
			nanosleep(&nap, NULL);
		}
	}
}

int main(int argc, char **argv)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct responder r = {0};
	struct sl_port_info info;
	struct sl_pool *pool;
	struct in_addr addr;
	char *end;
	unsigned long seconds;
	int id, rc = 1;

	if (argc != 4 || inet_pton(AF_INET, argv[2], &addr) != 1 ||
	    (seconds = strtoul(argv[3], &end, 10)) == 0 || *end != '\0') {
		fprintf(stderr, "usage: %s DEVSTR IPV4 SECONDS (e.g. net_tap0,iface=sltp0 10.99.1.2 30)\n",
			argv[0]);
		return 2;
	}
	r.ip = addr.s_addr;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pool = sl_pktbuf_pool_create("responder", 512, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, -1);
	if (pool == NULL) {
		fprintf(stderr, "cannot create the packet pool: %s\n", strerror(errno));
		return 1;
	}
	id = sl_port_create(argv[1]);
	if (id < 0) {
		fprintf(stderr, "cannot create port %s: %s\n", argv[1], strerror(-id));
		goto free_pool;
	}
	r.port = (uint16_t)id;
	if (sl_port_configure(r.port, &conf) < 0 || sl_port_rxq_setup(r.port, 0, 0, -1, pool) < 0 ||
	    sl_port_txq_setup(r.port, 0, 0, -1) < 0 || sl_port_start(r.port) < 0) {
		fprintf(stderr, "cannot start port %s\n", argv[1]);
		goto close_port;
	}
	sl_port_mac(r.port, r.mac);
	sl_port_info(r.port, &info);
	printf("ready %s %02x:%02x:%02x:%02x:%02x:%02x\n", info.if_name, r.mac[0], r.mac[1],
	       r.mac[2], r.mac[3], r.mac[4], r.mac[5]);
	fflush(stdout);
	serve(&r, (unsigned)seconds);
	printf("arp_replies=%llu echo_replies=%llu ignored=%llu dropped=%llu\n",
	       (unsigned long long)r.arp_replies, (unsigned long long)r.echo_replies,
	       (unsigned long long)r.ignored, (unsigned long long)r.dropped);
	fflush(stdout);
	rc = 0;
close_port:
	sl_port_close(r.port);
free_pool:
	sl_pool_free(pool);
	return rc;
}
