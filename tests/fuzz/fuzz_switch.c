/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for sluice-switch's data path (app/switch/fwd.c, compiled in as it is).
 *
 * The switch runs in-process on real ports: six switch ports in two bridges, five net_ring
 * ports each wired to a peer port the harness drives (it sends into the switch port's rx
 * ring through the peer and reads what the switch sent from the peer's rx), and one
 * net_null port (no-rx=1) that swallows what it is given.  Two PMD workers poll them
 * (worker 0 ports 0, 2, 4; worker 1 ports 1, 3 and the null port), each with its own tx
 * queue on every port; output rings are small (64 slots) and the pool is small (320
 * buffers), so full tx rings (tx_full) and flood copies without a buffer (copy_nombuf)
 * happen.  The globals main.c provides (struct sw sw) are defined here; the port
 * configurations are the harness's, changed between polls the way cmds.c's sw_pconf_set()
 * does (or without its flush: a worker that learned through the old configuration after
 * the flush).  The switch's tx_offloads ask for VLAN insertion, which net_ring lacks: the
 * port layer's software stage puts the tags on, as it does for af_packet.
 *
 * Input: 6 header bytes, one per switch port (its configuration, below), then records.
 *   configuration byte: bit 0 trunk (else access), bit 1 bridge 1 (else 0), bits 2-4 the
 *     VLAN (access) or native VLAN (trunk) from {1, 2, 3, 10, 4094, none, 1, 2} (none on
 *     an access port is 3), bits 5-7 a trunk's VLANs from {}, {1,2}, {2,3}, 1-4094,
 *     {10,4094}, {1,2,3,10,4094}, {3}, {2,10}
 *   record c < 0x80, a frame into ring port c & 7 (mod 5):
 *     bits 3-5 the shape: 0 untagged; 1 802.1Q (2 bytes TCI follow); 2 802.1ad 0x88a8
 *       outer + 802.1Q inner (2 + 2 bytes); 3 two 802.1Q tags (2 + 2); 4 the driver took
 *       the tag off (SL_PKT_RX_VLAN_STRIPPED, 2 bytes vlan_tci); 5 stripped, and another
 *       802.1Q tag in the data (2 + 2); 6 a truncated tag (0x8100 and 0 to 3 more bytes,
 *       one byte says how many); 7 raw bytes (1 byte length n <= 255, n bytes: the whole
 *       frame, odd lengths and runts included)
 *     shapes 0-6: 1 byte destination and 1 byte source MAC (byte & 0x80: a special one:
 *       broadcast, IPv4 and IPv6 multicast, all-zero, 01:80:c2:00:00:00, ff:..:fe, a
 *       locally administered unicast, or (0xff) 6 bytes that follow; else the unicast
 *       02:00:00:00:00:(byte & 31)), the tag bytes, 1 byte payload length; bit 6 of c
 *       makes it long (payload x 16) and a chain of 2 segments split where the next byte
 *       says.  Shapes 0-5 end with an 8-byte stamp (a per-process nonce and the frame's
 *       number) and are at least 30 bytes long.
 *   record c >= 0x80, an event by c & 0xf0:
 *     0x80 worker c & 1 polls once          0x90 both poll, every peer is drained
 *     0xa0 peer c % 5 is drained            0xb0 the clock moves 1 + (c & 7) s, FDBs age (2 s)
 *     0xc0 port c % 6 gets the next byte's configuration (its FDB entries flushed)
 *     0xd0 the same without the flush       0xe0 every FDB is flushed
 *     0xf0 the last frame again 4 * (c & 15) + 1 times (fills rings and the pool)
 * At the end both workers poll and the peers are drained until nothing moves.
 *
 * Checked (a message and __builtin_trap() on failure), after every poll: the identities of
 * switch.h (rx == forwarded + flooded + ingress drops, outputs == sent + tx_full +
 * copy_nombuf); rx equals the frames the harness put in the polled rings (in order, at
 * most SW_BURST per ring); the drops by reason that depend only on the frame and the
 * input port (runt, bad_vid, vlan_not_on_port, untagged_on_trunk, src_multicast) equal
 * those of a model of docs/switch.md's rules, and the others (forwarded, flooded,
 * same_port, no_output) add up to the frames the model switches.  For every frame a peer
 * receives: a well-formed chain, not a group source MAC; a stamped one came in on another
 * port of the same bridge, carries its VLAN, reached that port once, and has exactly the
 * bytes it should: the input frame without its 802.1Q tag for an access port or the
 * native VLAN, with a tag of the frame's VLAN (its PCP/DEI kept) otherwise.  At the end:
 * frames received by the peers plus those the null port took == sent, every ring is
 * empty and the pool has every buffer back (no leak, no double free: the pool library
 * checks).
 *
 * Found by it: a priority-tagged frame (802.1Q, VID 0) going out of a trunk port whose
 * native VLAN is not the frame's VLAN keeps its VID 0 tag (output() leaves a tag that is in
 * the data as it is), so the next switch puts it in its native VLAN (a VLAN leak; corpus
 * bug_priority_tag_to_trunk, kept as a seed); output() now writes the frame's VLAN into a
 * tag it keeps.  SWITCH_FUZZ_LOG=1 shows the libraries' log lines; SWITCH_FUZZ_STATS=1 prints, at
 * exit, the switch's counters summed over every input run (what a corpus reaches:
 * `fuzz_switch -runs=0 DIR` with it set).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_fdb.h"
