/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pcap: a port that reads packets from a pcap file or a live interface and writes
 * them to a pcap file or a live interface, through libpcap.
 *
 *   net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap   replay a file, record what is sent
 *   net_pcap0,rx_pcap=in.pcap,infinite_rx=1      loop the file forever (held in memory)
 *   net_pcap0,rx_pcap=in.pcap,timing=1           deliver at the file's inter-packet gaps
 *   net_pcap0,iface=veth0                        rx and tx on a live interface
 *   net_pcap0,rx_iface=eth0,tx_pcap=out.pcap     capture an interface into a file
 *
 * One rx and one tx queue.  Files written are nanosecond pcap (magic a1b23c4d), Ethernet
 * link type.  Received packets carry their capture time in pktbuf.timestamp (nanoseconds
 * since the Unix epoch, SL_PKT_RX_TIMESTAMP).  Packets larger than one buffer of the pool
 * arrive as segment chains.  See docs/drivers/pcap.md.
 *
 * The data path makes no syscall per packet on files (libpcap reads and writes through
 * stdio buffers); a live interface costs one poll per rx burst and one send per packet
 * (libpcap has no batched send).
 */
#include <errno.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sl_cycles.h"
#include "sl_port_driver.h"

/* Largest packet read or written (libpcap's own ceiling). */
#define SNAPLEN 262144
/* Kernel ring of a live rx capture: room for a few hundred packets between bursts. */
#define RX_RING_BYTES (16u << 20)
/* Smallest data room per buffer we accept: bounds the segments of a chain. */
#define MIN_SEG_ROOM 64

SL_LOG_TYPE_DEFINE(net_pcap)

/* One packet of a file held in memory (infinite_rx). */
struct mem_rec {
	uint64_t ts;     /* nanoseconds since the epoch */
	uint32_t caplen; /* bytes stored */
	size_t off;      /* where they start in pcap_mem.data */
};

/* The whole rx file, read once at probe; read-only afterwards. */
struct pcap_mem {
	uint8_t *data;
	struct mem_rec *recs;
	unsigned n;
	uint64_t period; /* added to timestamps on each loop: span + mean gap (>= 1 us) */
};

/* A packet about to be delivered: from libpcap's buffer or from pcap_mem. */
struct rec {
	uint64_t ts;
	uint32_t caplen;
	const uint8_t *data;
};

struct pcap_rxq {
	struct sl_port_qstats st; /* (data path) errors: the read errors */
	/* (data path) the driver's own counters, read by the control thread */
	uint64_t read_errors, loops;
	uint64_t eof; /* (data path) 1 once rx is over: a state, never reset */
	/* read-only while started */
	pcap_t *pcap;              /* streamed file or live handle; NULL with mem */
	const struct pcap_mem *mem; /* infinite_rx */
	struct sl_pool *pool;
	uint16_t port;
	bool timing;
	bool live;
	uint32_t ts_mult;          /* live: 1 for ns timestamps, 1000 for us */
	const char *port_name;
	const char *source;        /* file path or interface, for logs */
	/* (data path) state */
	bool done;                 /* end of file or read error: rx returns 0 from now on */
	bool pending;              /* cur read from the source but not delivered yet */
	bool clock_set;
	bool error_logged;
	struct rec cur;
	unsigned next;             /* mem: next record */
	uint64_t loop_offset;      /* mem: ns added to this loop's timestamps */
	uint64_t wall0, file0;     /* timing: clock and file time of the first packet */
	uint64_t delivered;        /* packets delivered since setup (for the EOF log line) */
	struct sl_pktbuf **cb_pkts; /* live: where the pcap_dispatch callback stores */
	uint16_t cb_n;
	uint64_t drops_base;       /* (control) kernel drops at the last reset */
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct pcap_rxq, st);

struct pcap_txq {
	struct sl_port_qstats st; /* (data path) errors: send_errors + no_sink */
	/* (data path) the driver's own counters */
	uint64_t send_errors, busy, no_sink;
	/* read-only while started */
	pcap_dumper_t *dumper;     /* file */
	pcap_t *pcap;              /* live */
	const char *port_name;
	const char *sink;
	uint8_t *scratch;          /* SNAPLEN bytes: multi-segment packets are copied here */
	/* (data path) */
	bool error_logged;
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct pcap_txq, st);

/* The driver's own per-queue counters; rx_q0_file_eof is a state, in pcap_xstats(). */
static const struct sl_port_qxstat pcap_rxq_xstats[] = {
	SL_PORT_QXSTAT_NAMED("file_loops", struct pcap_rxq, loops),
	SL_PORT_QXSTAT(struct pcap_rxq, read_errors),
	{NULL, 0},
};

