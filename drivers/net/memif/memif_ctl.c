/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_memif control channel: one background thread per process runs every memif socket
 * (listeners, connections, client reconnect timers) from one epoll loop.
 *
 * The handshake is lock-step (memif v2.0): the server sends HELLO; the client answers INIT,
 * then ADD_REGION for each region, ADD_RING for each ring and CONNECT, each one after the
 * server's ACK of the previous; the server maps everything, checks it and answers CONNECTED.
 * Either side may send DISCONNECT with a reason and close.
 *
 * The peer is not trusted: every message is checked (size, type for the state, every field
 * range, region sizes against the file, rings inside their regions) and any failure sends
 * DISCONNECT with the reason, logs it, counts it and closes; the listener keeps serving.
 *
 * Epoll entries carry a tag and an id, never a pointer: an entry whose object went away
 * while the thread waited for the lock is simply not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "memif_priv.h"

#define TAG_SHIFT 56
#define TAG_WAKE 0ull
#define TAG_LISTEN 1ull
#define TAG_CONN 2ull
#define MAX_CONNS 64            /* connections not yet tied to an interface, and others */
#define HANDSHAKE_TIMEOUT_MS 5000
#define MAX_OUT (2 + MEMIF_MAX_REGIONS + 2 * SL_PORT_MAX_QUEUES)

struct memif_sock {
	uint64_t id;
	char path[108];
	bool abstract;
	int fd;
	unsigned users;
	struct memif_sock *next;
};

enum conn_state {
	CONN_WAIT_INIT,   /* server: HELLO sent */
	CONN_SETUP,       /* server: INIT accepted, regions and rings coming */
	CONN_WAIT_HELLO,  /* client: connected, HELLO expected */
	CONN_SENDING,     /* client: sending INIT..CONNECT one per ACK, then CONNECTED */
	CONN_UP,          /* both: CONNECTED */
};

struct memif_conn {
	uint64_t id;
	int fd;
	enum conn_state state;
	struct memif_sock *sock; /* server side: the listener it came from */
	struct memif_if *mif;    /* NULL until INIT names an interface (server) */
	uint64_t deadline_ns;    /* handshake must finish by then */
	struct memif_msg out[MAX_OUT];
	int out_fd[MAX_OUT];
	unsigned nb_out, sent;
	struct memif_conn *next;
};