#include "sl_log.h"
#include "sl_net.h"
#include "sl_port.h"
#include "sl_port_driver.h"
#include "sl_ring.h"
#include "switch.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_switch: line %d: check failed: %s\n", __LINE__, #c); \
			__builtin_trap();                                                          \
		}                                                                                  \
	} while (0)

/* --- what main.c and the build provide --- */

struct sw sw;

extern const struct sl_port_driver sl_port_driver_ring, sl_port_driver_null;
const struct sl_port_driver *const sl_port_drivers[] = {&sl_port_driver_ring, &sl_port_driver_null,
							NULL};

/* --- the rig --- */

#define NRING 5		/* switch ports with a peer */
#define NSW (NRING + 1) /* and the null port */
#define RING_SLOTS 64	/* every ring */
#define POOL_BUFS 320
#define MAX_FRAMES 1024 /* frames per input */
#define FRAME_MAX 4200	/* bytes of the longest frame made */
#define STAMP_LEN 8
#define MIN_STAMPED 30
#define STAMPED_OUT_MIN 26 /* an output this long ends as its input did (the tag is at 12) */

static uint16_t swp[NSW];    /* switch port ids: rings 0-4, null 5 */
static uint16_t peer[NRING]; /* the harness's end of each ring port */
static struct sw_pconf conf[NSW];
static uint8_t nonce[4];
static struct sw_wstats grand; /* SWITCH_FUZZ_STATS: every input's counters */

static const uint16_t vid_table[8] = {1, 2, 3, 10, 4094, SW_VID_NONE, 1, 2};

static void set_allowed(struct sw_pconf *c, unsigned set)
{
	static const uint16_t sets[8][6] = {
		{0}, {1, 2}, {2, 3}, {0}, {10, 4094}, {1, 2, 3, 10, 4094}, {3}, {2, 10},
	};

	memset(c->allowed, 0, sizeof(c->allowed));
	if (set == 3) {
		for (unsigned v = 1; v <= 4094; v++)
			c->allowed[v >> 6] |= 1ull << (v & 63);
		return;
	}
	for (unsigned i = 0; i < 6 && sets[set][i]; i++)
		c->allowed[sets[set][i] >> 6] |= 1ull << (sets[set][i] & 63);
}

static void conf_from_byte(struct sw_pconf *c, uint8_t b)
{
	c->mode = (b & 1) ? SW_TRUNK : SW_ACCESS;
	c->bridge = (b >> 1) & 1;
	c->vid = vid_table[(b >> 2) & 7];
	if (c->mode == SW_ACCESS) {
		if (c->vid == SW_VID_NONE)
			c->vid = 3;
		memset(c->allowed, 0, sizeof(c->allowed));
	} else {
		set_allowed(c, b >> 5);
	}
}