static const struct sl_port_qxstat pcap_txq_xstats[] = {
	SL_PORT_QXSTAT(struct pcap_txq, send_errors),
	/* live: the kernel queue was full; left with the caller, not taken */
	SL_PORT_QXSTAT_NAMED("send_busy", struct pcap_txq, busy),
	SL_PORT_QXSTAT_NAMED("no_sink_drops", struct pcap_txq, no_sink),
	{NULL, 0},
};

struct pcap_port {
	char name[SL_PORT_NAME_SIZE];
	char rx_pcap[256], tx_pcap[256], rx_iface[IF_NAMESIZE], tx_iface[IF_NAMESIZE];
	bool infinite_rx, timing;
	struct pcap_mem mem;       /* infinite_rx */
	pcap_t *rx_live, *tx_live; /* live handles, opened at probe */
	pcap_t *dead;              /* tx_pcap: the handle the dumper writes for */
	pcap_dumper_t *dumper;
};

/* --- copying packets in and out --- */

/* A chain of buffers from pool holding len bytes of data, or NULL (pool empty). */
static struct sl_pktbuf *copy_in(struct sl_pool *pool, const uint8_t *data, uint32_t len)
{
	struct sl_pktbuf *head = sl_pktbuf_alloc(pool), *seg = head;
	uint32_t off = 0;

	if (sl_unlikely(head == NULL))
		return NULL;
	for (;;) {
		uint16_t room = sl_pktbuf_tailroom(seg);
		uint16_t chunk = (uint16_t)SL_MIN((uint32_t)room, len - off);

		memcpy(sl_pktbuf_mtod(seg, uint8_t *), data + off, chunk);
		seg->data_len = chunk;
		off += chunk;
		if (sl_likely(off == len))
			break;
		seg->next = sl_pktbuf_alloc(pool);
		if (sl_unlikely(seg->next == NULL)) {
			sl_pktbuf_free(head);
			return NULL;
		}
		seg = seg->next;
		head->nb_segs++;
	}
	head->pkt_len = len;
	return head;
}

/* The first len bytes of p, contiguous: in the buffer, or copied into scratch. */
static const uint8_t *linear(struct sl_pktbuf *p, uint8_t *scratch, uint32_t len)
{
	uint32_t off = 0;

	if (sl_likely(p->data_len >= len))
		return sl_pktbuf_mtod(p, const uint8_t *);
	for (struct sl_pktbuf *s = p; s && off < len; s = s->next) {
		uint32_t chunk = SL_MIN((uint32_t)s->data_len, len - off);

		memcpy(scratch + off, sl_pktbuf_mtod(s, const uint8_t *), chunk);
		off += chunk;
	}
	return scratch;
}

/* --- rx --- */

static void rx_log_once(struct pcap_rxq *q, const char *what)
{
	if (q->error_logged)
		return;
	q->error_logged = true;
	SL_LOG(net_pcap, ERR, "%s: %s: %s", q->port_name, q->source, what);
}

/* Reads the next record: 1, 0 at the end of the file, -1 on a read error (logged). */
static int next_rec(struct pcap_rxq *q, struct rec *r)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (q->mem) {
		const struct mem_rec *m;

		if (q->next == q->mem->n) {
			q->next = 0;
			q->loop_offset += q->mem->period;
			sl_counter_add(&q->loops, 1);
		}
		m = &q->mem->recs[q->next++];
		r->ts = m->ts + q->loop_offset;
		r->caplen = m->caplen;
		r->data = q->mem->data + m->off;
		return 1;
	}
	rc = pcap_next_ex(q->pcap, &h, &data);
	if (sl_likely(rc == 1)) {
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		r->ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		r->caplen = h->caplen;
		r->data = data;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	return -1;
}

/* Stops rx for good at the end of the file (rc 0) or on a bad record (rc < 0). */
static void rx_finish(struct pcap_rxq *q, int rc)
{
	char msg[PCAP_ERRBUF_SIZE + 160];

	q->done = true;
	sl_counter_add(&q->eof, 1);
	if (rc == 0) {
		SL_LOG(net_pcap, INFO, "%s: %s: end of file after %llu packets", q->port_name,
		       q->source, (unsigned long long)q->delivered);
		return;
	}
	sl_counter_add(&q->read_errors, 1);
	sl_counter_add(&q->st.errors, 1);
	snprintf(msg, sizeof(msg),
		 "file is damaged after %llu good packets (%s); rx stops here. "
		 "Was it cut short or still being written? Check it with tshark -r",
		 (unsigned long long)q->delivered, pcap_geterr(q->pcap));
	rx_log_once(q, msg);
}

