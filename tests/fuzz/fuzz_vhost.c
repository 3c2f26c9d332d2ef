/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for net_vhost (drivers/net/vhost): the vhost-user message handler and
 * the data path over rings the frontend wrote.
 *
 * Both driver files are compiled into this one (#include below), so the harness calls the
 * same static functions the control thread and the data path run, single-threaded and
 * without sockets or the control thread: vhost_handle() for each message, ep_down() and
 * ep_up() where the control thread would drop the frontend and take the next one, and
 * vhost_rx(), vhost_tx() and chain_walk() on the queues.  Guest memory is one memfd of
 * FZ_MEM bytes whose bytes the input writes; every SET_MEM_TABLE gets fds of it (or of
 * other kinds), so mappings succeed when the table fits the file.  Packet buffers come
 * from a small pool kept here (the pool library's slow path, no cache), which catches
 * double frees, foreign buffers and leaks.  The driver needs no test seam for this.
 *
 * Found by it: the header of a packet sent into a receive buffer at an odd guest address
 * (virtio asks buffers no alignment) had num_buffers stored through a misaligned pointer
 * (UBSan; corpus bug_misaligned_hdr).
 *
 * Regressions it keeps (found with tests/unit/vhost while it was written; corpus bug_*): a
 * region whose file is empty was mapped, and the first touch of a ring in it raised
 * SIGBUS (bug_empty_file); a chain no longer than the virtio-net header came out as an
 * empty packet (bug_runt), and one of more bytes than any packet (each descriptor may be
 * 4 GiB) was copied into as many packet buffers as it took while the pool lasted (with a
 * big enough pool, nb_segs wraps past 65535) (bug_huge).
 *
 * Input: a 2-byte header, then records.
 *   header[0]  bit 0 two queue pairs (else one), bit 1 port not started, bit 2 no rx
 *              queues set up, bit 3 no tx queues, bit 4 a pool of 4 buffers (else 64)
 *   header[1]  reserved
 *   record, first byte c with bit 7 clear: a message, c's other bits say what comes with
 *     it: bits 0-2 fds attached (0-7), bits 3-4 their kind (0 the guest memfd, 1 an
 *     eventfd, 2 a pipe, 3 an empty memfd), bit 5 kind 0 is a memfd of half the size
 *     (zeros, not the guest memory), bit 6 fit a SET_MEM_TABLE's regions into the memfd
 *     (page-sized, and one memfd per region); then the 12-byte header and hdr.size
 *     payload bytes (a payload above 512 bytes, or cut short by the end of the input, is
 *     refused as sl_vu_recv would)
 *   record, bit 7 set: an event, low 3 bits:
 *     0  rx burst on queue (c >> 3) & 1 of next-byte % 40 packets
 *     1  tx burst on queue (c >> 3) & 1: next byte % 9 packets, each 2 bytes of length
 *        (1 + value % 9100: over 2 KiB they are chains of packet buffers)
 *     2  the guest writes its memory: 2 bytes offset, 1 byte length, the bytes
 *     3  the control thread's tick: a faulted queue drops the frontend
 *     4  the port is started or stopped (the queues re-matched to the vrings)
 *     5  the frontend vanishes (and the next one connects)
 *     6  a descriptor walk on vring (c >> 3) & 3: 2 bytes head, bit 5 of c writable
 *     7  nothing
 *
 * Checked (__builtin_trap() on failure): a reply is one the frontend can take (same
 * request, REPLY flag, 8 bytes); a refusal has a printable reason; an attached queue's
 * rings lie inside one mapped region each, with a power-of-two size; the link is up
 * exactly when vring pair 0 is attached; a burst returns at most what was asked, and
 * every packet is a well-formed chain of 1 to 65549 bytes from our pool; a walk's buffers
 * lie inside a region, at most 64; a faulted queue gives nothing more; at the end of an
 * input no fd is left open and every buffer is back.  VHOST_FUZZ_LOG=1 prints the
 * driver's log lines.
 */
#include "net_vhost.c"
#include "vhost_msg.c"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

#define FZ_MEM (64u * 1024) /* guest memory */
#define FZ_PAGE 4096u
#define FZ_BUFS 64
#define FZ_FD_SCAN 256

/* --- what the driver links against and the harness provides --- */

__thread uint32_t sl_lcore_self = SL_LCORE_ANY;

static struct sl_pool fz_pool;
static struct fz_buf {
	struct sl_pktbuf h;
	uint8_t data[SL_PKTBUF_DEFAULT_BUF_SIZE];
} fz_bufs[FZ_BUFS];
static struct sl_pktbuf *fz_free[FZ_BUFS];
static bool fz_is_free[FZ_BUFS];
static unsigned fz_nfree, fz_cap;

static unsigned fz_buf_index(const void *obj)
{
	uintptr_t off = (uintptr_t)obj - (uintptr_t)fz_bufs;

	CHECK(off < sizeof(fz_bufs) && off % sizeof(fz_bufs[0]) == 0);
	return (unsigned)(off / sizeof(fz_bufs[0]));
}

int sl_pool_get_slow(struct sl_pool *p, void **objs, unsigned n)
{
	CHECK(p == &fz_pool);
	if (n > fz_nfree)
		return -ENOENT;
	for (unsigned i = 0; i < n; i++) {
		struct sl_pktbuf *b = fz_free[--fz_nfree];

		fz_is_free[fz_buf_index(b)] = false;
		objs[i] = b;
	}
	return 0;
}

void sl_pool_put_slow(struct sl_pool *p, void *const *objs, unsigned n)
{
	CHECK(p == &fz_pool);
	for (unsigned i = 0; i < n; i++) {
		struct sl_pktbuf *b = objs[i];
		unsigned k = fz_buf_index(b);

		CHECK(!fz_is_free[k] && fz_nfree < fz_cap); /* no double free */
		CHECK(b->next == NULL && b->nb_segs == 1 && b->refcnt == 1 && b->pool == p);
		fz_is_free[k] = true;
		fz_free[fz_nfree++] = b;
	}
}

int sl_pool_get_slow_cache(struct sl_pool *p, struct sl_pool_cache *c, void **objs, unsigned n)
{
	(void)p, (void)c, (void)objs, (void)n;
	__builtin_trap(); /* the pool has no cache */
}

void sl_pool_put_slow_cache(struct sl_pool *p, struct sl_pool_cache *c, void *const *objs,
			    unsigned n)
{
	(void)p, (void)c, (void)objs, (void)n;
	__builtin_trap();
}

void sl_pktbuf_free_bulk(struct sl_pktbuf **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sl_pktbuf_free(pkts[i]);
}

void sl_pktbuf_detach(struct sl_pktbuf *p)
{
	(void)p;
	__builtin_trap(); /* no indirect or external buffers here */
}

void *sl_malloc(size_t size, size_t align, int node)
{
	(void)node;
	return aligned_alloc(align, (size + align - 1) / align * align);
}

void sl_free(void *ptr)
{
	free(ptr);
}

/* The probe and the xstats op are not run here. */
const char *sl_devargs_get(const struct sl_devargs *args, const char *key)
{
	(void)args, (void)key;
	return NULL;
}

int sl_devargs_uint(const struct sl_devargs *args, const char *port, const char *key, uint64_t min,
		    uint64_t max, uint64_t *out)
{
	(void)args, (void)port, (void)key, (void)min, (void)max, (void)out;
	return -EINVAL;
}

int sl_devargs_bool(const struct sl_devargs *args, const char *port, const char *key, bool *out)
{
	(void)args, (void)port, (void)key, (void)out;
	return -EINVAL;
}

void sl_port_xstat_add(struct sl_port_xstat *xs, unsigned n, unsigned *count, uint64_t value,
		       const char *fmt, ...)
{
	(void)xs, (void)n, (void)value, (void)fmt;
	(*count)++;
}

/* --- the harness --- */

static struct vhost_dev fz_dev;
static struct vhost_queue fz_rxq[2], fz_txq[2];
static int fz_memfd = -1, fz_halffd = -1, fz_emptyfd = -1;
static uint8_t *fz_mem; /* the guest's view of its memory */
static bool fz_fd_baseline[FZ_FD_SCAN];
static bool fz_verbose;

static void fz_log_sink(const struct sl_log_type *type, int level, const char *line, void *arg)
{
	(void)type, (void)level, (void)arg;
	for (const char *p = line; *p; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
	if (fz_verbose)
		fprintf(stderr, "%s\n", line);
}

static bool fz_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_verbose = getenv("VHOST_FUZZ_LOG") != NULL;
	sl_log_set_sink(fz_log_sink, NULL);
	sl_logtype_net_vhost.level = SL_LOG_DEBUG; /* format every line the driver would log */
	fz_memfd = memfd_create("fuzz-vhost-guest", MFD_CLOEXEC);
	fz_halffd = memfd_create("fuzz-vhost-half", MFD_CLOEXEC);
	fz_emptyfd = memfd_create("fuzz-vhost-empty", MFD_CLOEXEC);
	CHECK(fz_memfd >= 0 && fz_halffd >= 0 && fz_emptyfd >= 0 &&
	      ftruncate(fz_memfd, FZ_MEM) == 0);
	fz_mem = mmap(NULL, FZ_MEM, PROT_READ | PROT_WRITE, MAP_SHARED, fz_memfd, 0);
	CHECK(fz_mem != MAP_FAILED);
	for (unsigned i = 0; i < FZ_BUFS; i++) {
		struct sl_pktbuf *p = &fz_bufs[i].h;

		p->buf_addr = fz_bufs[i].data;
		p->buf_iova = (uint64_t)(uintptr_t)p->buf_addr;
		p->buf_len = SL_PKTBUF_DEFAULT_BUF_SIZE;
		p->pool = &fz_pool;
	}
	for (int fd = 0; fd < FZ_FD_SCAN; fd++)
		fz_fd_baseline[fd] = fz_fd_open(fd);
	return 0;
}

static void fz_setup(uint8_t h)
{
	struct vhost_dev *d = &fz_dev;

	/* Calls (8-byte writes) to a memfd given as a call fd move its offset and may grow
	 * it: every input starts from the same files. */
	memset(fz_mem, 0, FZ_MEM);
	CHECK(ftruncate(fz_memfd, FZ_MEM) == 0 && lseek(fz_memfd, 0, SEEK_SET) == 0);
	CHECK(ftruncate(fz_halffd, 0) == 0 && ftruncate(fz_halffd, FZ_MEM / 2) == 0 &&
	      lseek(fz_halffd, 0, SEEK_SET) == 0);
	CHECK(ftruncate(fz_emptyfd, 0) == 0 && lseek(fz_emptyfd, 0, SEEK_SET) == 0);
	fz_cap = (h & 16) ? 4 : FZ_BUFS;
	fz_nfree = 0;
	for (unsigned i = 0; i < FZ_BUFS; i++) {
		struct sl_pktbuf *p = &fz_bufs[i].h;

		p->next = NULL;
		p->nb_segs = 1;
		p->refcnt = 1;
		p->flags = 0;
		fz_is_free[i] = i < fz_cap;
		if (i < fz_cap)
			fz_free[fz_nfree++] = p;
	}
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "vhost-fuzz");
	snprintf(d->path, sizeof(d->path), "/fuzz/vhost.sock");
	d->nb_qp = (h & 1) ? 2 : 1;
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		d->vr[i].kick_fd = d->vr[i].call_fd = -1;
	for (uint16_t q = 0; q < 2; q++) {
		struct vhost_queue *rx = &fz_rxq[q], *tx = &fz_txq[q];

		memset(rx, 0, sizeof(*rx));
		memset(tx, 0, sizeof(*tx));
		rx->qid = tx->qid = q;
		rx->vring = (uint16_t)(2 * q + 1);
		tx->vring = (uint16_t)(2 * q);
		rx->pool = &fz_pool;
		rx->dev = tx->dev = d;
		rx->call_fd = tx->call_fd = -1;
		if (q < d->nb_qp && !(h & 4))
			d->rxq[d->nb_rxq++] = rx;
		if (q < d->nb_qp && !(h & 8))
			d->txq[d->nb_txq++] = tx;
	}
	d->started = !(h & 2);
	CHECK(ep_up(d, -1) == 0);
}

/* What the control thread does when it drops a frontend, then takes the next one. */
static void fz_drop(void)
{
	ep_down(&fz_dev);
	CHECK(ep_up(&fz_dev, -1) == 0);
}

/* [p, p + len) inside one mapped region of the memory table. */
static bool fz_inside(const void *p, uint64_t len)
{
	const struct sl_vu_mem *m = &fz_dev.mem;

	for (uint32_t i = 0; i < m->n; i++) {
		uintptr_t off = (uintptr_t)p - (uintptr_t)m->r[i].host;

		CHECK(m->r[i].host >= (uint8_t *)m->r[i].map &&
		      (uint64_t)(m->r[i].host - (uint8_t *)m->r[i].map) + m->r[i].size <=
			      m->r[i].map_size);
		if (off < m->r[i].size && len <= m->r[i].size - off)
			return true;
	}
	return false;
}

static void fz_check_dev(void)
{
	struct vhost_dev *d = &fz_dev;

	CHECK(d->mem.n <= SL_VU_MAX_REGIONS);
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		struct vhost_vring *vr = &d->vr[i];
		struct vhost_queue *q = vr->q;

		CHECK(vr->kick_fd < 0 || fz_fd_open(vr->kick_fd));
		CHECK(vr->call_fd < 0 || fz_fd_open(vr->call_fd));
		if (q == NULL)
			continue;
		CHECK(i < 2u * d->nb_qp && d->started && d->features_set && vr->enabled);
		CHECK(q == ((i & 1) ? d->rxq[i / 2] : d->txq[i / 2]) && q->vring == i);
		CHECK(__atomic_load_n(&q->gate.open, __ATOMIC_RELAXED) == 1);
		CHECK(SL_IS_POW2(vr->num) && vr->num <= SL_VRING_MAX_SIZE && q->size == vr->num &&
		      q->mask == vr->num - 1 && q->mem == &d->mem);
		CHECK(fz_inside(q->desc, sl_vring_desc_bytes(q->size)));
		CHECK(fz_inside(q->avail, sl_vring_avail_bytes(q->size)));
		CHECK(fz_inside(q->used, sl_vring_used_bytes(q->size)));
		CHECK(q->hdr_len == 10 || q->hdr_len == 12);
	}
	for (unsigned q = 0; q < 2; q++) {
		bool rx_on = false, tx_on = false;

		for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
			rx_on |= d->vr[i].q == &fz_rxq[q];
			tx_on |= d->vr[i].q == &fz_txq[q];
		}
		CHECK(__atomic_load_n(&fz_rxq[q].gate.open, __ATOMIC_RELAXED) == rx_on);
		CHECK(__atomic_load_n(&fz_txq[q].gate.open, __ATOMIC_RELAXED) == tx_on);
	}
	CHECK(__atomic_load_n(&d->link_up, __ATOMIC_RELAXED) == (d->vr[0].q && d->vr[1].q));
}

