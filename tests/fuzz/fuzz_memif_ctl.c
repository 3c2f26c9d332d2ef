/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the net_memif control channel (drivers/net/memif/memif_ctl.c).
 *
 * The driver file is compiled into this one (#include below), so the harness calls the
 * same static functions the control thread runs, single-threaded and without starting
 * that thread: listen_event() accepts a connection on a real abstract listening socket,
 * client_try() connects to it, conn_event() receives and handles one message,
 * check_faults() and timers() run as the thread's loop would.  The peer is this harness,
 * on the other end of a real SOCK_SEQPACKET connection, so the receive path (size checks,
 * SCM_RIGHTS, credentials) runs too.  The driver needs no test seam for this.
 *
 * Found so far: an empty message carrying fds was taken for end of file before its fds
 * were collected, leaking them in the driver's process (corpus bug_empty_msg_*).
 *
 * Input: an 8-byte header, then records of 1 control byte + 128 message bytes; a shorter
 * tail is sent as one message of that length.
 *
 *   header[0]  bit 0 client role (else server), bit 1 the interface has a secret
 *              ("fuzz-secret"), bit 2 interface not started (server), bit 3 odd queues
 *              not set up (NULL)
 *   header[1]  rx queues - 1 (low nibble), tx queues - 1 (high nibble)
 *   header[2]  client: log2 ring size = 1 + value % 8
 *   header[3]  client: buffer size = 64 + 16 * value
 *   header[4..7] interface id (u32, little endian)
 *
 *   control byte, bit 7 clear: send the 128 bytes as a message on the current connection
 *     (opened first if there is none: server, the harness connects and the listener
 *     accepts and sends HELLO; client, the driver connects and the harness accepts)
 *     bits 0-1  fd attached: 0 none, 1 memfd, 2 eventfd, 3 pipe (not a memory file)
 *     bit 2     memfd: half the size the message claims; ADD_RING: do not write the ring
 *               cookie at the announced offset of the region's memfd (written otherwise)
 *     bit 3     memfd created without sealing support
 *     bit 4     4 more eventfds attached (more than one fd; 5 overflow the driver's
 *               control buffer)
 *     bits 5-6  length sent: 0 -> 128, 1 -> 127, 2 -> 129, 3 -> 2
 *     A memfd is sized from the message's add_region.size, capped at FZ_REGION_CAP: a
 *     larger claim is then larger than the file.
 *   control byte, bit 7 set: an event, low 3 bits:
 *     0, 1  server: switch to connection slot 0 or 1 (a second peer on the same socket)
 *     2     a connected queue reports a fault, as the data path would (message byte 0:
 *           queue, byte 1: fault kind), then check_faults() runs
 *     3     every handshake deadline passes and the client's retry is due; timers() runs
 *     4     memif_ctl_stop() then memif_ctl_start() (port stop/start)
 *     5     the harness closes its end of the current connection
 *     other: nothing
 *
 * Checked after every step (__builtin_trap() on failure):
 *  - the server answers each message on a connection that stays open with exactly one ACK,
 *    or CONNECTED once connected; a connection it closes gets at most one DISCONNECT with a
 *    non-empty printable reason; it sends nothing else;
 *  - the client sends only 128-byte INIT/ADD_REGION/ADD_RING/CONNECT/DISCONNECT, with
 *    exactly one fd on ADD_REGION and ADD_RING;
 *  - an interface without a connection holds no region, ring, fd or open queue and is down;
 *  - while up, every connected queue's ring lies inside a mapped region and has the cookie;
 *  - every log line is printable (peer strings are sanitised);
 *  - the control thread leaves the queues' counters alone (st and memif's own, first in
 *    struct memif_queue next to the hand-over fields: the data path and the port layer own
 *    them): they keep the canary the harness writes at setup;
 *  - at the end of an input no fd is left open and no connection is left allocated
 *    (memory leaks: libFuzzer's leak detector).
 *
 * MEMIF_FUZZ_LOG=1 in the environment prints the driver's log lines (to read what a
 * reproducer does).
 */
#include "memif_ctl.c"