/* timing=1: is the pending packet due at time now (monotonic ns)? */
static bool due(struct pcap_rxq *q, uint64_t now)
{
	if (!q->clock_set) {
		q->clock_set = true;
		q->wall0 = now;
		q->file0 = q->cur.ts;
		return true;
	}
	/* A timestamp that goes backwards is due at once. */
	return q->cur.ts <= q->file0 || now - q->wall0 >= q->cur.ts - q->file0;
}

static uint16_t pcap_rx_file(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct pcap_rxq *q = qv;
	uint64_t now = 0, bytes = 0;
	uint16_t nb = 0;

	if (sl_unlikely(q->done))
		return 0;
	if (q->timing)
		now = sl_time_ns();
	while (nb < n) {
		struct sl_pktbuf *p;

		if (!q->pending) {
			int rc = next_rec(q, &q->cur);

			if (sl_unlikely(rc <= 0)) {
				rx_finish(q, rc);
				break;
			}
			q->pending = true;
		}
		if (q->timing && !due(q, now))
			break;
		p = copy_in(q->pool, q->cur.data, q->cur.caplen);
		if (sl_unlikely(p == NULL)) {
			/* The packet stays pending: the next burst tries again. */
			sl_counter_add(&q->st.nombuf, 1);
			break;
		}
		p->port = q->port;
		p->timestamp = q->cur.ts;
		p->ol_flags |= SL_PKT_RX_TIMESTAMP;
		pkts[nb++] = p;
		bytes += q->cur.caplen;
		q->pending = false;
		q->delivered++;
	}
	sl_counter_add(&q->st.packets, nb);
	sl_counter_add(&q->st.bytes, bytes);
	return nb;
}

static void live_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct pcap_rxq *q = (struct pcap_rxq *)user;
	struct sl_pktbuf *p = copy_in(q->pool, data, h->caplen);

	if (sl_unlikely(p == NULL)) {
		/* libpcap has consumed the packet already: it is lost. */
		sl_counter_add(&q->st.nombuf, 1);
		return;
	}
	p->port = q->port;
	p->timestamp = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * q->ts_mult;
	p->ol_flags |= SL_PKT_RX_TIMESTAMP;
	q->cb_pkts[q->cb_n++] = p;
}

static uint16_t pcap_rx_live(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct pcap_rxq *q = qv;
	int rc;

	if (sl_unlikely(n == 0))
		return 0;
	q->cb_pkts = pkts;
	q->cb_n = 0;
	/* At most n packets; returns at once when none are waiting (non-blocking handle). */
	rc = pcap_dispatch(q->pcap, n, live_cb, (u_char *)q);
	if (sl_unlikely(rc < 0)) {
		sl_counter_add(&q->read_errors, 1);
		sl_counter_add(&q->st.errors, 1);
		rx_log_once(q, pcap_geterr(q->pcap));
	}
	sl_counter_add(&q->st.packets, q->cb_n);
	sl_counter_add(&q->st.bytes, sl_port_bytes(pkts, q->cb_n));
	return q->cb_n;
}

/* A port with only a tx side: its rx queue never has anything. */
static uint16_t pcap_rx_none(void *q, struct sl_pktbuf **pkts, uint16_t n)
{
	(void)q;
	(void)pkts;
	(void)n;
	return 0;
}

/* --- tx --- */

static uint16_t pcap_tx_file(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct pcap_txq *q = qv;
	struct pcap_pkthdr h;
	struct timespec now;
	uint64_t bytes = 0;

	/* One clock read per burst: the packets of a burst share a timestamp. */
	clock_gettime(CLOCK_REALTIME, &now);
	for (uint16_t i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		if (p->ol_flags & SL_PKT_RX_TIMESTAMP) {
			h.ts.tv_sec = (time_t)(p->timestamp / 1000000000u);
			h.ts.tv_usec = (suseconds_t)(p->timestamp % 1000000000u);
		} else {
			h.ts.tv_sec = now.tv_sec;
			h.ts.tv_usec = (suseconds_t)now.tv_nsec; /* nanosecond file */
		}
		h.len = p->pkt_len;
		h.caplen = SL_MIN(p->pkt_len, (uint32_t)SNAPLEN);
		pcap_dump((u_char *)q->dumper, &h, linear(p, q->scratch, h.caplen));
		bytes += p->pkt_len;
	}
	sl_counter_add(&q->st.packets, n);
	sl_counter_add(&q->st.bytes, bytes);
	sl_pktbuf_free_bulk(pkts, n);
	return n;
}