static int fz_make_fd(unsigned kind, bool half)
{
	int fd = -1, p[2];

	switch (kind) {
	case 0:
		fd = dup(half ? fz_halffd : fz_memfd);
		break;
	case 1:
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		break;
	case 2:
		if (pipe2(p, O_CLOEXEC) == 0) {
			close(p[1]);
			fd = p[0];
		}
		break;
	default:
		fd = dup(fz_emptyfd);
		break;
	}
	CHECK(fd >= 0);
	return fd;
}

/* Makes a memory table's regions page-sized ranges of the guest memfd. */
static void fz_fit_table(struct sl_vu_memory *t, uint32_t size)
{
	const uint64_t pages = FZ_MEM / FZ_PAGE;

	for (uint32_t i = 0; i < SL_VU_MAX_REGIONS && 8 + 32 * (i + 1) <= size; i++) {
		struct sl_vu_region *r = &t->regions[i];
		uint64_t np = 1 + r->memory_size % pages;

		r->memory_size = np * FZ_PAGE;
		r->mmap_offset = (r->mmap_offset % (pages - np + 1)) * FZ_PAGE;
	}
}

/* One message; false when the input ended inside it. */
static bool fz_message(uint8_t c, const uint8_t **in, const uint8_t *end)
{
	struct sl_vu_msg m, reply;
	int fds[SL_VU_MAX_FDS];
	unsigned nfds = c & 7;
	char why[256];
	uint32_t req;
	int rc;

	if (end - *in < 12)
		return false;
	memset(&m, 0, sizeof(m));
	memcpy(&m.hdr, *in, 12);
	*in += 12;
	if (m.hdr.size > sizeof(m.p) || (uint64_t)(end - *in) < m.hdr.size) {
		fz_drop(); /* sl_vu_recv refuses it, or the connection ends inside it */
		return m.hdr.size <= sizeof(m.p) ? false : true;
	}
	memcpy(&m.p, *in, m.hdr.size);
	*in += m.hdr.size;
	req = m.hdr.request;
	if ((c & 0x40) && req == SL_VU_SET_MEM_TABLE && m.hdr.size >= 8) {
		fz_fit_table(&m.p.memory, m.hdr.size);
		nfds = SL_MIN(m.p.memory.nregions, (uint32_t)SL_VU_MAX_FDS);
		c &= (uint8_t)~0x18; /* the guest memfd */
	}
	for (unsigned i = 0; i < nfds; i++)
		fds[i] = fz_make_fd((c >> 3) & 3, c & 0x20);
	why[0] = '\0';
	rc = vhost_handle(&fz_dev, &m, fds, nfds, &reply, why, sizeof(why));
	CHECK(rc >= -1 && rc <= 1);
	if (rc == 1)
		CHECK(reply.hdr.request == req &&
		      reply.hdr.flags == (SL_VU_VERSION | SL_VU_FLAG_REPLY) && reply.hdr.size == 8);
	if (rc < 0) {
		CHECK(why[0] != '\0' && strlen(why) < sizeof(why));
		for (const char *p = why; *p; p++)
			CHECK(*p >= 0x20 && *p < 0x7f);
		__atomic_fetch_add(&fz_dev.bad_messages, 1, __ATOMIC_RELAXED);
		dev_drop_log(&fz_dev, why); /* as ep_readable() */
		fz_drop();
	}
	fz_check_dev();
	return true;
}