static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool running;
	uint32_t stop;
	pthread_t thread;
	int epfd;
	int wake_fd;
	uint64_t next_id;
	unsigned nb_conns;
	struct memif_if *ifs;
	struct memif_sock *socks;
	struct memif_conn *conns;
} ctl = {.epfd = -1, .wake_fd = -1};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Copies a peer string (maybe unterminated, maybe binary) into something printable. */
static void peer_string(char *dst, size_t dst_size, const uint8_t *src, size_t src_size)
{
	size_t i;

	for (i = 0; i < src_size && i + 1 < dst_size && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

/* Copies a local string into a fixed wire field (NUL-padded, maybe unterminated when full). */
static void put_str(uint8_t *dst, size_t size, const char *src)
{
	memcpy(dst, src, SL_MIN(strlen(src), size - 1));
}

static socklen_t sock_addr(struct sockaddr_un *sa, const char *path, bool abstract)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (abstract) {
		/* Abstract names are the exact bytes given: no trailing NUL (DPDK and libmemif
		 * bind "\0" + path with this length). */
		memcpy(sa->sun_path + 1, path, len);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
	}
	memcpy(sa->sun_path, path, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

static void epoll_watch(int fd, uint64_t tag, uint64_t id)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag << TAG_SHIFT | id};

	epoll_ctl(ctl.epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void wake(void)
{
	uint64_t one = 1;

	if (ctl.wake_fd >= 0 && write(ctl.wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the thread is awake anyway */
	}
}

/* --- sending --- */

static int send_msg(struct memif_conn *c, const struct memif_msg *m, int fd)
{
	char ctrl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl;
		mh.msg_controllen = sizeof(ctrl);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(*m))
		return -errno ? -errno : -EIO;
	return 0;
}

static int send_simple(struct memif_conn *c, uint16_t type, const char *name)
{
	struct memif_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	if (name)
		put_str(m.connect.if_name, MEMIF_NAME_SIZE, name);
	return send_msg(c, &m, -1);
}

/* --- interface run state --- */

/* Takes the data path off every queue, waits for bursts in flight, then unmaps. */
static void mif_down(struct memif_if *mif)
{
	struct memif_queue *qs[2 * SL_PORT_MAX_QUEUES];
	unsigned nq = 0;

	for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		if (mif->rxq[i])
			qs[nq++] = mif->rxq[i];
		if (mif->txq[i])
			qs[nq++] = mif->txq[i];
	}
	__atomic_store_n(&mif->link_up, 0, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < nq; i++) {
		sl_gate_close(&qs[i]->gate);
		/* Zero-copy: the buffers the rings held go back to their pool now that no burst
		 * can touch them (the peer may still have them mapped: it gets nothing more). */
		if (mif->zc_release)
			mif->zc_release(qs[i]);
		qs[i]->ring = NULL;
		qs[i]->irq_fd = -1;
	}
	for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++) {
		if (mif->c2s[i].added && mif->c2s[i].irq_fd >= 0)
			close(mif->c2s[i].irq_fd);
		if (mif->s2c[i].added && mif->s2c[i].irq_fd >= 0)
			close(mif->s2c[i].irq_fd);
		mif->c2s[i].added = mif->s2c[i].added = false;
		mif->c2s[i].irq_fd = mif->s2c[i].irq_fd = -1;
	}
	for (unsigned r = 0; r < mif->nb_regions; r++) {
		if (mif->regions[r].addr)
			munmap(mif->regions[r].addr, mif->regions[r].size);
		if (mif->region_fds[r] >= 0)
			close(mif->region_fds[r]);
		mif->regions[r].addr = NULL;
		mif->regions[r].size = 0;
		mif->region_fds[r] = -1;
	}
	mif->nb_regions = 0;
	mif->nb_c2s = mif->nb_s2c = 0;
}

/* Points the queues at their rings, resets the indexes and opens the data path. */
static void mif_up(struct memif_if *mif)
{
	bool client = mif->role == MEMIF_ROLE_CLIENT;

	for (unsigned dir = 0; dir < 2; dir++) {
		bool c2s = dir == 0;
		unsigned n = c2s ? mif->nb_c2s : mif->nb_s2c;

		for (unsigned i = 0; i < n; i++) {
			/* The client sends on c2s rings, the server receives on them. */
			bool rx = c2s ? !client : client;
			struct memif_queue *q = rx ? mif->rxq[i] : mif->txq[i];
			__typeof__(mif->c2s[0]) *rd = c2s ? &mif->c2s[i] : &mif->s2c[i];
			struct memif_ring *ring =
				(struct memif_ring *)(mif->regions[rd->region].addr + rd->offset);

			if (q == NULL)
				continue;
			__atomic_store_n(&ring->head, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&ring->tail, 0, __ATOMIC_RELAXED);
			/* We poll the rings we receive on: ask the peer not to signal them. */
			if (rx)
				__atomic_store_n(&ring->flags, MEMIF_RING_FLAG_MASK_INT,
						 __ATOMIC_RELAXED);
			q->ring = ring;
			q->regions = mif->regions;
			q->nb_regions = mif->nb_regions;
			q->size = (uint16_t)(1u << rd->log2);
			q->mask = (uint16_t)(q->size - 1);
			q->client = client;
			q->bsize = mif->bsize;
			q->buf_base =
				memif_region_size(mif->nb_c2s, mif->nb_s2c, mif->run_log2, 0) +
				((uint64_t)((c2s ? 0 : mif->nb_c2s) + i) << mif->run_log2) *
					mif->bsize;
			q->irq_fd = rd->irq_fd;
			q->last = 0;
			q->refill = 0;
			q->done = 0;
			sl_gate_open(&q->gate);
		}
	}
	__atomic_store_n(&mif->link_up, 1, __ATOMIC_RELEASE);
	sl_counter_add(&mif->connects, 1);
}

/* --- connections --- */

static void counter_inc(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/*
 * Ends a connection.  why != NULL: we are dropping the peer (sends DISCONNECT with the
 * reason, logs it, counts a rejection); peer_why: the peer said why it left.
 */
static void conn_close(struct memif_conn *c, const char *why, const char *peer_why)
{
	struct memif_if *mif = c->mif;

	if (why) {
		struct memif_msg m;

		memset(&m, 0, sizeof(m));
		m.type = MEMIF_MSG_DISCONNECT;
		put_str(m.disconnect.string, MEMIF_DISC_STRING_SIZE, why);
		send_msg(c, &m, -1);
		if (mif) {
			SL_LOG(net_memif, WARNING, "%s: disconnecting memif peer '%s': %s",
			       mif->name, mif->remote_name, why);
			counter_inc(&mif->ctl_rejected);
		} else if (c->sock) {
			SL_LOG(net_memif, WARNING, "memif socket %s%s: rejected a connection: %s",
			       c->sock->abstract ? "@" : "", c->sock->path, why);
			for (struct memif_if *m2 = ctl.ifs; m2; m2 = m2->next)
				if (m2->sock == c->sock)
					counter_inc(&m2->ctl_rejected);
		}
	} else if (mif && peer_why) {
		SL_LOG(net_memif, NOTICE, "%s: memif peer '%s' disconnected: %s", mif->name,
		       mif->remote_name, peer_why);
	}
	if (mif) {
		bool was_up = __atomic_load_n(&mif->link_up, __ATOMIC_RELAXED);

		mif_down(mif);
		if (was_up)
			counter_inc(&mif->disconnects);
		mif->conn = NULL;
		mif->remote_name[0] = '\0';
		if (mif->role == MEMIF_ROLE_CLIENT)
			mif->next_attempt_ns = now_ns() + MEMIF_RECONNECT_MS * 1000000ull;
	}
	/* The fds of queued messages belong to the interface: mif_down closed them. */
	epoll_ctl(ctl.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	for (struct memif_conn **p = &ctl.conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	ctl.nb_conns--;
	free(c);
}

static struct memif_conn *conn_new(int fd, enum conn_state state)
{
	struct memif_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->id = ++ctl.next_id;
	c->fd = fd;
	c->state = state;
	c->deadline_ns = now_ns() + HANDSHAKE_TIMEOUT_MS * 1000000ull;
	c->next = ctl.conns;
	ctl.conns = c;
	ctl.nb_conns++;
	epoll_watch(fd, TAG_CONN, c->id);
	return c;
}

/* --- server side messages --- */

/*
 * Writes why a connection must close into why[why_size] and returns -1, so that a check
 * reads `return fail(why, why_size, ...)`: the caller sends DISCONNECT with that reason,
 * logs it, counts it and closes (conn_close).
 */
static int fail(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
	return -1;
}

static int srv_init(struct memif_conn *c, const struct memif_msg *m, char *why, size_t why_size)
{
	const struct memif_msg_init *in = &m->init;
	struct memif_if *mif;

	if (in->version != MEMIF_VERSION)
		return fail(why, why_size,
			    "incompatible memif version 0x%04x (this side speaks 0x%04x)",
			    in->version, MEMIF_VERSION);
	for (mif = ctl.ifs; mif; mif = mif->next)
		if (mif->sock == c->sock && mif->role == MEMIF_ROLE_SERVER && mif->id == in->id)
			break;
	if (mif == NULL)
		return fail(why, why_size, "no interface with id %u on this socket", in->id);
	if (!mif->started)
		return fail(why, why_size, "interface id %u is not started", in->id);
	if (mif->conn)
		return fail(why, why_size, "interface id %u is already connected", in->id);
	if (in->mode != MEMIF_MODE_ETHERNET)
		return fail(why, why_size, "interface mode %u is not supported (ethernet only)",
			    in->mode);
	if (mif->secret[0] && strncmp(mif->secret, (const char *)in->secret, MEMIF_SECRET_SIZE)) {
		if (in->secret[0] == '\0')
			return fail(why, why_size, "secret required for interface id %u", in->id);
		return fail(why, why_size, "incorrect secret for interface id %u", in->id);
	}
	c->mif = mif;
	mif->conn = c;
	peer_string(mif->remote_name, sizeof(mif->remote_name), in->name, MEMIF_NAME_SIZE);
	c->state = CONN_SETUP;
	if (send_simple(c, MEMIF_MSG_ACK, NULL) < 0)
		return fail(why, why_size, "cannot send ack: %s", strerror(errno));
	return 0;
}

static int srv_add_region(struct memif_conn *c, const struct memif_msg *m, int *fd, char *why,
			  size_t why_size)
{
	const struct memif_msg_add_region *ar = &m->add_region;
	struct memif_if *mif = c->mif;
	struct stat st;
	int seals;
	void *addr;

	if (*fd < 0)
		return fail(why, why_size, "region %u: missing region fd", ar->index);
	if (ar->index >= MEMIF_MAX_REGIONS)
		return fail(why, why_size, "region index %u beyond the %u regions accepted",
			    ar->index, MEMIF_MAX_REGIONS);
	if (ar->index != mif->nb_regions)
		return fail(why, why_size, "region index %u out of sequence (expected %u)",
			    ar->index, mif->nb_regions);
	if (ar->size == 0 || ar->size > (1ull << 40))
		return fail(why, why_size, "region %u: size %llu out of range", ar->index,
			    (unsigned long long)ar->size);
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode))
		return fail(why, why_size, "region %u: fd is not a memory file", ar->index);
	if ((uint64_t)st.st_size < ar->size)
		return fail(why, why_size,
			    "region %u: size %llu is larger than its file (%lld bytes)", ar->index,
			    (unsigned long long)ar->size, (long long)st.st_size);
	/* A peer that shrinks the file under our mapping would make us fault (SIGBUS). */
	seals = fcntl(*fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		if (fcntl(*fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
			return fail(why, why_size,
				    "region %u: file is not sealed against shrinking (memfd with "
				    "F_SEAL_SHRINK needed)",
				    ar->index);
	}
	addr = mmap(NULL, ar->size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (addr == MAP_FAILED)
		return fail(why, why_size, "region %u: cannot map %llu bytes: %s", ar->index,
			    (unsigned long long)ar->size, strerror(errno));
	mif->regions[ar->index].addr = addr;
	mif->regions[ar->index].size = ar->size;
	mif->region_fds[ar->index] = *fd;
	*fd = -1;
	mif->nb_regions++;
	if (send_simple(c, MEMIF_MSG_ACK, NULL) < 0)
		return fail(why, why_size, "cannot send ack: %s", strerror(errno));
	return 0;
}

static int srv_add_ring(struct memif_conn *c, const struct memif_msg *m, int *fd, char *why,
			size_t why_size)
{
	const struct memif_msg_add_ring *ar = &m->add_ring;
	struct memif_if *mif = c->mif;
	bool c2s = ar->flags & MEMIF_RING_FLAG_C2S;
	const char *dir = c2s ? "c2s" : "s2c";
	unsigned limit = c2s ? mif->nb_rxq : mif->nb_txq;
	__typeof__(mif->c2s[0]) *rd;
	uint64_t bytes;

	if (*fd < 0)
		return fail(why, why_size, "%s ring %u: missing interrupt fd", dir, ar->index);
	if (ar->flags & ~MEMIF_RING_FLAG_C2S)
		return fail(why, why_size, "%s ring %u: unknown flags 0x%x", dir, ar->index,
			    ar->flags);
	if (ar->index >= limit)
		return fail(why, why_size,
			    "%s ring index %u beyond the %u queues of this interface", dir,
			    ar->index, limit);
	rd = c2s ? &mif->c2s[ar->index] : &mif->s2c[ar->index];
	if (rd->added)
		return fail(why, why_size, "%s ring %u added twice", dir, ar->index);
	if (ar->region >= mif->nb_regions)
		return fail(why, why_size, "%s ring %u: region %u was not added", dir, ar->index,
			    ar->region);
	if (ar->log2_ring_size < 1 || ar->log2_ring_size > MEMIF_MAX_LOG2_RING)
		return fail(why, why_size, "%s ring %u: log2 ring size %u out of [1, %u]", dir,
			    ar->index, ar->log2_ring_size, MEMIF_MAX_LOG2_RING);
	if (ar->private_hdr_size != 0)
		return fail(why, why_size, "%s ring %u: private header size %u not supported", dir,
			    ar->index, ar->private_hdr_size);
	if (ar->offset % 8)
		return fail(why, why_size, "%s ring %u: offset %u is not 8-byte aligned", dir,
			    ar->index, ar->offset);
	bytes = memif_ring_bytes(ar->log2_ring_size);
	if ((uint64_t)ar->offset + bytes > mif->regions[ar->region].size)
		return fail(
			why, why_size,
			"%s ring %u: ring offset %u + %llu bytes is beyond region %u (%llu bytes)",
			dir, ar->index, ar->offset, (unsigned long long)bytes, ar->region,
			(unsigned long long)mif->regions[ar->region].size);
	rd->added = true;
	rd->region = ar->region;
	rd->offset = ar->offset;
	rd->log2 = ar->log2_ring_size;
	rd->irq_fd = *fd;
	*fd = -1;
	if (send_simple(c, MEMIF_MSG_ACK, NULL) < 0)
		return fail(why, why_size, "cannot send ack: %s", strerror(errno));
	return 0;
}

static int srv_connect(struct memif_conn *c, const struct memif_msg *m, char *why,
		       size_t why_size)
{
	struct memif_if *mif = c->mif;
	unsigned nc = 0, ns = 0;
	char ifname[MEMIF_NAME_SIZE + 1];

	while (nc < SL_PORT_MAX_QUEUES && mif->c2s[nc].added)
		nc++;
	while (ns < SL_PORT_MAX_QUEUES && mif->s2c[ns].added)
		ns++;
	for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++)
		if ((mif->c2s[i].added && i >= nc) || (mif->s2c[i].added && i >= ns))
			return fail(why, why_size, "rings are not numbered from 0 without gaps");
	if (nc == 0 || ns == 0)
		return fail(why, why_size, "connect without rings (%u c2s, %u s2c)", nc, ns);
	for (unsigned i = 0; i < nc + ns; i++) {
		__typeof__(mif->c2s[0]) *rd = i < nc ? &mif->c2s[i] : &mif->s2c[i - nc];
		const struct memif_ring *ring =
			(const void *)(mif->regions[rd->region].addr + rd->offset);

		if (__atomic_load_n(&ring->cookie, __ATOMIC_RELAXED) != MEMIF_COOKIE)
			return fail(why, why_size, "%s ring %u has a bad cookie",
				    i < nc ? "c2s" : "s2c", i < nc ? i : i - nc);
	}
	mif->nb_c2s = (uint16_t)nc;
	mif->nb_s2c = (uint16_t)ns;
	mif->run_log2 = 0; /* the server never computes client buffer offsets */
	peer_string(ifname, sizeof(ifname), m->connect.if_name, MEMIF_NAME_SIZE);
	if (send_simple(c, MEMIF_MSG_CONNECTED, mif->name) < 0)
		return fail(why, why_size, "cannot send connected");
	c->state = CONN_UP;
	mif_up(mif);
	SL_LOG(net_memif, NOTICE, "%s: memif peer '%s' (%s) connected: %u c2s + %u s2c rings",
	       mif->name, mif->remote_name, ifname, nc, ns);
	return 0;
}

/* --- client side messages --- */

static void queue_out(struct memif_conn *c, const struct memif_msg *m, int fd)
{
	c->out[c->nb_out] = *m;
	c->out_fd[c->nb_out] = fd;
	c->nb_out++;
}

static int send_next(struct memif_conn *c)
{
	int rc = send_msg(c, &c->out[c->sent], c->out_fd[c->sent]);

	c->sent++;
	return rc;
}

uint64_t memif_region_size(unsigned nb_c2s, unsigned nb_s2c, unsigned log2, uint32_t bsize)
{
	uint64_t rings = (uint64_t)(nb_c2s + nb_s2c);

	return rings * memif_ring_bytes(log2) + ((rings << log2) * bsize);
}

/*
 * Builds region 0 in a sealed memfd and the ring eventfds.  Copy mode: rings then buffers,
 * descriptors pre-filled.  Zero-copy: rings only, regions 1..n are the memfds of the
 * exposed packet-buffer pools (dup'ed: the memory library keeps its own fds), described
 * by memif.c at start; the data path fills the descriptors.
 */
static int cli_build(struct memif_if *mif, char *why, size_t why_size)
{
	unsigned nr = mif->nb_c2s + mif->nb_s2c, log2 = mif->run_log2;
	uint64_t size = memif_region_size(mif->nb_c2s, mif->nb_s2c, log2, mif->zc ? 0 : mif->bsize);
	uint64_t buf0 = memif_region_size(mif->nb_c2s, mif->nb_s2c, log2, 0);
	int fd = memfd_create("sluice_memif", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	uint8_t *addr;

	if (fd < 0)
		return fail(why, why_size, "memfd_create: %s", strerror(errno));
	if (ftruncate(fd, (off_t)size) < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		close(fd);
		return fail(why, why_size, "cannot size the %llu-byte region: %s",
			    (unsigned long long)size, strerror(errno));
	}
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED) {
		close(fd);
		return fail(why, why_size, "cannot map the %llu-byte region: %s",
			    (unsigned long long)size, strerror(errno));
	}
	mif->regions[0].addr = addr;
	mif->regions[0].size = size;
	mif->region_fds[0] = fd;
	mif->nb_regions = 1;
	for (unsigned r = 0; r < nr; r++) {
		bool c2s = r < mif->nb_c2s;
		unsigned idx = c2s ? r : r - mif->nb_c2s;
		__typeof__(mif->c2s[0]) *rd = c2s ? &mif->c2s[idx] : &mif->s2c[idx];
		struct memif_ring *ring = (struct memif_ring *)(addr + r * memif_ring_bytes(log2));

		ring->cookie = MEMIF_COOKIE;
		for (unsigned j = 0; !mif->zc && j < (1u << log2); j++) {
			ring->desc[j].region = 0;
			ring->desc[j].offset =
				(uint32_t)(buf0 + (((uint64_t)r << log2) + j) * mif->bsize);
			ring->desc[j].length = mif->bsize;
		}
		rd->added = true;
		rd->region = 0;
		rd->offset = (uint32_t)(r * memif_ring_bytes(log2));
		rd->log2 = (uint8_t)log2;
		rd->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (rd->irq_fd < 0)
			return fail(why, why_size, "eventfd: %s", strerror(errno));
	}
	for (unsigned r = 0; mif->zc && r < mif->zc_nb_regions; r++) {
		int dfd = fcntl(mif->zc_regions[r].fd, F_DUPFD_CLOEXEC, 0);

		if (dfd < 0)
			return fail(
				why, why_size,
				"zero-copy region %u: cannot duplicate the pool's memory fd: %s",
				r + 1, strerror(errno));
		mif->regions[1 + r].addr = NULL; /* mapped already: it is our own memory */
		mif->regions[1 + r].size = mif->zc_regions[r].size;
		mif->region_fds[1 + r] = dfd;
		mif->nb_regions++;
	}
	return 0;
}

static int cli_hello(struct memif_conn *c, const struct memif_msg *m, char *why, size_t why_size)
{
	const struct memif_msg_hello *h = &m->hello;
	struct memif_if *mif = c->mif;
	struct memif_msg out;

	peer_string(mif->remote_name, sizeof(mif->remote_name), h->name, MEMIF_NAME_SIZE);
	if (h->min_version > MEMIF_VERSION || h->max_version < MEMIF_VERSION)
		return fail(why, why_size, "server speaks memif versions 0x%04x-0x%04x, not 0x%04x",
			    h->min_version, h->max_version, MEMIF_VERSION);
	if (h->max_log2_ring_size < 1)
		return fail(why, why_size, "server accepts rings of %u slots only",
			    1u << h->max_log2_ring_size);
	mif->nb_c2s = (uint16_t)SL_MIN((unsigned)h->max_c2s_ring + 1, mif->nb_txq);
	mif->nb_s2c = (uint16_t)SL_MIN((unsigned)h->max_s2c_ring + 1, mif->nb_rxq);
	mif->run_log2 = SL_MIN(h->max_log2_ring_size, mif->log2);
	if (mif->zc && (unsigned)h->max_region < mif->zc_nb_regions)
		return fail(
			why, why_size,
			"server accepts %u regions, zero-copy needs %u (rings + %u packet-buffer "
			"pool memories); use fewer pools or drop zero-copy=yes",
			(unsigned)h->max_region + 1, mif->zc_nb_regions + 1u, mif->zc_nb_regions);
	if (cli_build(mif, why, why_size) < 0)
		return -1;

	memset(&out, 0, sizeof(out));
	out.type = MEMIF_MSG_INIT;
	out.init.version = MEMIF_VERSION;
	out.init.id = mif->id;
	out.init.mode = MEMIF_MODE_ETHERNET;
	memcpy(out.init.secret, mif->secret, strnlen(mif->secret, MEMIF_SECRET_SIZE));
	put_str(out.init.name, MEMIF_NAME_SIZE, "sluice");
	queue_out(c, &out, -1);
	for (unsigned r = 0; r < mif->nb_regions; r++) {
		memset(&out, 0, sizeof(out));
		out.type = MEMIF_MSG_ADD_REGION;
		out.add_region.index = (uint16_t)r;
		out.add_region.size = mif->regions[r].size;
		queue_out(c, &out, mif->region_fds[r]);
	}
	for (unsigned r = 0; r < (unsigned)mif->nb_c2s + mif->nb_s2c; r++) {
		bool c2s = r < mif->nb_c2s;
		unsigned idx = c2s ? r : r - mif->nb_c2s;
		__typeof__(mif->c2s[0]) *rd = c2s ? &mif->c2s[idx] : &mif->s2c[idx];

		memset(&out, 0, sizeof(out));
		out.type = MEMIF_MSG_ADD_RING;
		out.add_ring.flags = c2s ? MEMIF_RING_FLAG_C2S : 0;
		out.add_ring.index = (uint16_t)idx;
		out.add_ring.region = rd->region;
		out.add_ring.offset = rd->offset;
		out.add_ring.log2_ring_size = rd->log2;
		queue_out(c, &out, rd->irq_fd);
	}
	memset(&out, 0, sizeof(out));
	out.type = MEMIF_MSG_CONNECT;
	put_str(out.connect.if_name, MEMIF_NAME_SIZE, mif->name);
	queue_out(c, &out, -1);
	c->state = CONN_SENDING;
	if (send_next(c) < 0)
		return fail(why, why_size, "cannot send init: %s", strerror(errno));
	return 0;
}

/* --- dispatch --- */

static const char *const state_names[] = {
	[CONN_WAIT_INIT] = "waiting for init", [CONN_SETUP] = "setting up",
	[CONN_WAIT_HELLO] = "waiting for hello", [CONN_SENDING] = "sending setup",
	[CONN_UP] = "connected",
};

static int handle(struct memif_conn *c, const struct memif_msg *m, int *fd, char *why,
		  size_t why_size)
{
	if (m->type == MEMIF_MSG_DISCONNECT)
		return 1; /* caller logs the peer's reason */
	switch (c->state) {
	case CONN_WAIT_INIT:
		if (m->type == MEMIF_MSG_INIT)
			return srv_init(c, m, why, why_size);
		break;
	case CONN_SETUP:
		if (m->type == MEMIF_MSG_ADD_REGION)
			return srv_add_region(c, m, fd, why, why_size);
		if (m->type == MEMIF_MSG_ADD_RING)
			return srv_add_ring(c, m, fd, why, why_size);
		if (m->type == MEMIF_MSG_CONNECT)
			return srv_connect(c, m, why, why_size);
		break;
	case CONN_WAIT_HELLO:
		if (m->type == MEMIF_MSG_HELLO)
			return cli_hello(c, m, why, why_size);
		break;
	case CONN_SENDING:
		if (m->type == MEMIF_MSG_ACK && c->sent < c->nb_out) {
			if (send_next(c) < 0)
				return fail(why, why_size, "cannot send setup message: %s",
					    strerror(errno));
			return 0;
		}
		if (m->type == MEMIF_MSG_CONNECTED && c->sent == c->nb_out) {
			char ifname[MEMIF_NAME_SIZE + 1];

			peer_string(ifname, sizeof(ifname), m->connect.if_name, MEMIF_NAME_SIZE);
			c->state = CONN_UP;
			mif_up(c->mif);
			SL_LOG(net_memif, NOTICE,
			       "%s: connected to memif server '%s' (%s): %u c2s + %u s2c rings",
			       c->mif->name, c->mif->remote_name, ifname, c->mif->nb_c2s,
			       c->mif->nb_s2c);
			return 0;
		}
		break;
	case CONN_UP:
		break;
	}
	if (m->type > MEMIF_MSG_DISCONNECT || m->type == MEMIF_MSG_NONE)
		return fail(why, why_size, "unknown message type %u", m->type);
	return fail(why, why_size, "unexpected message type %u while %s", m->type,
		    state_names[c->state]);
}

/* Reads one message.  Returns 1 with *m and *fd (or -1), 0 when none is waiting, -1 when
 * the connection must close (why set, *peer_gone when there is no one to tell). */
static int recv_one(struct memif_conn *c, struct memif_msg *m, int *fd, char *why,
		    size_t why_size, bool *peer_gone)
{
	char ctrl[CMSG_SPACE(4 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
			    .msg_controllen = sizeof(ctrl)};
	unsigned nfds = 0;
	ssize_t n;

	*fd = -1;
	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		*peer_gone = true;
		return fail(why, why_size, "%s", strerror(errno));
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int f;

			memcpy(&f, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			if (nfds++ == 0)
				*fd = f;
			else
				close(f);
		}
	}
	if (n == 0) {
		/* End of file, or an empty message: either way close what it carried (an
		 * empty message can pass fds). */
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		*peer_gone = true;
		return fail(why, why_size, "peer closed the connection");
	}
	if (nfds > 1 || (mh.msg_flags & MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return fail(why, why_size, "message carries more than one fd");
	}
	if (n != MEMIF_MSG_SIZE || (mh.msg_flags & MSG_TRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return fail(why, why_size, "invalid message size %s%zd (want %d)",
			    (mh.msg_flags & MSG_TRUNC) ? ">" : "", n, MEMIF_MSG_SIZE);
	}
	return 1;
}

static void conn_event(struct memif_conn *c, uint32_t events)
{
	char why[160];

	for (int budget = 0; budget < 64; budget++) {
		struct memif_msg m;
		bool gone = false;
		int fd, rc = recv_one(c, &m, &fd, why, sizeof(why), &gone);

		if (rc == 0)
			break;
		if (rc < 0) {
			if (gone) {
				if (c->mif)
					SL_LOG(net_memif, NOTICE,
					       "%s: memif peer '%s' went away: %s", c->mif->name,
					       c->mif->remote_name, why);
				conn_close(c, NULL, NULL);
			} else {
				conn_close(c, why, NULL);
			}
			return;
		}
		rc = handle(c, &m, &fd, why, sizeof(why));
		if (fd >= 0)
			close(fd); /* a descriptor the message had no use for */
		if (rc == 1) {
			char peer[MEMIF_DISC_STRING_SIZE + 1];

			peer_string(peer, sizeof(peer), m.disconnect.string,
				    MEMIF_DISC_STRING_SIZE);
			if (c->mif == NULL)
				SL_LOG(net_memif, NOTICE, "memif peer disconnected: %s", peer);
			conn_close(c, NULL, peer);
			return;
		}
		if (rc < 0) {
			conn_close(c, why, NULL);
			return;
		}
	}
	if (events & (EPOLLHUP | EPOLLERR) && !(events & EPOLLIN)) {
		if (c->mif)
			SL_LOG(net_memif, NOTICE, "%s: memif peer '%s' went away", c->mif->name,
			       c->mif->remote_name);
		conn_close(c, NULL, NULL);
	}
}

static void listen_event(struct memif_sock *s)
{
	struct memif_msg m;
	struct memif_conn *c;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (ctl.nb_conns >= MAX_CONNS) {
		SL_LOG(net_memif, WARNING, "memif socket %s: %u connections open, refusing another",
		       s->path, ctl.nb_conns);
		close(fd);
		return;
	}
	c = conn_new(fd, CONN_WAIT_INIT);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->sock = s;
	memset(&m, 0, sizeof(m));
	m.type = MEMIF_MSG_HELLO;
	put_str(m.hello.name, MEMIF_NAME_SIZE, "sluice");
	m.hello.min_version = MEMIF_VERSION;
	m.hello.max_version = MEMIF_VERSION;
	m.hello.max_region = MEMIF_MAX_REGIONS - 1;
	m.hello.max_c2s_ring = SL_PORT_MAX_QUEUES - 1;
	m.hello.max_s2c_ring = SL_PORT_MAX_QUEUES - 1;
	m.hello.max_log2_ring_size = MEMIF_MAX_LOG2_RING;
	if (send_msg(c, &m, -1) < 0)
		conn_close(c, NULL, NULL);
}

static void client_try(struct memif_if *mif, uint64_t now)
{
	struct sockaddr_un sa;
	socklen_t len = sock_addr(&sa, mif->path, mif->abstract);
	struct memif_conn *c;
	int fd;

	mif->next_attempt_ns = now + MEMIF_RECONNECT_MS * 1000000ull;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
		if (!mif->waiting_logged)
			SL_LOG(net_memif, NOTICE,
			       "%s: waiting for a memif server on %s%s (%s); retrying every %u ms",
			       mif->name, mif->abstract ? "@" : "", mif->path, strerror(errno),
			       MEMIF_RECONNECT_MS);
		mif->waiting_logged = true;
		close(fd);
		return;
	}
	mif->waiting_logged = false;
	c = conn_new(fd, CONN_WAIT_HELLO);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->mif = mif;
	mif->conn = c;
}

/* Queues whose data path found the peer misbehaving: drop the peer. */
static void check_faults(void)
{
	static const char *const reasons[] = {
		[MEMIF_FAULT_RING_INDEX] = "ring index out of range",
		[MEMIF_FAULT_DESC] = "bad descriptor",
		[MEMIF_FAULT_CHAIN] = "bad descriptor chain",
	};

	for (struct memif_if *mif = ctl.ifs; mif; mif = mif->next) {
		char why[96];

		if (mif->conn == NULL)
			continue;
		for (unsigned i = 0; i < 2 * SL_PORT_MAX_QUEUES; i++) {
			struct memif_queue *q = i & 1 ? mif->txq[i / 2] : mif->rxq[i / 2];
			uint32_t f = q ? sl_gate_fault_of(&q->gate) : 0;

			if (f == MEMIF_FAULT_NONE || f >= SL_ARRAY_SIZE(reasons))
				continue;
			snprintf(why, sizeof(why), "%s on %s queue %u", reasons[f],
				 q->rx ? "rx" : "tx", q->qid);
			counter_inc(&mif->peer_faults);
			conn_close(mif->conn, why, NULL);
			break;
		}
	}
}

static void timers(void)
{
	uint64_t now = now_ns();

	for (struct memif_conn *c = ctl.conns, *next; c; c = next) {
		next = c->next;
		if (c->state != CONN_UP && now > c->deadline_ns)
			conn_close(c, "handshake timed out", NULL);
	}
	for (struct memif_if *mif = ctl.ifs; mif; mif = mif->next)
		if (mif->role == MEMIF_ROLE_CLIENT && mif->started && mif->conn == NULL &&
		    now >= mif->next_attempt_ns)
			client_try(mif, now);
}

static void *ctl_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&ctl.stop, __ATOMIC_ACQUIRE)) {
		struct epoll_event evs[16];
		int n = epoll_wait(ctl.epfd, evs, SL_ARRAY_SIZE(evs), 100);

		pthread_mutex_lock(&ctl_lock);
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64 >> TAG_SHIFT;
			uint64_t id = evs[i].data.u64 & ((1ull << TAG_SHIFT) - 1);

			if (tag == TAG_WAKE) {
				uint64_t v;

				if (read(ctl.wake_fd, &v, sizeof(v)) < 0) {
					/* nothing pending */
				}
			} else if (tag == TAG_LISTEN) {
				for (struct memif_sock *s = ctl.socks; s; s = s->next)
					if (s->id == id) {
						listen_event(s);
						break;
					}
			} else {
				for (struct memif_conn *c = ctl.conns; c; c = c->next)
					if (c->id == id) {
						conn_event(c, evs[i].events);
						break;
					}
			}
		}
		check_faults();
		timers();
		pthread_mutex_unlock(&ctl_lock);
	}
	return NULL;
}

/* --- API for memif.c --- */

static int ctl_thread_start(void)
{
	sigset_t all, old;
	int rc;

	ctl.epfd = epoll_create1(EPOLL_CLOEXEC);
	ctl.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctl.epfd < 0 || ctl.wake_fd < 0) {
		rc = -errno;
		goto fail;
	}
	epoll_watch(ctl.wake_fd, TAG_WAKE, 0);
	ctl.stop = 0;
	/* Signals go to the application's threads, never to this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&ctl.thread, NULL, ctl_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		ctl.running = true;
		return 0;
	}
fail:
	if (ctl.epfd >= 0)
		close(ctl.epfd);
	if (ctl.wake_fd >= 0)
		close(ctl.wake_fd);
	ctl.epfd = ctl.wake_fd = -1;
	SL_LOG(net_memif, ERR, "cannot start the memif control thread: %s", strerror(-rc));
	return rc;
}

/* Stops the thread once no interface is left (called without the lock). */
static void ctl_thread_stop(void)
{
	pthread_mutex_lock(&ctl_lock);
	if (!ctl.running || ctl.ifs != NULL) {
		pthread_mutex_unlock(&ctl_lock);
		return;
	}
	__atomic_store_n(&ctl.stop, 1, __ATOMIC_RELEASE);
	wake();
	pthread_mutex_unlock(&ctl_lock);
	pthread_join(ctl.thread, NULL);
	pthread_mutex_lock(&ctl_lock);
	/* Connections not tied to an interface (half-open handshakes) go too. */
	while (ctl.conns)
		conn_close(ctl.conns, NULL, NULL);
	close(ctl.epfd);
	close(ctl.wake_fd);
	ctl.epfd = ctl.wake_fd = -1;
	ctl.running = false;
	pthread_mutex_unlock(&ctl_lock);
}

static struct memif_sock *sock_get(struct memif_if *mif, int *err)
{
	struct memif_sock *s;
	struct sockaddr_un sa;
	socklen_t len;
	int fd, on = 1;
	const char *at = mif->abstract ? "@" : "";

	for (s = ctl.socks; s; s = s->next)
		if (s->abstract == mif->abstract && strcmp(s->path, mif->path) == 0) {
			s->users++;
			return s;
		}
	len = sock_addr(&sa, mif->path, mif->abstract);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = -errno;
		SL_LOG(net_memif, ERR, "%s: socket: %s", mif->name, strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	if (!mif->abstract && access(mif->path, F_OK) == 0) {
		/* A socket file left by a server that died: remove it if nobody answers. */
		int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, len) < 0 &&
		    errno == ECONNREFUSED)
			unlink(mif->path);
		if (probe >= 0)
			close(probe);
	}
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0) {
		*err = -errno;
		if (errno == EADDRINUSE)
			SL_LOG(net_memif, ERR,
			       "%s: socket %s%s is in use by another memif server; choose another "
			       "socket= or stop that server",
			       mif->name, at, mif->path);
		else if (errno == ENOENT)
			SL_LOG(net_memif, ERR,
			       "%s: cannot create socket %s: its directory does not exist; create "
			       "it or choose another socket=",
			       mif->name, mif->path);
		else
			SL_LOG(net_memif, ERR, "%s: cannot listen on socket %s%s: %s", mif->name,
			       at, mif->path, strerror(errno));
		close(fd);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	s->id = ++ctl.next_id;
	strcpy(s->path, mif->path);
	s->abstract = mif->abstract;
	s->fd = fd;
	s->users = 1;
	s->next = ctl.socks;
	ctl.socks = s;
	epoll_watch(fd, TAG_LISTEN, s->id);
	SL_LOG(net_memif, INFO, "%s: memif server listening on %s%s", mif->name, at, mif->path);
	return s;
}