static void tx_log_once(struct pcap_txq *q, const char *what)
{
	if (q->error_logged)
		return;
	q->error_logged = true;
	SL_LOG(net_pcap, ERR, "%s: tx on %s failed: %s (counted in tx_q0_send_errors; logged once)",
	       q->port_name, q->sink, what);
}

static uint16_t pcap_tx_live(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct pcap_txq *q = qv;
	uint64_t bytes = 0, errors = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];

		if (sl_unlikely(p->pkt_len > SNAPLEN)) {
			errors++;
			tx_log_once(q, "packet longer than 262144 bytes");
			continue;
		}
		if (sl_unlikely(pcap_inject(q->pcap, linear(p, q->scratch, p->pkt_len),
					    p->pkt_len) < 0)) {
			int err = errno;

			/* The kernel queue is full: the caller keeps pkts[i..] and retries. */
			if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
				sl_counter_add(&q->busy, n - i);
				break;
			}
			/* Anything else (too big for the MTU, interface down) will not get
			 * better by retrying: the packet is taken, freed and counted. */
			errors++;
			tx_log_once(q, pcap_geterr(q->pcap));
			continue;
		}
		bytes += p->pkt_len;
	}
	sl_counter_add(&q->st.packets, i - errors);
	sl_counter_add(&q->st.bytes, bytes);
	sl_counter_add(&q->st.errors, errors);
	sl_counter_add(&q->send_errors, errors);
	sl_pktbuf_free_bulk(pkts, i);
	return i;
}

/* A port with only an rx side: what is sent has nowhere to go. */
static uint16_t pcap_tx_none(void *qv, struct sl_pktbuf **pkts, uint16_t n)
{
	struct pcap_txq *q = qv;

	sl_counter_add(&q->no_sink, n);
	sl_counter_add(&q->st.errors, n);
	sl_pktbuf_free_bulk(pkts, n);
	return n;
}

/* --- opening files and interfaces --- */

/* Opens a pcap or pcapng file for reading with nanosecond timestamps.  0 or -errno (logged). */
static int open_rx_file(const char *port, const char *path, pcap_t **out)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	FILE *f = fopen(path, "rb");
	pcap_t *p;

	if (f == NULL) {
		int rc = errno;

		SL_LOG(net_pcap, ERR, "%s: rx_pcap=%s cannot be opened: %s%s", port, path,
		       strerror(rc),
		       rc == ENOENT ? " (give the path of an existing pcap file)" : "");
		return -rc;
	}
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	if (p == NULL) {
		fclose(f);
		SL_LOG(net_pcap, ERR, "%s: rx_pcap=%s is not a readable pcap or pcapng file: %s",
		       port, path, err);
		return -EINVAL;
	}
	if (pcap_datalink(p) != DLT_EN10MB)
		SL_LOG(net_pcap, WARNING,
		       "%s: rx_pcap=%s has link type %s, not Ethernet; packets are "
		       "passed as they are",
		       port, path, pcap_datalink_val_to_name(pcap_datalink(p)) ?: "unknown");
	*out = p;
	return 0;
}

/* infinite_rx: reads the whole file into pp->mem.  0 or -errno (logged). */
static int load_file(struct pcap_port *pp)
{
	struct pcap_mem *m = &pp->mem;
	size_t size = 0, cap = 0;
	unsigned nrec = 0;
	pcap_t *p;
	int rc;

	rc = open_rx_file(pp->name, pp->rx_pcap, &p);
	if (rc < 0)
		return rc;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;

		rc = pcap_next_ex(p, &h, &data);
		if (rc != 1)
			break;
		if (m->n == nrec) {
			nrec = nrec ? 2 * nrec : 256;
			void *r = realloc(m->recs, nrec * sizeof(*m->recs));

			if (r == NULL)
				goto nomem;
			m->recs = r;
		}
		if (size + h->caplen > cap) {
			cap = SL_MAX(2 * cap, size + h->caplen + 65536);
			void *d = realloc(m->data, cap);

			if (d == NULL)
				goto nomem;
			m->data = d;
		}
		memcpy(m->data + size, data, h->caplen);
		m->recs[m->n] = (struct mem_rec){
			.ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec,
			.caplen = h->caplen,
			.off = size,
		};
		m->n++;
		size += h->caplen;
	}
	if (rc == PCAP_ERROR)
		SL_LOG(net_pcap, ERR,
		       "%s: rx_pcap=%s is damaged after %u good packets (%s); "
		       "infinite_rx loops over those",
		       pp->name, pp->rx_pcap, m->n, pcap_geterr(p));
	pcap_close(p);
	if (m->n == 0) {
		SL_LOG(net_pcap, ERR,
		       "%s: rx_pcap=%s has no packets to loop over with infinite_rx=1", pp->name,
		       pp->rx_pcap);
		return -EINVAL;
	}
	/* A loop lasts the file's span plus one mean gap, so looped timestamps keep going up. */
	uint64_t span = m->recs[m->n - 1].ts > m->recs[0].ts ?
				m->recs[m->n - 1].ts - m->recs[0].ts : 0;
	m->period = SL_MAX(span + (m->n > 1 ? span / (m->n - 1) : 0), (uint64_t)1000);
	return 0;