/* A packet the application may take: a well-formed chain of our buffers. */
static void fz_check_pkt(const struct sl_pktbuf *p, uint16_t port)
{
	uint32_t len = 0;
	unsigned segs = 0;

	CHECK(p->pkt_len >= 1 && p->pkt_len <= VHOST_MAX_PKT && p->port == port);
	for (const struct sl_pktbuf *s = p; s; s = s->next) {
		CHECK(!fz_is_free[fz_buf_index(s)] && s->pool == &fz_pool);
		CHECK((uint32_t)s->data_off + s->data_len <= s->buf_len);
		len += s->data_len;
		segs++;
		CHECK(segs <= FZ_BUFS);
	}
	CHECK(len == p->pkt_len && segs == p->nb_segs);
}

static void fz_rx(unsigned qi, uint16_t n)
{
	struct sl_pktbuf *pkts[40];
	struct vhost_queue *q = &fz_rxq[qi];
	bool faulted = __atomic_load_n(&q->gate.fault, __ATOMIC_RELAXED) != VHOST_FAULT_NONE;
	uint16_t got;

	if (qi >= fz_dev.nb_rxq || fz_dev.rxq[qi] == NULL)
		return;
	got = vhost_rx(q, pkts, n);
	if (fz_verbose)
		fprintf(stderr, "fuzz: rx queue %u: %u of %u packets\n", qi, got, n);
	CHECK(got <= n);
	CHECK(!faulted || got == 0);
	for (uint16_t i = 0; i < got; i++) {
		fz_check_pkt(pkts[i], q->port);
		sl_pktbuf_free(pkts[i]);
	}
}