static void start_port(uint16_t id, uint16_t nrxq, uint16_t ntxq, uint64_t tx_offloads)
{
	struct sl_port_conf pc = {.nb_rxq = nrxq, .nb_txq = ntxq, .tx_offloads = tx_offloads};

	CHECK(sl_port_configure(id, &pc) == 0);
	for (uint16_t q = 0; q < nrxq; q++)
		CHECK(sl_port_rxq_setup(id, q, 0, SL_NODE_ANY, sw.pool) == 0);
	for (uint16_t q = 0; q < ntxq; q++)
		CHECK(sl_port_txq_setup(id, q, 0, SL_NODE_ANY) == 0);
	CHECK(sl_port_start(id) == 0);
}

static void quiet(const struct sl_log_type *type, int level, const char *line, void *arg)
{
	(void)type, (void)level, (void)line, (void)arg;
}

static void stats_print(void)
{
	fprintf(stderr,
		"fuzz_switch: over all inputs: rx %llu forwarded %llu flooded %llu outputs %llu "
		"sent %llu learn_full %llu moves %llu\n",
		(unsigned long long)grand.rx, (unsigned long long)grand.forwarded,
		(unsigned long long)grand.flooded, (unsigned long long)grand.outputs,
		(unsigned long long)grand.sent, (unsigned long long)grand.learn_full,
		(unsigned long long)grand.moves);
	for (unsigned d = 0; d < SW_DROP_N; d++)
		fprintf(stderr, "fuzz_switch:   %-18s %llu\n", sw_drop_names[d],
			(unsigned long long)grand.drops[d]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dev[128], name[32];
	uint32_t seed = (uint32_t)time(NULL) ^ (uint32_t)getpid() * 2654435761u;
	int id;

	(void)argc, (void)argv;
	if (!getenv("SWITCH_FUZZ_LOG"))
		sl_log_set_sink(quiet, NULL);
	if (getenv("SWITCH_FUZZ_STATS") && atoi(getenv("SWITCH_FUZZ_STATS")))
		atexit(stats_print);
	/* bytes that no frame compares against: a raw frame holding them is refused */
	for (int i = 0; i < 4; i++)
		nonce[i] = (uint8_t)(0xa0 | ((seed >> (8 * i)) & 0x1f));
	sw.pool = sl_pktbuf_pool_create("fz_sw", POOL_BUFS, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE,
					SL_NODE_ANY);
	CHECK(sw.pool != NULL);
	for (unsigned b = 0; b < 2; b++) {
		/* bridge 0 holds 16 addresses (2 buckets: it fills up), bridge 1 64 */
		struct sl_fdb_config fc = {.name = b ? "fz_br1" : "fz_br0",
					   .capacity = b ? 64 : 16,
					   .node = SL_NODE_ANY};

		snprintf(sw.bridges[b].name, sizeof(sw.bridges[b].name), "br%u", b);
		sw.bridges[b].fdb = sl_fdb_create(&fc);
		CHECK(sw.bridges[b].fdb != NULL);
	}
	sw.nb_workers = 2;
	sw.aging = 2;
	sw.fdb_size = 16;
	for (unsigned w = 0; w < 2; w++) {
		sw.workers[w].index = w;
		sw.workers[w].lcore = w;
	}
	for (unsigned i = 0; i < NRING; i++) {
		/* the switch's two tx queues (one per worker) write one multi-producer ring */
		snprintf(name, sizeof(name), "fzo%u", i);
		CHECK(sl_ring_create(name, RING_SLOTS, SL_NODE_ANY, 0) != NULL);
		snprintf(dev, sizeof(dev), "net_ring%u,rx=fzi%u,tx=fzo%u:fzo%u,size=%u", i, i, i, i,
			 RING_SLOTS);
		id = sl_port_create(dev);
		CHECK(id >= 0);
		swp[i] = (uint16_t)id;
		start_port(swp[i], 1, 2, SL_PKT_TX_VLAN);
	}
	id = sl_port_create("net_null5,no-rx=1");
	CHECK(id >= 0);
	swp[NRING] = (uint16_t)id;
	start_port(swp[NRING], 1, 2, SL_PKT_TX_VLAN);
	for (unsigned i = 0; i < NRING; i++) {
		snprintf(dev, sizeof(dev), "net_ring%u,rx=fzo%u,tx=fzi%u,size=%u", 10 + i, i, i,
			 RING_SLOTS);
		id = sl_port_create(dev);
		CHECK(id >= 0);
		peer[i] = (uint16_t)id;
		start_port(peer[i], 1, 1, 0);
	}
	for (unsigned i = 0; i < NSW; i++) {
		struct sw_worker *w = &sw.workers[i % 2];

		w->rxq[w->nb_rxq++] = (struct sw_rxq){swp[i], 0};
	}
	return 0;
}

/* --- the model --- */

enum fate { F_QUEUED, F_SWITCHED, F_DROPPED };

struct frame {
	uint8_t bytes[FRAME_MAX];
	uint16_t len, split; /* split: where a chain's second segment starts (0: none) */
	uint16_t first;	     /* bytes in the first segment, as injected */
	uint8_t in;	     /* ring port index */
	bool stripped, stamped;
	uint16_t stci; /* vlan_tci when stripped */
	/* set when polled */
	uint8_t fate;
	bool data_tag;	   /* the 802.1Q tag at 12 is the frame's VLAN */
	uint16_t vid, tci; /* its VLAN; the tag it leaves a trunk with */
	uint16_t bridge;
	uint16_t tag_in_data; /* the TCI of the data tag (data_tag) */
	uint8_t may_reach;    /* bit per switch port index: same bridge, carries vid, not in */
	uint8_t tagged_on;    /* bit per switch port index: leaves it tagged */
	uint8_t reached;      /* bit per switch port index: it came out there */
};

static struct frame frames[MAX_FRAMES];
static unsigned nframes;
static uint16_t fifo[NRING][MAX_FRAMES]; /* frames waiting in each switch port's rx ring */
static unsigned fifo_head[NRING], fifo_tail[NRING];
static uint64_t exp_drop[SW_DROP_INGRESS_N], exp_switched, exp_rx, drained, null_base;

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* What fwd.c's rules (docs/switch.md) make of frame f arriving on a port configured c. */
static void classify(struct frame *f, const struct sw_pconf *c)
{
	unsigned first = f->first;
	uint16_t tci;

	f->data_tag = false;
	if (first < 14)
		goto runt;
	if (f->stripped) {
		tci = f->stci;
	} else if (rd16(f->bytes + 12) == SL_ETHER_TYPE_VLAN) {
		if (first < 18)
			goto runt;
		tci = rd16(f->bytes + 14);
		f->data_tag = true;
		f->tag_in_data = tci;
	} else {
		tci = 0;
	}
	if ((tci & 0xfff) == 0) {
		if (c->vid == SW_VID_NONE) {
			exp_drop[SW_DROP_UNTAGGED]++;
			goto dropped;
		}
		tci = (uint16_t)((tci & 0xf000) | c->vid);
	} else if ((tci & 0xfff) == 0xfff) {
		exp_drop[SW_DROP_BAD_VID]++;
		goto dropped;
	} else if (!sw_carries(c, tci & 0xfff)) {
		exp_drop[SW_DROP_VLAN]++;
		goto dropped;
	}
	if (f->bytes[6] & 1) {
		exp_drop[SW_DROP_SRC_MULTICAST]++;
		goto dropped;
	}
	f->fate = F_SWITCHED;
	f->vid = tci & 0xfff;
	f->tci = tci;
	f->bridge = c->bridge;
	/* what the ports are now, while the worker switches it (outputs are read later,
	 * maybe after a reconfiguration) */
	f->may_reach = f->tagged_on = 0;
	for (unsigned k = 0; k < NSW; k++) {
		const struct sw_pconf *oc = &conf[k];

		if (k != f->in && oc->bridge == c->bridge && sw_carries(oc, f->vid))
			f->may_reach |= (uint8_t)(1u << k);
		if (oc->mode == SW_TRUNK && f->vid != oc->vid)
			f->tagged_on |= (uint8_t)(1u << k);
	}
	exp_switched++;
	return;
runt:
	exp_drop[SW_DROP_RUNT]++;
dropped:
	f->fate = F_DROPPED;
}

static void stats_total(struct sw_wstats *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned w = 0; w < sw.nb_workers; w++) {
		const struct sw_wstats *s = &sw.workers[w].st;

		t->rx += s->rx;
		t->forwarded += s->forwarded;
		t->flooded += s->flooded;
		t->outputs += s->outputs;
		t->sent += s->sent;
		t->learn_full += s->learn_full;
		t->moves += s->moves;
		for (unsigned d = 0; d < SW_DROP_N; d++)
			t->drops[d] += s->drops[d];
	}
}