#include <sys/eventfd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

SL_LOG_TYPE_DEFINE(net_memif)

#define CHECK(c)                                                                          \
	do {                                                                               \
		if (!(c))                                                                  \
			__builtin_trap();                                                  \
	} while (0)

#define FZ_HDR 8
#define FZ_REC (1 + MEMIF_MSG_SIZE)
#define FZ_MAX_RECS 64
#define FZ_REGION_CAP (1u << 20) /* bytes of a region memfd the harness creates */
#define FZ_FD_SCAN 512           /* fds checked for leaks */
#define FZ_SECRET "fuzz-secret"

static struct memif_if fz_mif;
static struct memif_queue fz_rxq[SL_PORT_MAX_QUEUES], fz_txq[SL_PORT_MAX_QUEUES];
/* The counters of a queue: everything before the hand-over fields. */
#define FZ_COUNTERS offsetof(struct memif_queue, gate)
#define FZ_CANARY 0xc5
static struct memif_sock fz_sock;
static int fz_region_fd[MEMIF_MAX_REGIONS]; /* harness copies, to write ring cookies */
static uint64_t fz_region_len[MEMIF_MAX_REGIONS];

/* One connection as the harness sees it: the driver's conn (by id) and our end. */
struct fz_slot {
	uint64_t id;  /* 0: none */
	int peer;     /* our end, -1: none */
	bool hello;   /* server: we saw its HELLO */
};

static struct fz_slot fz_slots[2];
static unsigned fz_cur;

/* What the driver sent since the last drain. */
struct fz_replies {
	unsigned n, acks, connected, disconnects, others;
};

static bool fz_verbose; /* MEMIF_FUZZ_LOG=1: print the driver's log (reading a reproducer) */