/* A packet of len bytes over as many of our buffers as it takes (NULL: pool empty). */
static struct sl_pktbuf *fz_pkt(uint32_t len, uint8_t fill)
{
	struct sl_pktbuf *head = NULL, *last = NULL;
	uint32_t off = 0;

	do {
		struct sl_pktbuf *s = sl_pktbuf_alloc(&fz_pool);
		uint16_t c;

		if (s == NULL) {
			sl_pktbuf_free(head);
			return NULL;
		}
		c = (uint16_t)SL_MIN(len - off, (uint32_t)sl_pktbuf_tailroom(s));
		memset(sl_pktbuf_mtod(s, uint8_t *), fill, c);
		s->data_len = c;
		off += c;
		if (head == NULL) {
			head = s;
		} else {
			last->next = s;
			head->nb_segs++;
		}
		last = s;
	} while (off < len);
	head->pkt_len = len;
	return head;
}

static void fz_tx(unsigned qi, const uint8_t **in, const uint8_t *end)
{
	struct sl_pktbuf *pkts[8];
	struct vhost_queue *q = &fz_txq[qi];
	uint16_t n = 0, k, taken;

	if (*in >= end)
		return;
	k = (uint16_t)(**in % 9);
	(*in)++;
	for (uint16_t i = 0; i < k && end - *in >= 2; i++) {
		uint32_t len = 1 + (uint32_t)((*in)[0] | (*in)[1] << 8) % 9100;

		*in += 2;
		pkts[n] = fz_pkt(len, (uint8_t)i);
		if (pkts[n])
			n++;
	}
	if (qi >= fz_dev.nb_txq || fz_dev.txq[qi] == NULL) {
		for (uint16_t i = 0; i < n; i++)
			sl_pktbuf_free(pkts[i]);
		return;
	}
	taken = vhost_tx(q, pkts, n);
	if (fz_verbose)
		fprintf(stderr, "fuzz: tx queue %u: %u of %u packets taken, used index %u\n", qi,
			taken, n, q->used ? q->used->idx : 0);
	CHECK(taken <= n);
	for (uint16_t i = taken; i < n; i++) /* not taken: still ours */
		sl_pktbuf_free(pkts[i]);
}

