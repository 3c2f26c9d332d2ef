/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-router: an IPv4/IPv6 router built as a node graph (docs/router.md).
 *
 * Threads.  Each worker lcore walks its own graph: port rx sources (one per port, the
 * worker's queue), an inject source (packets the control thread sends), the nodes of
 * nodes_eth.c, nodes_ip4.c and nodes_ip6.c, and port tx.  The main lcore is the control
 * thread: the control socket (lib/ctl), ARP and neighbour discovery, hold queues and
 * timers.  It is the only writer of every table below; workers only read, lock-free, and
 * call sl_rcu_quiescent() once per walk, so a writer frees what it unlinked only after
 * every worker has passed a walk (lib/rcu).
 *
 * Tables read by workers:
 *   ifaces[port]   interface state: MAC, MTU, up, addresses (swapped whole through RCU)
 *   rt4, rt6       lib/lpm: prefix -> next-hop id
 *   nh[id]         next hops: own address, neighbour (IP, port, MAC, state), connected
 *                  subnet, blackhole, reject, ECMP group
 * Packets a worker cannot finish (ARP, NDP, a next hop still resolving) are punted to
 * the control thread on one multi-producer ring; the control thread sends packets back
 * through a ring per worker, each tagged with where it enters the graph.
 */
#ifndef SL_ROUTER_H
#define SL_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_graph.h"
#include "sl_lpm.h"
#include "sl_lpm6.h"
#include "sl_memory.h"
#include "sl_net.h"
#include "sl_pktbuf.h"
#include "sl_port.h"
#include "sl_rcu.h"
#include "sl_ring.h"

#define RT_MAX_WORKERS 16
#define RT_MAX_ADDRS 8	     /* addresses per family per interface */
#define RT_NH_MAX (1u << 20) /* next-hop ids (LPM values) */
#define RT_ECMP_MAX 16	     /* members of an ECMP group */
#define RT_ECMP_GROUPS 4096  /* ECMP groups */
#define RT_HOLD_MAX 16	     /* packets held per resolving neighbour */
#define RT_ARP_RETRIES 3     /* requests sent before a neighbour fails */
#define RT_ARP_RETRY_MS 1000

/* --- per-packet metadata, in the packet buffer's udata64 --- */
struct rt_meta {
	uint32_t nh;	/* next-hop id chosen by lookup */
	uint16_t iface; /* input interface (port) */
	uint8_t flags;	/* RT_M_* */
	uint8_t why;	/* punt reason (RT_PUNT_*) or ICMP error kind (RT_ICMP_*) */
};
_Static_assert(sizeof(struct rt_meta) == sizeof(uint64_t), "metadata fits udata64");

#define RT_M_LOCAL_ORIGIN 0x1 /* built by the router (ICMP): no TTL decrement, no error */
#define RT_M_ERROR 0x2	      /* an ICMP error the router built (never answer it) */
#define RT_M_L2_GROUP 0x8     /* (eth_input) came to a group (multicast/broadcast) MAC */

static inline struct rt_meta *rt_meta(struct sl_pktbuf *p)
{
	return (struct rt_meta *)&p->udata64;
}

/* Punt reasons (meta.why of a punted packet; data starts at the Ethernet header for
 * RT_PUNT_ARP/NDP, at the IP header for RT_PUNT_RESOLVE*). */
enum {
	RT_PUNT_ARP = 1,  /* an ARP packet for the control plane */
	RT_PUNT_NDP,	  /* an ICMPv6 neighbour discovery packet */
	RT_PUNT_RESOLVE4, /* IPv4 packet whose next hop (meta.nh) has no MAC yet */
	RT_PUNT_RESOLVE6, /* IPv6 likewise */
};

/* ICMP errors (meta.why of a packet sent to ip4_icmp_error / ip6_icmp_error). */
enum {
	RT_ICMP_TTL = 1,      /* time exceeded in transit / hop limit exceeded */
	RT_ICMP_NET_UNREACH,  /* no route (v6: no route to destination) */
	RT_ICMP_HOST_UNREACH, /* reject route, or the neighbour did not answer */
	RT_ICMP_PORT_UNREACH, /* UDP to one of the router's own addresses */
	RT_ICMP_FRAG_NEEDED,  /* DF set and bigger than the egress MTU (v6: packet too big) */
};

/* Where an injected packet enters the graph (meta.why of a packet on an inject ring). */
enum {
	RT_INJ_TX = 1,	   /* a complete frame, p->port set: straight to port_tx */
	RT_INJ_IP4_OUTPUT, /* IPv4 at data, meta.nh resolved now: to ip4_rewrite */
	RT_INJ_IP6_OUTPUT, /* IPv6 likewise: to ip6_rewrite */
	RT_INJ_IP4_ERROR,  /* IPv4 at data, meta.flags RT_M_HOST_UNREACH: ip4_icmp_error */
	RT_INJ_IP6_ERROR,  /* IPv6 likewise */
};
/* rt_inject() stores the entry in meta.why, so an injected error's kind cannot travel
 * there: the error nodes take RT_M_HOST_UNREACH (the only error injected) from flags. */
#define RT_M_HOST_UNREACH 0x4 /* (inject) the error to send is host unreachable */

/* --- interfaces (one per port) --- */
struct rt_addr4 {
	uint32_t ip; /* host order */
	uint8_t len;
};
struct rt_addr6 {
	uint8_t ip[16];
	uint8_t len;
};

/* What workers read of an interface: replaced whole (RCU) when anything changes. */
struct rt_iface {
	struct sl_ether_addr mac;
	uint16_t port;
	uint16_t mtu;
	bool up;
	uint8_t nb_addr4, nb_addr6;
	struct rt_addr4 addr4[RT_MAX_ADDRS];
	struct rt_addr6 addr6[RT_MAX_ADDRS]; /* addr6[0] is the link-local fe80::/64 one */
};

/* --- next hops --- */
enum rt_nh_type {
	RT_NH_FREE = 0,
	RT_NH_LOCAL,	 /* one of the router's own addresses */
	RT_NH_NEIGH,	 /* a neighbour: an IP on a port, resolved to a MAC */
	RT_NH_CONNECTED, /* a subnet on a port: the destination itself is the neighbour */
	RT_NH_BLACKHOLE, /* drop silently (counted) */
	RT_NH_REJECT,	 /* drop with ICMP unreachable */
	RT_NH_GROUP,	 /* ECMP: members[] by flow hash */
};

enum rt_nh_state {
	RT_NS_NONE = 0,
	RT_NS_INCOMPLETE, /* resolving: packets punted and held */
	RT_NS_REACHABLE,  /* MAC known */
	RT_NS_FAILED,	  /* did not answer: packets get host unreachable */
	RT_NS_STATIC,	  /* configured MAC */
};

/* A next hop, one cache line.  The control thread writes it; workers read it.  `link`
 * (MAC and state) is one 64-bit word written atomically, so a worker never sees a MAC
 * of one state with another; the other fields are set before the id is published in
 * a route and do not change while it is. */
struct rt_nh {
	uint64_t link;	     /* (control) atomic: MAC in bits 0-47, state in bits 48-55 */
	uint8_t type;	     /* enum rt_nh_type */
	uint8_t family;	     /* 4 or 6 */
	uint16_t port;	     /* output port (NEIGH, CONNECTED) */
	uint16_t nb_members; /* GROUP */
	uint16_t refs;	     /* (control) routes and groups using it */
	uint32_t ip4;	     /* NEIGH: the neighbour's address, host order */
	uint8_t ip6[16];     /* NEIGH (v6) */
	uint32_t slot;	     /* GROUP: its member list is rt.ecmp[slot * RT_ECMP_MAX ..] */
} SL_CACHE_ALIGNED;

/* Byte i of the MAC is bits 8i..8i+7 of link, so on a little-endian CPU the word's first
 * six bytes in memory are the MAC in order (ip4_rewrite stores the word as it is). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "link words are little-endian");

static inline uint64_t rt_link_make(const struct sl_ether_addr *mac, unsigned state)
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v |= (uint64_t)mac->bytes[i] << (8 * i);
	return v | (uint64_t)state << 48;
}

static inline unsigned rt_link_state(uint64_t link)
{
	return (unsigned)(link >> 48) & 0xff;
}

/* Writes the MAC of link into the Ethernet destination (6 bytes). */
static inline void rt_link_mac(uint64_t link, uint8_t *dst)
{
	for (int i = 0; i < 6; i++)
		dst[i] = (uint8_t)(link >> (8 * i));
}

/* --- the router --- */
struct rt_worker {
	unsigned lcore;
	unsigned index; /* tx queue and rx queue of every port */
	struct sl_graph *graph;
	struct sl_ring *inject; /* control -> this worker */
};

struct rt_drop_counters; /* control-plane counters, control.c */

struct router {
	/* read by workers */
	struct rt_iface *ifaces[SL_PORT_MAX]; /* (control) atomic pointers; NULL = no port */
	struct sl_lpm *rt4;
	struct sl_lpm6 *rt6;
	struct rt_nh *nh;     /* RT_NH_MAX entries */
	uint32_t *ecmp;	      /* ECMP members: RT_ECMP_GROUPS lists of RT_ECMP_MAX */
	struct sl_ring *punt; /* workers -> control (MP/SC) */
	struct sl_rcu *rcu;
	struct sl_pool *pool;
	uint32_t icmp_rate; /* ICMP errors per second per worker (0 = no limit) */

	/* control only */
	unsigned nb_workers;
	struct rt_worker workers[RT_MAX_WORKERS];
	struct rt_ctl *ctl; /* control.c's state: neighbours, hold queues, counters */
	bool quit;	    /* atomic: set by a signal or a failed start, read by every loop */
};

extern struct router rt;

/* Next-hop ids with fixed meanings. */
#define RT_NH_ID_NONE 0	     /* LPM miss value: no route */
#define RT_NH_ID_BLACKHOLE 1 /* shared by every blackhole route */
#define RT_NH_ID_REJECT 2    /* shared by every reject route */

static inline const struct rt_iface *rt_iface(uint16_t port)
{
	return port < SL_PORT_MAX ? __atomic_load_n(&rt.ifaces[port], __ATOMIC_ACQUIRE) : NULL;
}

/* ECMP member for a flow hash. */
static inline uint32_t rt_nh_member(const struct rt_nh *g, uint32_t id, uint32_t hash)
{
	(void)id;
	return rt.ecmp[(size_t)g->slot * RT_ECMP_MAX + hash % g->nb_members];
}

/* Name of a next-hop kind (enum rt_nh_type): "neighbour", "connected"... */
const char *rt_nh_kind(unsigned type);
/* The lookup nodes' trace text (nodes_ip4.c). */
int rt_lookup_trace(const struct sl_graph_node *node, const struct sl_pktbuf *p, char *buf,
		    size_t len);

/* Flow hash of an IPv4/IPv6 packet for ECMP (the RSS hash when the port gave one). */
uint32_t rt_flow_hash4(const struct sl_pktbuf *p, const struct sl_ipv4_hdr *ip);
uint32_t rt_flow_hash6(const struct sl_pktbuf *p, const struct sl_ipv6_hdr *ip6);

/* ICMP error rate limit, a token bucket per worker (an error node's ctx): rt.icmp_rate
 * errors per second with a burst of as many.  Tokens are in TSC-cycle units. */
struct rt_icmp_bucket {
	uint64_t last, tokens, hz;
};
_Static_assert(sizeof(struct rt_icmp_bucket) <= SL_GRAPH_CTX_SIZE, "bucket fits a node ctx");
bool rt_icmp_allow(struct rt_icmp_bucket *b);

/* --- control plane (control thread only: control.c, neigh.c, arp.c, ndp.c) --- */

/* Control-plane counters (events and drops that happen off the graph), registered once
 * by each file and listed by `stats`; `drop` ones count lost packets. */
struct rt_cstat {
	const char *name; /* "arp_unsolicited_reply" */
	const char *help;
	bool drop;	/* counts packets lost (part of "drops by reason") */
	uint64_t value; /* (control) */
};
void rt_cstat_register(struct rt_cstat *stats, unsigned n);
/* Calls fn for every registered counter. */
void rt_cstat_foreach(void (*fn)(const struct rt_cstat *c, void *arg), void *arg);

int rt_control_init(void);
/* One pass of the control loop: punted packets, timers, RCU reclaim. */
void rt_control_poll(void);

/* Sends p into worker 0's graph at `where` (RT_INJ_*; for RT_INJ_TX p->port is the output
 * port and data a complete frame).  Returns 0, or -ENOBUFS with p freed and counted. */
int rt_inject(struct sl_pktbuf *p, unsigned where);
/* A new packet from the router's pool for the control thread to fill, or NULL (counted). */
struct sl_pktbuf *rt_pkt_alloc(void);

/* Interfaces: the one of a port (NULL if none) and whether ip is one of its addresses
 * (any port when port is SL_PKTBUF_PORT_NONE). */
bool rt_own4(uint16_t port, uint32_t ip);
bool rt_own6(uint16_t port, const uint8_t ip[16]);
/* The source address to use on port: its first address of the family (v6: a global one
 * when it has one, else its link-local), false when it has none. */
bool rt_src4(uint16_t port, uint32_t *ip);
bool rt_src6(uint16_t port, uint8_t ip[16]);

/* Neighbours (neigh.c), both families; ip is uint32_t (host order) or uint8_t[16]. */
/* The neighbour next hop of ip on port, created INCOMPLETE when create is true and none
 * exists.  Returns its id, or 0 (none, or the table is full: counted). */
uint32_t rt_neigh_get(int family, const void *ip, uint16_t port, bool create);
/* A neighbour told us its MAC (ARP request/reply, NS with a source link-layer option, NA).
 * `confirmed` is true for answers to our requests (ARP reply, solicited NA): those create
 * an entry only if one is waiting (an unsolicited one is counted and ignored), others
 * update an existing entry.  Installs the host route when it hangs under a subnet, and
 * releases the packets held for it.  Returns 0 or -ENOENT (ignored). */
int rt_neigh_learn(int family, const void *ip, uint16_t port, const struct sl_ether_addr *mac,
		   bool confirmed);

/* ARP (arp.c): a punted ARP frame, and a request for nh (v4). */
void rt_arp_input(struct sl_pktbuf *p);
void rt_arp_request(uint32_t nh);
/* Neighbour discovery (ndp.c): a punted NDP frame (data at the Ethernet header), and a
 * neighbour solicitation for nh (v6) on its port. */
void rt_ndp_input(struct sl_pktbuf *p);
void rt_ndp_solicit(uint32_t nh);

/* Neighbour discovery (RFC 4861): message types beside NS/NA, the hop limit every message
 * carries, option types (length in 8-byte units, never 0), the NS/NA size without options. */
#define ND_ROUTER_SOLICIT 133
#define ND_ROUTER_ADVERT 134
#define ND_REDIRECT 137
#define ND_HOP_LIMIT 255
#define ND_OPT_SRC_LLADDR 1
#define ND_OPT_TGT_LLADDR 2
#define ND_NS_NA_MIN 24

/* NA flags (the first byte of the word after the checksum). */
#define RT_NDP_NA_ROUTER 0x80
#define RT_NDP_NA_SOLICITED 0x40
#define RT_NDP_NA_OVERRIDE 0x20

/* A neighbour discovery message as rt_ndp__parse() found it. */
struct rt_ndp_msg {
	uint8_t type;	    /* 133 RS, 134 RA, 135 NS, 136 NA, 137 redirect */
	uint8_t na_flags;   /* NA: RT_NDP_NA_* */
	bool has_lladdr;    /* lladdr holds the source (RS, RA, NS) or target (NA, redirect)
			    * link-layer address option */
	uint8_t src[16];    /* IPv6 source (:: for duplicate address detection) */
	uint8_t dst[16];    /* IPv6 destination */
	uint8_t target[16]; /* NS, NA, redirect */
	struct sl_ether_addr eth_src, eth_dst;
	struct sl_ether_addr lladdr;
};

/*
 * Checks a frame (data at the Ethernet header, len bytes) as RFC 4861 says a node must
 * before it acts on it, and fills out.  Returns 0, or -EBADMSG (not an NDP message, or
 * an invalid one: out is then undefined).  Reads only the frame: no router state.
 */
int rt_ndp__parse(const uint8_t *frame, unsigned len, struct rt_ndp_msg *out);

#endif