nomem:
	pcap_close(p);
	SL_LOG(net_pcap, ERR,
	       "%s: rx_pcap=%s does not fit in memory for infinite_rx=1 (%u packets, "
	       "%zu bytes read)",
	       pp->name, pp->rx_pcap, m->n, size);
	return -ENOMEM;
}

static int open_tx_file(struct pcap_port *pp)
{
	FILE *f = fopen(pp->tx_pcap, "wb");

	if (f == NULL) {
		int rc = errno;

		SL_LOG(net_pcap, ERR,
		       "%s: tx_pcap=%s cannot be created: %s (does its directory exist "
		       "and is it writable?)",
		       pp->name, pp->tx_pcap, strerror(rc));
		return -rc;
	}
	pp->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, SNAPLEN,
							PCAP_TSTAMP_PRECISION_NANO);
	if (pp->dead == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	pp->dumper = pcap_dump_fopen(pp->dead, f);
	if (pp->dumper == NULL) {
		SL_LOG(net_pcap, ERR, "%s: tx_pcap=%s: %s", pp->name, pp->tx_pcap,
		       pcap_geterr(pp->dead));
		fclose(f);
		pcap_close(pp->dead);
		pp->dead = NULL;
		return -EIO;
	}
	return 0;
}

/* A tx handle must not fill its socket with received copies: this filter keeps none. */
static int drop_all(pcap_t *p)
{
	struct bpf_insn ret0 = {.code = BPF_RET | BPF_K, .k = 0};
	struct bpf_program prog = {.bf_len = 1, .bf_insns = &ret0};

	return pcap_setfilter(p, &prog);
}

/* Opens a live interface: immediate mode, non-blocking.  0 or -errno (logged). */
static int open_iface(const char *port, const char *key, const char *ifname, bool rx,
		      pcap_t **out)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(ifname, err);
	int rc;

	if (p == NULL) {
		SL_LOG(net_pcap, ERR, "%s: %s=%s: %s", port, key, ifname, err);
		return -ENODEV;
	}
	pcap_set_snaplen(p, SNAPLEN);
	pcap_set_promisc(p, 1);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 1);
	/* Not every capture type has nanosecond stamps; then microseconds it is. */
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	/* In immediate mode libpcap gives each packet a ring slot sized for the largest
	 * frame (64 KiB with GSO on), so its 2 MiB default holds only ~30 packets. */
	pcap_set_buffer_size(p, rx ? RX_RING_BYTES : 64 * 1024);
	rc = pcap_activate(p);
	if (rc < 0) {
		const char *why = pcap_geterr(p);
		int err_no;

		switch (rc) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			err_no = ENODEV;
			SL_LOG(net_pcap, ERR, "%s: %s=%s: no such interface (ip link lists them)",
			       port, key, ifname);
			break;
		case PCAP_ERROR_PERM_DENIED:
			err_no = EPERM;
			SL_LOG(net_pcap, ERR,
			       "%s: %s=%s: permission denied; run as root or give the "
			       "program CAP_NET_RAW (%s)",
			       port, key, ifname, why);
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			err_no = ENETDOWN;
			SL_LOG(net_pcap, ERR, "%s: %s=%s: interface is down; ip link set %s up",
			       port, key, ifname, ifname);
			break;
		default:
			err_no = EIO;
			SL_LOG(net_pcap, ERR, "%s: %s=%s: %s (%s)", port, key, ifname,
			       pcap_statustostr(rc), why);
		}
		pcap_close(p);
		return -err_no;
	}
	if (rc > 0)
		SL_LOG(net_pcap, WARNING, "%s: %s=%s: %s", port, key, ifname, pcap_statustostr(rc));
	if (pcap_setnonblock(p, 1, err) < 0) {
		SL_LOG(net_pcap, ERR, "%s: %s=%s: cannot make the capture non-blocking: %s", port,
		       key, ifname, err);
		pcap_close(p);
		return -EIO;
	}
	/* rx sees what others send us, not our own tx; tx needs no copies at all. */
	if (rx ? pcap_setdirection(p, PCAP_D_IN) : drop_all(p)) {
		SL_LOG(net_pcap, ERR, "%s: %s=%s: cannot set up the capture filter: %s", port, key,
		       ifname, pcap_geterr(p));
		pcap_close(p);
		return -EIO;
	}
	*out = p;
	return 0;
}