static void fz_walk(unsigned v, uint8_t c, const uint8_t **in, const uint8_t *end)
{
	struct vhost_queue *q = fz_dev.vr[v].q;
	struct seg segs[MAX_SEGS];
	uint16_t head;
	unsigned n;

	if (end - *in < 2)
		return;
	head = (uint16_t)((*in)[0] | (*in)[1] << 8);
	*in += 2;
	if (q == NULL || __atomic_load_n(&q->gate.fault, __ATOMIC_RELAXED) != VHOST_FAULT_NONE)
		return;
	n = chain_walk(q, (uint16_t)(head & q->mask), c & 0x20, segs);
	CHECK(n <= MAX_SEGS);
	CHECK(n > 0 || __atomic_load_n(&q->gate.fault, __ATOMIC_RELAXED) != VHOST_FAULT_NONE);
	for (unsigned i = 0; i < n; i++)
		CHECK(fz_inside(segs[i].addr, segs[i].len));
}

/* The control thread's tick: a queue that faulted drops the frontend. */
static void fz_tick(void)
{
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		struct vhost_queue *q = fz_dev.vr[i].q;

		uint32_t f =
			q ? __atomic_load_n(&q->gate.fault, __ATOMIC_RELAXED) : VHOST_FAULT_NONE;

		if (f != VHOST_FAULT_NONE) {
			char why[160];

			CHECK(f < SL_ARRAY_SIZE(fault_names) && fault_names[f] != NULL);
			snprintf(why, sizeof(why), "vring %u: %s", i, fault_names[f]);
			__atomic_fetch_add(&fz_dev.frontend_faults, 1, __ATOMIC_RELAXED);
			dev_drop_log(&fz_dev, why); /* as ep_tick() */
			fz_drop();
			return;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *in = data + 2, *end = data + size;

	if (size < 2)
		return 0;
	fz_setup(data[0]);
	while (in < end) {
		uint8_t c = *in++;

		if (!(c & 0x80)) {
			if (!fz_message(c, &in, end))
				break;
			continue;
		}
		switch (c & 7) {
		case 0:
			if (in < end)
				fz_rx((c >> 3) & 1, (uint16_t)(*in++ % 40));
			break;
		case 1:
			fz_tx((c >> 3) & 1, &in, end);
			break;
		case 2: {
			uint32_t off, len;

			if (end - in < 3)
				break;
			off = (uint32_t)(in[0] | in[1] << 8) % FZ_MEM;
			len = SL_MIN((uint32_t)in[2], FZ_MEM - off);
			in += 3;
			len = SL_MIN(len, (uint32_t)(end - in));
			memcpy(fz_mem + off, in, len);
			in += len;
			break;
		}
		case 3:
			fz_tick();
			break;
		case 4: {
			char why[160];

			fz_dev.started = !fz_dev.started;
			if (vhost_sync(&fz_dev, why, sizeof(why)) < 0)
				fz_drop();
			break;
		}
		case 5:
			fz_drop();
			break;
		case 6:
			fz_walk((c >> 3) & 3, c, &in, end);
			break;
		default:
			break;
		}
		fz_check_dev();
	}
	ep_down(&fz_dev);
	CHECK(fz_dev.mem.n == 0 && !fz_dev.link_up);
	CHECK(fz_nfree == fz_cap); /* every buffer back */
	for (int fd = 0; fd < FZ_FD_SCAN; fd++)
		CHECK(fz_fd_open(fd) == fz_fd_baseline[fd]);
	return 0;
}