static void check_counts(void)
{
	struct sw_wstats t;
	uint64_t in_drops = 0;

	for (unsigned w = 0; w < sw.nb_workers; w++) {
		const struct sw_wstats *s = &sw.workers[w].st;
		uint64_t d = 0;

		for (unsigned k = 0; k < SW_DROP_INGRESS_N; k++)
			d += s->drops[k];
		CHECK(s->rx == s->forwarded + s->flooded + d);
		CHECK(s->outputs ==
		      s->sent + s->drops[SW_DROP_TX_FULL] + s->drops[SW_DROP_COPY_NOMBUF]);
	}
	stats_total(&t);
	for (unsigned k = 0; k < SW_DROP_INGRESS_N; k++)
		in_drops += t.drops[k];
	CHECK(t.rx == exp_rx);
	CHECK(t.drops[SW_DROP_RUNT] == exp_drop[SW_DROP_RUNT]);
	CHECK(t.drops[SW_DROP_SRC_MULTICAST] == exp_drop[SW_DROP_SRC_MULTICAST]);
	CHECK(t.drops[SW_DROP_BAD_VID] == exp_drop[SW_DROP_BAD_VID]);
	CHECK(t.drops[SW_DROP_VLAN] == exp_drop[SW_DROP_VLAN]);
	CHECK(t.drops[SW_DROP_UNTAGGED] == exp_drop[SW_DROP_UNTAGGED]);
	CHECK(t.forwarded + t.flooded + t.drops[SW_DROP_SAME_PORT] + t.drops[SW_DROP_NO_OUTPUT] ==
	      exp_switched);
	(void)in_drops;
}