static void fz_log_sink(const struct sl_log_type *type, int level, const char *line, void *arg)
{
	(void)type;
	(void)level;
	(void)arg;
	for (const char *p = line; *p; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
	if (fz_verbose)
		fprintf(stderr, "%s\n", line);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un sa;
	socklen_t len;
	int on = 1;

	(void)argc;
	(void)argv;
	fz_verbose = getenv("MEMIF_FUZZ_LOG") != NULL;
	sl_log_set_sink(fz_log_sink, NULL);
	sl_logtype_net_memif.level = SL_LOG_DEBUG; /* format every line the driver would log */
	/* Persistent, like the control thread's: an epoll set and one listening socket. */
	ctl.epfd = epoll_create1(EPOLL_CLOEXEC);
	snprintf(fz_sock.path, sizeof(fz_sock.path), "sluice-fuzz-memif-%d", (int)getpid());
	fz_sock.abstract = true;
	fz_sock.id = ++ctl.next_id;
	fz_sock.users = 1;
	fz_sock.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(ctl.epfd >= 0 && fz_sock.fd >= 0);
	setsockopt(fz_sock.fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	len = sock_addr(&sa, fz_sock.path, true);
	CHECK(bind(fz_sock.fd, (struct sockaddr *)&sa, len) == 0);
	CHECK(listen(fz_sock.fd, 16) == 0);
	ctl.socks = &fz_sock;
	return 0;
}

static bool fz_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

static struct memif_conn *fz_conn(uint64_t id)
{
	if (id == 0)
		return NULL;
	for (struct memif_conn *c = ctl.conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void fz_setup(const uint8_t *h)
{
	struct memif_if *mif = &fz_mif;
	bool client = h[0] & 1;

	memset(mif, 0, sizeof(*mif));
	snprintf(mif->name, sizeof(mif->name), "memif-fuzz");
	mif->role = client ? MEMIF_ROLE_CLIENT : MEMIF_ROLE_SERVER;
	mif->id = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
		  (uint32_t)h[7] << 24;
	if (h[0] & 2)
		strcpy(mif->secret, FZ_SECRET);
	strcpy(mif->path, fz_sock.path);
	mif->abstract = true;
	mif->bsize = 64 + 16u * h[3];
	mif->log2 = (uint8_t)(1 + h[2] % 8);
	mif->nb_rxq = (uint16_t)(1 + (h[1] & 15));
	mif->nb_txq = (uint16_t)(1 + (h[1] >> 4));
	for (unsigned i = 0; i < MEMIF_MAX_REGIONS; i++)
		mif->region_fds[i] = -1;
	for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++)
		mif->c2s[i].irq_fd = mif->s2c[i].irq_fd = -1;
	for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		bool skip = (h[0] & 8) && (i & 1);

		memset(&fz_rxq[i], 0, sizeof(fz_rxq[i]));
		memset(&fz_txq[i], 0, sizeof(fz_txq[i]));
		memset(&fz_rxq[i], FZ_CANARY, FZ_COUNTERS);
		memset(&fz_txq[i], FZ_CANARY, FZ_COUNTERS);
		fz_rxq[i].irq_fd = fz_txq[i].irq_fd = -1;
		fz_rxq[i].qid = fz_txq[i].qid = (uint16_t)i;
		fz_rxq[i].rx = true;
		fz_rxq[i].mif = fz_txq[i].mif = mif;
		if (i < mif->nb_rxq && !skip)
			mif->rxq[i] = &fz_rxq[i];
		if (i < mif->nb_txq && !skip)
			mif->txq[i] = &fz_txq[i];
	}
	mif->started = !client ? !(h[0] & 4) : true;
	if (!client)
		mif->sock = &fz_sock;
	ctl.ifs = mif;
	for (unsigned i = 0; i < MEMIF_MAX_REGIONS; i++)
		fz_region_fd[i] = -1;
	fz_slots[0] = fz_slots[1] = (struct fz_slot){.id = 0, .peer = -1};
	fz_cur = 0;
}

/* Reads everything the driver sent on a slot, closing the fds it passed. */
static void fz_drain(struct fz_slot *s, struct fz_replies *r)
{
	bool client = fz_mif.role == MEMIF_ROLE_CLIENT;

	memset(r, 0, sizeof(*r));
	if (s->peer < 0)
		return;
	for (;;) {
		uint8_t buf[MEMIF_MSG_SIZE + 8];
		/* Our end may pass credentials (accepted from a SO_PASSCRED listener). */
		char ctrl[CMSG_SPACE(8 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
				    .msg_controllen = sizeof(ctrl)};
		struct memif_msg m;
		unsigned nfds = 0;
		ssize_t n = recvmsg(s->peer, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n <= 0)
			break;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t k = 0; k < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
				int f;

				memcpy(&f, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
				close(f);
				nfds++;
			}
		}
		CHECK(n == MEMIF_MSG_SIZE && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)));
		memcpy(&m, buf, sizeof(m));
		r->n++;
		switch (m.type) {
		case MEMIF_MSG_ACK:
			CHECK(!client && nfds == 0);
			r->acks++;
			break;
		case MEMIF_MSG_HELLO:
			CHECK(!client && !s->hello && nfds == 0);
			CHECK(m.hello.min_version <= MEMIF_VERSION &&
			      m.hello.max_version >= MEMIF_VERSION);
			s->hello = true;
			break;
		case MEMIF_MSG_CONNECTED:
			CHECK(!client && nfds == 0);
			r->connected++;
			break;
		case MEMIF_MSG_DISCONNECT:
			CHECK(nfds == 0);
			CHECK(m.disconnect.string[0] != '\0');
			for (unsigned i = 0; i < MEMIF_DISC_STRING_SIZE && m.disconnect.string[i];
			     i++)
				CHECK(m.disconnect.string[i] >= 0x20 &&
				      m.disconnect.string[i] < 0x7f);
			r->disconnects++;
			break;
		case MEMIF_MSG_INIT:
		case MEMIF_MSG_CONNECT:
			CHECK(client && nfds == 0);
			r->others++;
			break;
		case MEMIF_MSG_ADD_REGION:
		case MEMIF_MSG_ADD_RING:
			CHECK(client && nfds == 1);
			r->others++;
			break;
		default:
			CHECK(0);
		}
	}
}