static void sock_put(struct memif_sock *s)
{
	if (--s->users)
		return;
	for (struct memif_conn *c = ctl.conns, *next; c; c = next) {
		next = c->next;
		if (c->sock == s)
			conn_close(c, "server socket closing", NULL);
	}
	epoll_ctl(ctl.epfd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	if (!s->abstract)
		unlink(s->path);
	for (struct memif_sock **p = &ctl.socks; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	free(s);
}

int memif_ctl_attach(struct memif_if *mif)
{
	int rc = 0;

	for (unsigned i = 0; i < MEMIF_MAX_REGIONS; i++)
		mif->region_fds[i] = -1;
	for (unsigned i = 0; i < SL_PORT_MAX_QUEUES; i++)
		mif->c2s[i].irq_fd = mif->s2c[i].irq_fd = -1;
	pthread_mutex_lock(&ctl_lock);
	for (struct memif_if *o = ctl.ifs; o; o = o->next)
		if (o->id == mif->id && o->role == mif->role && o->abstract == mif->abstract &&
		    strcmp(o->path, mif->path) == 0) {
			SL_LOG(net_memif, ERR,
			       "%s: %s already uses id=%u on socket %s as %s; give each "
			       "interface of a socket its own id=",
			       mif->name, o->name, mif->id, mif->path,
			       mif->role == MEMIF_ROLE_SERVER ? "server" : "client");
			rc = -EEXIST;
			goto out;
		}
	if (!ctl.running && (rc = ctl_thread_start()) < 0)
		goto out;
	if (mif->role == MEMIF_ROLE_SERVER) {
		mif->sock = sock_get(mif, &rc);
		if (mif->sock == NULL)
			goto out;
	}
	mif->next = ctl.ifs;
	ctl.ifs = mif;
out:
	pthread_mutex_unlock(&ctl_lock);
	if (rc < 0)
		ctl_thread_stop();
	return rc;
}

void memif_ctl_detach(struct memif_if *mif)
{
	bool last;

	pthread_mutex_lock(&ctl_lock);
	mif->started = false;
	if (mif->conn)
		conn_close(mif->conn, "interface closed", NULL);
	for (struct memif_if **p = &ctl.ifs; *p; p = &(*p)->next)
		if (*p == mif) {
			*p = mif->next;
			break;
		}
	if (mif->sock)
		sock_put(mif->sock);
	mif->sock = NULL;
	last = ctl.ifs == NULL && ctl.running;
	pthread_mutex_unlock(&ctl_lock);
	if (last)
		ctl_thread_stop();
}

int memif_ctl_start(struct memif_if *mif)
{
	pthread_mutex_lock(&ctl_lock);
	mif->started = true;
	mif->next_attempt_ns = 0;
	mif->waiting_logged = false;
	wake();
	pthread_mutex_unlock(&ctl_lock);
	return 0;
}

void memif_ctl_stop(struct memif_if *mif)
{
	pthread_mutex_lock(&ctl_lock);
	mif->started = false;
	if (mif->conn)
		conn_close(mif->conn, "interface stopped", NULL);
	pthread_mutex_unlock(&ctl_lock);
}

void memif_ctl_locked(void (*fn)(struct memif_if *mif, void *arg), struct memif_if *mif,
		      void *arg)
{
	pthread_mutex_lock(&ctl_lock);
	fn(mif, arg);
	pthread_mutex_unlock(&ctl_lock);
}

void memif_ctl_fault(struct memif_queue *q, enum memif_fault why)
{
	if (sl_gate_fault(&q->gate, why))
		wake();
}