/* The interface's MAC, if it has one. */
static void iface_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

/* --- control path --- */

static void pcap_info(struct sl_port *port, struct sl_port_info *info)
{
	struct pcap_port *pp = port->priv;

	info->max_rxq = 1;
	info->max_txq = 1;
	info->max_rx_pktlen = SNAPLEN;
	info->rx_offloads = SL_PKT_RX_TIMESTAMP;
	if (pp->rx_iface[0])
		info->if_name = pp->rx_iface;
	else if (pp->tx_iface[0])
		info->if_name = pp->tx_iface;
}

static int pcap_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			  struct sl_pool *pool)
{
	struct pcap_port *pp = port->priv;
	uint16_t buf_len = sl_pktbuf_pool_buf_len(pool);
	struct pcap_rxq *q;
	int rc;

	(void)nb_desc;
	if (buf_len < SL_PKTBUF_HEADROOM + MIN_SEG_ROOM) {
		SL_LOG(net_pcap, ERR,
		       "%s: the pool's %u-byte buffers leave under %d bytes of data after "
		       "the %d-byte headroom; use SL_PKTBUF_DEFAULT_BUF_SIZE",
		       port->name, buf_len, MIN_SEG_ROOM, SL_PKTBUF_HEADROOM);
		return -EINVAL;
	}
	q = sl_malloc(sizeof(*q), 0, node);
	if (q == NULL)
		return -ENOMEM;
	q->pool = pool;
	q->port = port->id;
	q->port_name = pp->name;
	q->timing = pp->timing;
	q->ts_mult = 1;
	if (pp->rx_pcap[0]) {
		q->source = pp->rx_pcap;
		if (pp->infinite_rx) {
			q->mem = &pp->mem;
		} else {
			/* Each setup reads the file from its start. */
			rc = open_rx_file(pp->name, pp->rx_pcap, &q->pcap);
			if (rc < 0) {
				sl_free(q);
				return rc;
			}
		}
	} else if (pp->rx_live) {
		q->source = pp->rx_iface;
		q->pcap = pp->rx_live;
		q->live = true;
		if (pcap_get_tstamp_precision(q->pcap) != PCAP_TSTAMP_PRECISION_NANO)
			q->ts_mult = 1000;
	}
	port->rxq[qid] = q;
	return 0;
}

static int pcap_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	struct pcap_port *pp = port->priv;
	struct pcap_txq *q = sl_malloc(sizeof(*q), 0, node);

	(void)nb_desc;
	if (q == NULL)
		return -ENOMEM;
	q->port_name = pp->name;
	q->dumper = pp->dumper;
	q->pcap = pp->tx_live;
	q->sink = pp->tx_pcap[0] ? pp->tx_pcap : pp->tx_iface;
	if (q->dumper || q->pcap) {
		q->scratch = sl_malloc(SNAPLEN, 0, node);
		if (q->scratch == NULL) {
			sl_free(q);
			return -ENOMEM;
		}
	}
	port->txq[qid] = q;
	return 0;
}

static void pcap_rxq_release(struct sl_port *port, uint16_t qid)
{
	struct pcap_rxq *q = port->rxq[qid];

	if (q == NULL)
		return;
	if (q->pcap && !q->live)
		pcap_close(q->pcap); /* live handles belong to the port */
	sl_free(q);
	port->rxq[qid] = NULL;
}

static void pcap_txq_release(struct sl_port *port, uint16_t qid)
{
	struct pcap_txq *q = port->txq[qid];

	if (q == NULL)
		return;
	sl_free(q->scratch);
	sl_free(q);
	port->txq[qid] = NULL;
}

static void flush(struct pcap_port *pp)
{
	if (pp->dumper && pcap_dump_flush(pp->dumper) < 0)
		SL_LOG(net_pcap, ERR, "%s: tx_pcap=%s: writing failed: %s (disk full?)", pp->name,
		       pp->tx_pcap, strerror(errno));
}

/* Stopped: the tx file holds everything sent so far. */
static void pcap_stop(struct sl_port *port)
{
	flush(port->priv);
}