static void fz_slot_close(struct fz_slot *s)
{
	struct fz_replies r;

	fz_drain(s, &r);
	if (s->peer >= 0)
		close(s->peer);
	*s = (struct fz_slot){.id = 0, .peer = -1};
}

/* Opens a connection for the current slot; false when there is none to be had. */
static bool fz_open(struct fz_slot *s)
{
	struct sockaddr_un sa;
	socklen_t len = sock_addr(&sa, fz_sock.path, true);
	struct fz_replies r;

	if (fz_mif.role == MEMIF_ROLE_CLIENT) {
		/* The driver connects; we are the server and accept. */
		if (fz_mif.conn == NULL)
			client_try(&fz_mif, now_ns());
		if (fz_mif.conn == NULL)
			return false;
		s->peer = accept4(fz_sock.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		CHECK(s->peer >= 0);
		s->id = fz_mif.conn->id;
		return true;
	}
	s->peer = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(s->peer >= 0);
	CHECK(connect(s->peer, (struct sockaddr *)&sa, len) == 0);
	listen_event(&fz_sock);
	CHECK(ctl.conns != NULL && ctl.conns->state == CONN_WAIT_INIT);
	s->id = ctl.conns->id;
	fz_drain(s, &r);
	CHECK(s->hello && r.n == 1);
	return true;
}

/* An interface without a connection is fully down; one that is up points inside its
 * regions. */
static void fz_check_mif(void)
{
	struct memif_if *mif = &fz_mif;

	for (unsigned i = 0; i < 2 * SL_PORT_MAX_QUEUES; i++) {
		const uint8_t *c = (const uint8_t *)(i & 1 ? &fz_txq[i / 2] : &fz_rxq[i / 2]);

		for (size_t k = 0; k < FZ_COUNTERS; k++)
			CHECK(c[k] == FZ_CANARY);
	}
	if (mif->conn == NULL) {
		CHECK(mif->nb_regions == 0 && mif->nb_c2s == 0 && mif->nb_s2c == 0);
		CHECK(__atomic_load_n(&mif->link_up, __ATOMIC_RELAXED) == 0);
		for (unsigned i = 0; i < MEMIF_MAX_REGIONS; i++)
			CHECK(mif->region_fds[i] == -1 && mif->regions[i].addr == NULL);
		for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++) {
			CHECK(!mif->c2s[i].added && !mif->s2c[i].added);
			CHECK(mif->c2s[i].irq_fd == -1 && mif->s2c[i].irq_fd == -1);
			CHECK(!fz_rxq[i].gate.open && !fz_txq[i].gate.open);
		}
		return;
	}
	CHECK(mif->conn->mif == mif);
	if (!__atomic_load_n(&mif->link_up, __ATOMIC_RELAXED)) {
		for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++)
			CHECK(!fz_rxq[i].gate.open && !fz_txq[i].gate.open);
		return;
	}
	CHECK(mif->conn->state == CONN_UP);
	CHECK(mif->nb_c2s >= 1 && mif->nb_s2c >= 1);
	for (unsigned i = 0; i < 2 * SL_PORT_MAX_QUEUES; i++) {
		struct memif_queue *q = i & 1 ? &fz_txq[i / 2] : &fz_rxq[i / 2];
		const uint8_t *ring = (const uint8_t *)q->ring;
		bool inside = false;

		if (!q->gate.open)
			continue;
		CHECK(q->size >= 2 && SL_IS_POW2(q->size) && q->mask == q->size - 1);
		CHECK(q->regions == mif->regions && q->nb_regions == mif->nb_regions);
		for (unsigned r = 0; r < mif->nb_regions; r++) {
			const uint8_t *a = mif->regions[r].addr;

			if (ring >= a && (uint64_t)(ring - a) + sizeof(struct memif_ring) +
						 (uint64_t)q->size * sizeof(struct memif_desc) <=
					 mif->regions[r].size)
				inside = true;
		}
		CHECK(inside);
		/* The client built its rings; a server's peer may overlap its own rings, so a
		 * cookie there can be overwritten by another ring's indexes (harmless). */
		if (q->client)
			CHECK(q->ring->cookie == MEMIF_COOKIE);
	}
}