static void poll_worker(unsigned wi)
{
	struct sw_worker *w = &sw.workers[wi];

	/* the rings it polls, in its order, give up to SW_BURST frames each */
	for (unsigned q = 0; q < w->nb_rxq; q++) {
		unsigned i = 0;

		while (i < NRING && swp[i] != w->rxq[q].port)
			i++;
		if (i == NRING)
			continue; /* the null port: nothing to receive */
		for (unsigned n = 0; n < SW_BURST && fifo_head[i] != fifo_tail[i]; n++) {
			struct frame *f = &frames[fifo[i][fifo_head[i]++]];

			exp_rx++;
			classify(f, sw.pconf[swp[i]]);
		}
	}
	sw_worker_poll(w);
	check_counts();
}

/* The expected bytes of switched frame f leaving through port k. */
static unsigned expected(const struct frame *f, unsigned k, uint8_t *out)
{
	bool want_tag = f->tagged_on >> k & 1;
	unsigned n = 0, rest = f->data_tag ? 16 : 12;
	uint16_t tci = f->tci;

	memcpy(out, f->bytes, 12);
	n = 12;
	if (want_tag) {
		out[n++] = 0x81;
		out[n++] = 0x00;
		out[n++] = (uint8_t)(tci >> 8);
		out[n++] = (uint8_t)tci;
	}
	memcpy(out + n, f->bytes + rest, f->len - rest);
	return n + f->len - rest;
}