static void pcap_close_port(struct sl_port *port)
{
	struct pcap_port *pp = port->priv;

	if (pp->dumper) {
		flush(pp);
		pcap_dump_close(pp->dumper);
	}
	if (pp->dead)
		pcap_close(pp->dead);
	if (pp->rx_live)
		pcap_close(pp->rx_live);
	if (pp->tx_live)
		pcap_close(pp->tx_live);
	free(pp->mem.data);
	free(pp->mem.recs);
	free(pp);
}

/* Packets the kernel dropped on the live rx socket since the handle opened. */
static uint64_t kernel_drops(const struct pcap_rxq *q)
{
	struct pcap_stat ps;

	if (!q->live || pcap_stats(q->pcap, &ps) < 0)
		return 0;
	return (uint64_t)ps.ps_drop + ps.ps_ifdrop;
}

/* What the queue's counters cannot hold: the kernel's drops on a live rx socket. */
static void pcap_stats_get(struct sl_port *port, struct sl_port_stats *st)
{
	struct pcap_rxq *rq = port->rxq[0];
	uint64_t drops = rq ? kernel_drops(rq) : 0;

	if (rq && drops > rq->drops_base)
		st->imissed += drops - rq->drops_base;
}

static void pcap_stats_reset(struct sl_port *port)
{
	struct pcap_rxq *rq = port->rxq[0];

	if (rq)
		rq->drops_base = kernel_drops(rq);
}

/* rx_q0_file_eof: 1 once rx reached the end of the file (or a damaged record): rx is over.
 * A state, so a stats reset leaves it. */
static int pcap_xstats(struct sl_port *port, struct sl_port_xstat *xs, unsigned n)
{
	struct pcap_rxq *rq = port->rxq[0];
	unsigned count = 0;

	if (port->conf.nb_rxq)
		sl_port_xstat_add(xs, n, &count, rq ? sl_counter_read(&rq->eof) : 0,
				  "rx_q0_file_eof");
	return (int)count;
}

static const struct sl_port_ops pcap_ops = {
	.info = pcap_info,
	.rxq_setup = pcap_rxq_setup,
	.txq_setup = pcap_txq_setup,
	.rxq_release = pcap_rxq_release,
	.txq_release = pcap_txq_release,
	.stop = pcap_stop,
	.close = pcap_close_port,
	.stats = pcap_stats_get,
	.stats_reset = pcap_stats_reset,
	.xstats = pcap_xstats,
	.rxq_xstats = pcap_rxq_xstats,
	.txq_xstats = pcap_txq_xstats,
};

/* Copies a non-empty value of key into dst.  0, or -EINVAL (logged). */
static int get_str(const struct sl_devargs *args, const char *port, const char *key,
		   char *dst, size_t size)
{
	const char *v = sl_devargs_get(args, key);

	if (v == NULL)
		return 0;
	if (v[0] == '\0' || strlen(v) >= size) {
		SL_LOG(net_pcap, ERR, "%s: %s= needs a value of 1 to %zu characters", port, key,
		       size - 1);
		return -EINVAL;
	}
	strcpy(dst, v);
	return 0;
}