/* Drains every slot, closes the ones whose connection the driver dropped, checks. */
static void fz_after(struct fz_slot *sent_on, bool msg)
{
	for (unsigned i = 0; i < 2; i++) {
		struct fz_slot *s = &fz_slots[i];
		struct memif_conn *c = fz_conn(s->id);
		struct fz_replies r;

		if (s->peer < 0)
			continue;
		fz_drain(s, &r);
		if (c == NULL) {
			/* Closed by the driver: at most a DISCONNECT saying why. */
			CHECK(r.disconnects <= 1 && r.acks == 0 && r.connected == 0);
			fz_slot_close(s);
			continue;
		}
		CHECK(r.disconnects == 0);
		if (fz_mif.role == MEMIF_ROLE_SERVER) {
			if (s == sent_on && msg)
				CHECK(r.n == 1 && r.acks + r.connected == 1 &&
				      (r.connected == 1) == (c->state == CONN_UP));
			else
				CHECK(r.n == 0);
		} else {
			/* The client sends one setup message per HELLO or ACK. */
			CHECK(r.n <= 1 && (r.n == 0 || (s == sent_on && msg)));
		}
	}
	/* The client's retry (timers, start) may have connected again. */
	if (fz_mif.role == MEMIF_ROLE_CLIENT && fz_mif.conn && fz_slots[0].peer < 0) {
		fz_slots[0].peer = accept4(fz_sock.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		CHECK(fz_slots[0].peer >= 0);
		fz_slots[0].id = fz_mif.conn->id;
	}
	fz_check_mif();
}

static int fz_make_fd(uint8_t ctl_byte, const struct memif_msg *m)
{
	unsigned kind = ctl_byte & 3;
	int fd = -1, p[2];

	if (kind == 1) {
		uint64_t size = m->add_region.size;
		unsigned flags = MFD_CLOEXEC | ((ctl_byte & 8) ? 0 : MFD_ALLOW_SEALING);

		if (size > FZ_REGION_CAP)
			size = FZ_REGION_CAP;
		if (ctl_byte & 4)
			size /= 2;
		fd = memfd_create("fuzz_region", flags);
		CHECK(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
		if (m->type == MEMIF_MSG_ADD_REGION && m->add_region.index < MEMIF_MAX_REGIONS) {
			unsigned idx = m->add_region.index;

			if (fz_region_fd[idx] >= 0)
				close(fz_region_fd[idx]);
			fz_region_fd[idx] = dup(fd);
			fz_region_len[idx] = size;
		}
	} else if (kind == 2) {
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	} else if (kind == 3) {
		CHECK(pipe2(p, O_CLOEXEC) == 0);
		close(p[1]);
		fd = p[0];
	}
	return fd;
}

/* Sends one message (len bytes of m) with its fds on our end of slot s. */
static void fz_send(struct fz_slot *s, uint8_t ctl_byte, struct memif_msg *m, size_t len)
{
	static const size_t lens[] = {MEMIF_MSG_SIZE, MEMIF_MSG_SIZE - 1, MEMIF_MSG_SIZE + 1, 2};
	uint8_t buf[MEMIF_MSG_SIZE + 1];
	char ctrl[CMSG_SPACE(5 * sizeof(int))];
	int fds[5], nfds = 0, fd;
	struct iovec iov = {.iov_base = buf};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, m, len);
	iov.iov_len = len < MEMIF_MSG_SIZE ? len : lens[(ctl_byte >> 5) & 3];
	/* The ring cookie where ADD_RING says the ring is, in the memfd we gave for it. */
	if (m->type == MEMIF_MSG_ADD_RING && !(ctl_byte & 4) &&
	    m->add_ring.region < MEMIF_MAX_REGIONS && fz_region_fd[m->add_ring.region] >= 0 &&
	    (uint64_t)m->add_ring.offset + 4 <= fz_region_len[m->add_ring.region]) {
		uint32_t cookie = MEMIF_COOKIE;

		CHECK(pwrite(fz_region_fd[m->add_ring.region], &cookie, 4, m->add_ring.offset) ==
		      4);
	}
	fd = fz_make_fd(ctl_byte, m);
	if (fd >= 0)
		fds[nfds++] = fd;
	if (ctl_byte & 16)
		for (int i = 0; i < 4; i++)
			fds[nfds++] = eventfd(0, EFD_CLOEXEC);
	if (nfds) {
		struct cmsghdr *cm;

		memset(ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (size_t)nfds * sizeof(int));
	}
	CHECK(sendmsg(s->peer, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)iov.iov_len);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

static void fz_event(uint8_t ev, const struct memif_msg *m)
{
	struct fz_slot *s = &fz_slots[fz_cur];

	switch (ev & 7) {
	case 0:
	case 1:
		if (fz_mif.role == MEMIF_ROLE_SERVER)
			fz_cur = ev & 1;
		break;
	case 2: {
		const uint8_t *b = (const uint8_t *)m;
		unsigned qi = b[0] & 31;
		struct memif_queue *q = qi & 1 ? fz_mif.txq[qi / 2] : fz_mif.rxq[qi / 2];

		if (q && __atomic_load_n(&q->gate.open, __ATOMIC_ACQUIRE))
			memif_ctl_fault(q, (enum memif_fault)(b[1] & 3));
		check_faults();
		break;
	}
	case 3:
		for (struct memif_conn *c = ctl.conns; c; c = c->next)
			c->deadline_ns = 0;
		fz_mif.next_attempt_ns = 0;
		timers();
		break;
	case 4:
		memif_ctl_stop(&fz_mif);
		memif_ctl_start(&fz_mif);
		break;
	case 5:
		if (s->peer >= 0) {
			struct memif_conn *c = fz_conn(s->id);

			close(s->peer);
			s->peer = -1;
			/* The driver sees EOF (or a reset) on its next read. */
			if (c)
				conn_event(c, EPOLLIN | EPOLLHUP);
			CHECK(fz_conn(s->id) == NULL);
			*s = (struct fz_slot){.id = 0, .peer = -1};
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool open_before[FZ_FD_SCAN];
	size_t off = FZ_HDR;
	unsigned nrec = 0;

	if (size < FZ_HDR || size > FZ_HDR + FZ_MAX_RECS * FZ_REC)
		return 0;
	for (int fd = 0; fd < FZ_FD_SCAN; fd++)
		open_before[fd] = fz_fd_open(fd);
	fz_setup(data);

	while (off < size && nrec++ < FZ_MAX_RECS) {
		uint8_t cb = data[off++];
		size_t len = SL_MIN(size - off, (size_t)MEMIF_MSG_SIZE);
		struct memif_msg m;
		struct fz_slot *s;
		struct memif_conn *c;

		memset(&m, 0, sizeof(m));
		memcpy(&m, data + off, len);
		off += len;
		if (cb & 0x80) {
			fz_event(cb, &m);
			fz_after(NULL, false);
			continue;
		}
		s = &fz_slots[fz_cur];
		if (s->peer < 0 && !fz_open(s))
			continue;
		fz_send(s, cb, &m, len);
		c = fz_conn(s->id);
		CHECK(c != NULL);
		conn_event(c, EPOLLIN);
		fz_after(s, true);
	}

	/* Close everything: the driver's connections, then ours, then the listener's queue. */
	while (ctl.conns)
		conn_close(ctl.conns, "fuzz input done", NULL);
	CHECK(ctl.nb_conns == 0);
	for (unsigned i = 0; i < 2; i++)
		fz_slot_close(&fz_slots[i]);
	for (;;) {
		int fd = accept4(fz_sock.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			break;
		close(fd);
	}
	for (unsigned i = 0; i < MEMIF_MAX_REGIONS; i++)
		if (fz_region_fd[i] >= 0)
			close(fz_region_fd[i]);
	fz_check_mif();
	ctl.ifs = NULL;
	for (int fd = 0; fd < FZ_FD_SCAN; fd++)
		CHECK(fz_fd_open(fd) == open_before[fd]);
	return 0;
}