static void check_output(unsigned k, struct sl_pktbuf *p)
{
	static uint8_t got[FRAME_MAX + 8], want[FRAME_MAX + 8];
	unsigned len = 0, segs = 0;
	uint32_t id;
	struct frame *f;

	CHECK(p->pool == sw.pool && p->nb_segs >= 1);
	for (struct sl_pktbuf *s = p; s; s = s->next) {
		CHECK(len + s->data_len <= sizeof(got));
		memcpy(got + len, sl_pktbuf_mtod(s, const uint8_t *), s->data_len);
		len += s->data_len;
		segs++;
	}
	CHECK(segs == p->nb_segs && len == p->pkt_len);
	CHECK(len >= 14);
	CHECK(!(got[6] & 1)); /* never a group source */
	if (len < STAMPED_OUT_MIN || memcmp(got + len - STAMP_LEN, nonce, 4) != 0)
		return;
	memcpy(&id, got + len - 4, 4);
	CHECK(id < nframes);
	f = &frames[id];
	CHECK(f->stamped && f->fate == F_SWITCHED);
	/* never back out of its port, into another bridge or another VLAN */
	CHECK(f->may_reach >> k & 1);
	CHECK(!(f->reached >> k & 1)); /* once per port */
	f->reached |= (uint8_t)(1u << k);
	if (len == expected(f, k, want) && memcmp(got, want, len) == 0)
		return;
	fprintf(stderr,
		"fuzz_switch: frame %u (in port %u, vid %u, %s) out of port %u (%s) is %u bytes, "
		"want %u\n",
		id, f->in, f->vid, f->data_tag ? "tag in the data" : "no tag in the data", k,
		f->tagged_on >> k & 1 ? "tagged" : "untagged", len, expected(f, k, want));
	CHECK(!"the output frame has the bytes it should");
}

static unsigned drain(unsigned k)
{
	struct sl_pktbuf *pkts[SW_BURST];
	unsigned total = 0;
	uint16_t n;

	while ((n = sl_port_rx_burst(peer[k], 0, pkts, SW_BURST)) > 0) {
		for (uint16_t i = 0; i < n; i++)
			check_output(k, pkts[i]);
		sl_pktbuf_free_bulk(pkts, n);
		total += n;
	}
	drained += total;
	return total;
}

/* --- making frames --- */

struct input {
	const uint8_t *p;
	size_t left;
};