static int parse_args(struct pcap_port *pp, const struct sl_devargs *args)
{
	const char *name = pp->name;
	char iface[IF_NAMESIZE] = "";
	int rc = 0;

	rc |= get_str(args, name, "rx_pcap", pp->rx_pcap, sizeof(pp->rx_pcap));
	rc |= get_str(args, name, "tx_pcap", pp->tx_pcap, sizeof(pp->tx_pcap));
	rc |= get_str(args, name, "rx_iface", pp->rx_iface, sizeof(pp->rx_iface));
	rc |= get_str(args, name, "tx_iface", pp->tx_iface, sizeof(pp->tx_iface));
	rc |= get_str(args, name, "iface", iface, sizeof(iface));
	rc |= sl_devargs_bool(args, name, "infinite_rx", &pp->infinite_rx);
	rc |= sl_devargs_bool(args, name, "timing", &pp->timing);
	if (rc)
		return -EINVAL;
	if (iface[0]) {
		if (pp->rx_iface[0] || pp->tx_iface[0] || pp->rx_pcap[0] || pp->tx_pcap[0]) {
			SL_LOG(net_pcap, ERR,
			       "%s: iface= sets both rx and tx; give either iface= alone "
			       "or the rx_* and tx_* keys",
			       name);
			return -EINVAL;
		}
		strcpy(pp->rx_iface, iface);
		strcpy(pp->tx_iface, iface);
	}
	if (pp->rx_pcap[0] && pp->rx_iface[0]) {
		SL_LOG(net_pcap, ERR, "%s: give rx_pcap= or rx_iface=, not both", name);
		return -EINVAL;
	}
	if (pp->tx_pcap[0] && pp->tx_iface[0]) {
		SL_LOG(net_pcap, ERR, "%s: give tx_pcap= or tx_iface=, not both", name);
		return -EINVAL;
	}
	if (!pp->rx_pcap[0] && !pp->rx_iface[0] && !pp->tx_pcap[0] && !pp->tx_iface[0]) {
		SL_LOG(net_pcap, ERR,
		       "%s: nothing to read or write; give rx_pcap=FILE, tx_pcap=FILE, "
		       "rx_iface=IF, tx_iface=IF or iface=IF",
		       name);
		return -EINVAL;
	}
	if (pp->rx_pcap[0] && strcmp(pp->rx_pcap, pp->tx_pcap) == 0) {
		SL_LOG(net_pcap, ERR,
		       "%s: rx_pcap= and tx_pcap= name the same file %s; tx would "
		       "overwrite what rx reads, give tx_pcap= another path",
		       name, pp->rx_pcap);
		return -EINVAL;
	}
	if ((pp->infinite_rx || pp->timing) && !pp->rx_pcap[0]) {
		SL_LOG(net_pcap, ERR, "%s: %s=1 replays a file; it needs rx_pcap=FILE", name,
		       pp->infinite_rx ? "infinite_rx" : "timing");
		return -EINVAL;
	}
	return 0;
}

static int pcap_probe(struct sl_port *port, const struct sl_devargs *args)
{
	struct pcap_port *pp = calloc(1, sizeof(*pp));
	pcap_t *check;
	int rc;

	if (pp == NULL)
		return -ENOMEM;
	snprintf(pp->name, sizeof(pp->name), "%s", port->name);
	rc = parse_args(pp, args);
	if (rc < 0)
		goto fail;
	if (pp->rx_pcap[0]) {
		/* Fail now on a missing or unreadable file; each rx queue setup reopens it. */
		if (pp->infinite_rx) {
			rc = load_file(pp);
		} else {
			rc = open_rx_file(pp->name, pp->rx_pcap, &check);
			if (rc == 0)
				pcap_close(check);
		}
		if (rc < 0)
			goto fail;
	}
	if (pp->rx_iface[0]) {
		rc = open_iface(pp->name, pp->tx_iface[0] && !strcmp(pp->rx_iface, pp->tx_iface) ?
				"iface" : "rx_iface", pp->rx_iface, true, &pp->rx_live);
		if (rc < 0)
			goto fail;
	}
	if (pp->tx_iface[0]) {
		rc = open_iface(pp->name, pp->rx_iface[0] && !strcmp(pp->rx_iface, pp->tx_iface) ?
				"iface" : "tx_iface", pp->tx_iface, false, &pp->tx_live);
		if (rc < 0)
			goto fail;
	}
	if (pp->tx_pcap[0]) {
		rc = open_tx_file(pp);
		if (rc < 0)
			goto fail;
	}
	/* A locally administered MAC naming the port, or the interface's own. */
	memcpy(port->mac, (uint8_t[]){0x02, 0x53, 0x4c, 0x00, 0x02, (uint8_t)port->id}, 6);
	if (pp->rx_iface[0] || pp->tx_iface[0])
		iface_mac(pp->rx_iface[0] ? pp->rx_iface : pp->tx_iface, port->mac);
	port->priv = pp;
	port->ops = &pcap_ops;
	port->rx = pp->rx_pcap[0] ? pcap_rx_file : pp->rx_iface[0] ? pcap_rx_live : pcap_rx_none;
	port->tx = pp->dumper ? pcap_tx_file : pp->tx_live ? pcap_tx_live : pcap_tx_none;
	return 0;
fail:
	pcap_close_port(&(struct sl_port){.priv = pp});
	return rc;
}

static const char *const pcap_keys[] = {"rx_pcap", "tx_pcap", "rx_iface", "tx_iface", "iface",
					"infinite_rx", "timing", NULL};

const struct sl_port_driver sl_port_driver_pcap = {
	.name = "net_pcap",
	.keys = pcap_keys,
	.usage = "rx_pcap=FILE tx_pcap=FILE rx_iface=IF tx_iface=IF iface=IF (rx and tx) "
		 "infinite_rx=0|1 (loop rx_pcap) timing=0|1 (replay at the file's pace)",
	.probe = pcap_probe,
};