static bool take(struct input *in, void *out, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

static bool mac_sel(struct input *in, uint8_t *mac)
{
	static const uint8_t special[7][6] = {
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
		{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
		{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe},
		{0x06, 0x00, 0x00, 0x00, 0x00, 0x01},
	};
	uint8_t b;

	if (!take(in, &b, 1))
		return false;
	if (b == 0xff)
		return take(in, mac, 6);
	if (b & 0x80) {
		memcpy(mac, special[b % 7], 6);
		return true;
	}
	memcpy(mac, (uint8_t[]){0x02, 0, 0, 0, 0, (uint8_t)(b & 31)}, 6);
	return true;
}

static bool put16(uint8_t *f, unsigned *n, uint16_t v)
{
	f[(*n)++] = (uint8_t)(v >> 8);
	f[(*n)++] = (uint8_t)v;
	return true;
}

/* Parses one frame record (c already read) into frames[nframes]; false at the end. */
static bool make_frame(struct input *in, uint8_t c, struct frame *f)
{
	unsigned shape = (c >> 3) & 7, n = 0;
	bool lng = c & 0x40;
	uint8_t b[4], plen;

	f->len = f->split = f->stci = 0;
	f->stripped = f->stamped = false;
	f->in = (uint8_t)((c & 7) % NRING);
	if (shape == 7) {
		if (!take(in, &plen, 1) || !take(in, f->bytes, plen))
			return false;
		f->len = plen;
		/* no raw frame may pass for a stamped one */
		for (unsigned i = 0; i + 4 <= f->len; i++)
			if (memcmp(f->bytes + i, nonce, 4) == 0)
				f->bytes[i] ^= 0x40;
		return true;
	}
	if (!mac_sel(in, f->bytes) || !mac_sel(in, f->bytes + 6))
		return false;
	n = 12;
	switch (shape) {
	case 1:
		if (!take(in, b, 2))
			return false;
		put16(f->bytes, &n, SL_ETHER_TYPE_VLAN);
		put16(f->bytes, &n, rd16(b));
		break;
	case 2:
	case 3:
		if (!take(in, b, 4))
			return false;
		put16(f->bytes, &n, shape == 2 ? 0x88a8 : SL_ETHER_TYPE_VLAN);
		put16(f->bytes, &n, rd16(b));
		put16(f->bytes, &n, SL_ETHER_TYPE_VLAN);
		put16(f->bytes, &n, rd16(b + 2));
		break;
	case 4:
		if (!take(in, b, 2))
			return false;
		f->stripped = true;
		f->stci = rd16(b);
		break;
	case 5:
		if (!take(in, b, 4))
			return false;
		f->stripped = true;
		f->stci = rd16(b);
		put16(f->bytes, &n, SL_ETHER_TYPE_VLAN);
		put16(f->bytes, &n, rd16(b + 2));
		break;
	case 6:
		if (!take(in, b, 1))
			return false;
		put16(f->bytes, &n, SL_ETHER_TYPE_VLAN);
		for (unsigned i = 0; i < b[0] % 4u; i++)
			f->bytes[n++] = (uint8_t)(0x10 + i);
		f->len = (uint16_t)n;
		return true;
	default:
		break;
	}
	if (!take(in, &plen, 1))
		return false;
	put16(f->bytes, &n, 0x88b5); /* the IEEE local experimental EtherType */
	{
		unsigned pl = lng ? plen * 16u : plen;

		if (n + pl + STAMP_LEN > FRAME_MAX)
			pl = FRAME_MAX - n - STAMP_LEN;
		for (unsigned i = 0; i < pl; i++)
			f->bytes[n++] = (uint8_t)(i * 7 + 1);
	}
	while (n + STAMP_LEN < MIN_STAMPED)
		f->bytes[n++] = 0;
	memcpy(f->bytes + n, nonce, 4);
	memcpy(f->bytes + n + 4, &(uint32_t){nframes}, 4);
	n += STAMP_LEN;
	f->len = (uint16_t)n;
	f->stamped = true;
	if (lng) {
		if (!take(in, b, 1))
			return false;
		f->split = (uint16_t)(1 + b[0] * (n - 1) / 256u);
	}
	return true;
}

/* Puts frame f into its switch port's rx ring through the peer; false when it did not go
 * (no buffer, the ring full): then it is forgotten. */
static bool inject(struct frame *f, uint32_t id)
{
	struct sl_pktbuf *p = sl_pktbuf_alloc(sw.pool), *last = p;
	unsigned first = f->split ? f->split : f->len;

	if (p == NULL)
		return false;
	if (f->stamped)
		memcpy(f->bytes + f->len - 4, &id, 4);
	if (sl_pktbuf_copy_in(p, &last, sw.pool, f->bytes, first) < 0)
		goto free;
	if (f->split) {
		/* a second segment from its own buffer, whatever room the first has left */
		struct sl_pktbuf *s = sl_pktbuf_alloc(sw.pool), *slast = s;

		if (s == NULL)
			goto free;
		if (sl_pktbuf_copy_in(s, &slast, sw.pool, f->bytes + first, f->len - first) < 0 ||
		    sl_pktbuf_chain(p, s) < 0) {
			sl_pktbuf_free(s);
			goto free;
		}
	}
	f->first = p->data_len; /* copy_in chains past a buffer's room too */
	if (f->stripped) {
		p->ol_flags |= SL_PKT_RX_VLAN | SL_PKT_RX_VLAN_STRIPPED;
		p->vlan_tci = f->stci;
	}
	if (sl_port_tx_burst(peer[f->in], 0, &p, 1) == 1)
		return true;
free:
	sl_pktbuf_free(p);
	return false;
}

static void add_frame(const struct frame *tmpl)
{
	struct frame *f = &frames[nframes];

	if (nframes == MAX_FRAMES)
		return;
	if (f != tmpl)
		memcpy(f, tmpl, sizeof(*f));
	f->fate = F_QUEUED;
	f->reached = 0;
	if (!inject(f, nframes))
		return;
	fifo[f->in][fifo_tail[f->in]++] = (uint16_t)nframes;
	nframes++;
}

static void reconfigure(unsigned k, uint8_t b, bool flush)
{
	struct sw_pconf old = conf[k];

	conf_from_byte(&conf[k], b);
	if (flush)
		sl_fdb_flush(sw.bridges[old.bridge].fdb, -1, swp[k]);
}

static void drain_all(void)
{
	for (unsigned k = 0; k < NRING; k++)
		drain(k);
}

static uint64_t null_sent(void)
{
	struct sl_port_stats st;

	CHECK(sl_port_stats(swp[NRING], &st) == 0);
	return st.opackets;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	uint8_t hdr[NSW], c, b;
	struct sw_wstats t;
	int last = -1;

	if (!take(&in, hdr, sizeof(hdr)))
		return 0;
	/* a fresh switch: empty FDBs, zero counters, the clock at 1 */
	for (unsigned br = 0; br < 2; br++)
		sl_fdb_flush(sw.bridges[br].fdb, -1, -1);
	for (unsigned w = 0; w < sw.nb_workers; w++)
		memset(&sw.workers[w].st, 0, sizeof(sw.workers[w].st));
	memset(exp_drop, 0, sizeof(exp_drop));
	exp_switched = exp_rx = drained = 0;
	memset(fifo_head, 0, sizeof(fifo_head));
	memset(fifo_tail, 0, sizeof(fifo_tail));
	nframes = 0;
	sw.now = 1;
	null_base = null_sent();
	for (unsigned k = 0; k < NSW; k++) {
		conf_from_byte(&conf[k], hdr[k]);
		sw.pconf[swp[k]] = &conf[k];
	}

	while (take(&in, &c, 1)) {
		if (c < 0x80) {
			if (nframes == MAX_FRAMES || !make_frame(&in, c, &frames[nframes]))
				break;
			last = (int)nframes;
			add_frame(&frames[nframes]);
			if (last == (int)nframes)
				last = -1; /* it did not go in */
			continue;
		}
		switch (c & 0xf0) {
		case 0x80:
			poll_worker(c & 1);
			break;
		case 0x90:
			poll_worker(0);
			poll_worker(1);
			drain_all();
			break;
		case 0xa0:
			drain(c % NRING);
			break;
		case 0xb0:
			sw.now += 1 + (c & 7);
			for (unsigned br = 0; br < 2; br++)
				CHECK(sl_fdb_age(sw.bridges[br].fdb, sw.now, sw.aging) >= 0);
			break;
		case 0xc0:
		case 0xd0:
			if (!take(&in, &b, 1))
				goto end;
			reconfigure(c % NSW, b, (c & 0xf0) == 0xc0);
			break;
		case 0xe0:
			for (unsigned br = 0; br < 2; br++)
				sl_fdb_flush(sw.bridges[br].fdb, -1, -1);
			break;
		default: /* 0xf0 */
			if (last < 0)
				break;
			for (unsigned r = 0; r < 4u * (c & 15) + 1 && nframes < MAX_FRAMES; r++) {
				frames[nframes] = frames[last];
				add_frame(&frames[nframes]);
			}
			break;
		}
	}
end:
	/* everything through: poll and drain until the rings are empty */
	for (unsigned round = 0; round < MAX_FRAMES; round++) {
		bool left = false;

		poll_worker(0);
		poll_worker(1);
		drain_all();
		for (unsigned i = 0; i < NRING; i++)
			left |= fifo_head[i] != fifo_tail[i];
		if (!left)
			break;
	}
	for (unsigned i = 0; i < NRING; i++) {
		struct sl_pktbuf *p;

		CHECK(fifo_head[i] == fifo_tail[i]);
		CHECK(sl_port_rx_burst(swp[i], 0, &p, 1) == 0);
		CHECK(sl_port_rx_burst(peer[i], 0, &p, 1) == 0);
	}
	for (unsigned i = 0; i < nframes; i++)
		CHECK(frames[i].fate != F_QUEUED);
	stats_total(&t);
	CHECK(t.sent == drained + null_sent() - null_base);
	CHECK(sl_pool_in_use(sw.pool) == 0);
	grand.rx += t.rx;
	grand.forwarded += t.forwarded;
	grand.flooded += t.flooded;
	grand.outputs += t.outputs;
	grand.sent += t.sent;
	grand.learn_full += t.learn_full;
	grand.moves += t.moves;
	for (unsigned d = 0; d < SW_DROP_N; d++)
		grand.drops[d] += t.drops[d];
	for (unsigned k = 0; k < NSW; k++)
		sw.pconf[swp[k]] = NULL;
	return 0;
}
