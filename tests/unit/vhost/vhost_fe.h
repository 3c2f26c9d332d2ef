/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A vhost-user frontend written for the net_vhost tests with raw socket calls: it plays
 * the guest (QEMU's side) well or badly.  Its guest memory is one memfd holding three
 * regions of FE_REG bytes, back to back in the file:
 *
 *   region 0  guest 0x100000, frontend 0x7f1200000000: the rings and the packet buffers
 *   region 1  guest 0x120000 (right after region 0), frontend 0x7f1300000000 (not
 *             adjacent there): room for indirect tables and buffers in a second region
 *   region 2  guest 0x400000, frontend 0x7f1400000000: hot-plugged by the memory table
 *             tests (FE_TABLE_ALL)
 *
 * Region 0 layout: vring v (0: the guest's receive ring, 1: its transmit ring) has its
 * descriptor table at v * 0x3000, its avail ring 0x1000 further and its used ring 0x2000
 * further; receive buffers at FE_RXBUF, transmit buffers at FE_TXBUF (FE_BUF bytes per
 * descriptor slot).  The rest of region 0 and the top half of region 1 are guard bytes
 * (FE_CANARY) nothing may write.  Include after <cmocka.h> and port_test.h (now_ms()).
 */
#ifndef SL_TEST_VHOST_FE_H
#define SL_TEST_VHOST_FE_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sl_vhost_user.h"

#define FE_NUM 16 /* ring size */
#define FE_REG 0x20000ull
#define FE_GPA0 0x100000ull
#define FE_GPA1 (FE_GPA0 + FE_REG)
#define FE_GPA2 0x400000ull
#define FE_UVA0 0x7f1200000000ull
#define FE_UVA1 0x7f1300000000ull
#define FE_UVA2 0x7f1400000000ull
#define FE_RXBUF 0x8000ull
#define FE_TXBUF 0x10000ull
#define FE_BUF 0x800u
#define FE_GUARD 0x18000ull /* region 0 from here, region 1 from FE_REG / 2: untouched */
#define FE_CANARY 0xa5
#define FE_HDR 12 /* VERSION_1: the 12-byte virtio-net header */

/* Memory tables: which regions SET_MEM_TABLE lists. */
#define FE_TABLE_01 3u
#define FE_TABLE_ALL 7u

#define FE_FEATURES                                                                                \
	(SL_VIRTIO_BIT(SL_VIRTIO_F_VERSION_1) | SL_VIRTIO_BIT(SL_VHOST_USER_F_PROTOCOL_FEATURES) | \
	 SL_VIRTIO_BIT(SL_VIRTIO_F_INDIRECT_DESC))

struct fe {
	int fd; /* the connection, -1 when closed */
	int memfd;
	uint8_t *mem; /* the three regions */
	int call[2];  /* call eventfds of vrings 0 and 1 */
	struct sl_vring_desc *desc[2];
	struct sl_vring_avail *avail[2];
	struct sl_vring_used *used[2];
	uint16_t avail_idx[2]; /* what we published */
};

static const uint64_t fe_gpa_base[3] = {FE_GPA0, FE_GPA1, FE_GPA2};
static const uint64_t fe_uva_base[3] = {FE_UVA0, FE_UVA1, FE_UVA2};

static inline uint64_t fe_gpa(unsigned region, uint64_t off)
{
	return fe_gpa_base[region] + off;
}

static inline uint8_t *fe_host(struct fe *f, unsigned region, uint64_t off)
{
	return f->mem + region * FE_REG + off;
}

static inline uint64_t fe_ring_uva(unsigned v, unsigned part)
{
	return FE_UVA0 + v * 0x3000ull + part * 0x1000ull;
}

/* Maps fresh guest memory (guard bytes everywhere, rings zeroed) and connects to path. */
static inline void fe_open(struct fe *f, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(f, 0, sizeof(*f));
	f->memfd = memfd_create("vhost-test-guest", MFD_CLOEXEC);
	assert_true(f->memfd >= 0);
	assert_int_equal(ftruncate(f->memfd, (off_t)(3 * FE_REG)), 0);
	f->mem = mmap(NULL, 3 * FE_REG, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	assert_true(f->mem != MAP_FAILED);
	memset(f->mem, FE_CANARY, 3 * FE_REG);
	for (unsigned v = 0; v < 2; v++) {
		f->desc[v] = (struct sl_vring_desc *)fe_host(f, 0, v * 0x3000ull);
		f->avail[v] = (struct sl_vring_avail *)fe_host(f, 0, v * 0x3000ull + 0x1000);
		f->used[v] = (struct sl_vring_used *)fe_host(f, 0, v * 0x3000ull + 0x2000);
		memset(f->desc[v], 0, sl_vring_desc_bytes(FE_NUM));
		memset(f->avail[v], 0, sl_vring_avail_bytes(FE_NUM));
		memset(f->used[v], 0, sl_vring_used_bytes(FE_NUM));
		f->call[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		assert_true(f->call[v] >= 0);
	}
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static inline void fe_hangup(struct fe *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static inline void fe_close(struct fe *f)
{
	fe_hangup(f);
	if (f->mem)
		munmap(f->mem, 3 * FE_REG);
	f->mem = NULL;
	if (f->memfd >= 0)
		close(f->memfd);
	f->memfd = -1;
	for (unsigned v = 0; v < 2; v++)
		if (f->call[v] >= 0)
			close(f->call[v]);
	f->call[0] = f->call[1] = -1;
}

/* Sends len bytes as they are, with nfds fds; returns what sendmsg returned. */
static inline ssize_t fe_send_raw(struct fe *f, const void *buf, size_t len, const int *fds,
				  unsigned nfds)
{
	char ctl[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = {(void *)buf, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (nfds) {
		struct cmsghdr *c;

		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	return sendmsg(f->fd, &mh, MSG_NOSIGNAL);
}

/* A message as the wire has it: the 12-byte header, then size payload bytes. */
static inline void fe_send(struct fe *f, uint32_t req, uint32_t flags, const void *payload,
			   uint32_t size, const int *fds, unsigned nfds)
{
	uint8_t buf[12 + 4096];
	struct sl_vu_hdr h = {req, flags, size};

	assert_true(size <= 4096);
	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + 12, payload, size);
	assert_int_equal(fe_send_raw(f, buf, 12 + size, fds, nfds), (ssize_t)(12 + size));
}

/* Waits for one reply to req and returns its u64. */
static inline uint64_t fe_reply(struct fe *f, uint32_t req)
{
	struct sl_vu_msg r;
	int fds[SL_VU_MAX_FDS];
	unsigned n;
	char why[128] = "";

	if (sl_vu_recv(f->fd, &r, fds, &n, 2000, why, sizeof(why)) != 1)
		fail_msg("no reply to %s: %s", sl_vu_req_name(req), why);
	sl_vu_close_fds(fds, n);
	assert_int_equal(r.hdr.request, req);
	assert_true(r.hdr.flags & SL_VU_FLAG_REPLY);
	assert_int_equal(r.hdr.size, 8);
	return r.p.u64;
}

/* A request that needs a reply (REPLY_ACK) and must succeed. */
static inline void fe_req(struct fe *f, uint32_t req, const void *payload, uint32_t size,
			  const int *fds, unsigned nfds)
{
	fe_send(f, req, SL_VU_VERSION | SL_VU_FLAG_NEED_REPLY, payload, size, fds, nfds);
	assert_int_equal(fe_reply(f, req), 0);
}

static inline void fe_state(struct fe *f, uint32_t req, uint32_t index, uint32_t num)
{
	struct sl_vu_state st = {index, num};

	fe_req(f, req, &st, sizeof(st), NULL, 0);
}

/* The SET_MEM_TABLE payload listing the regions of mask (bit r: region r); fds[] gets one
 * fd per region (the caller closes them after sending).  Returns the payload size. */
static inline uint32_t fe_table(struct fe *f, unsigned mask, struct sl_vu_memory *t, int *fds)
{
	memset(t, 0, sizeof(*t));
	for (unsigned r = 0; r < 3; r++) {
		if (!(mask & (1u << r)))
			continue;
		t->regions[t->nregions] = (struct sl_vu_region){
			.guest_phys_addr = fe_gpa_base[r],
			.memory_size = FE_REG,
			.userspace_addr = fe_uva_base[r],
			.mmap_offset = r * FE_REG,
		};
		fds[t->nregions] = dup(f->memfd);
		assert_true(fds[t->nregions] >= 0);
		t->nregions++;
	}
	return 8 + 32 * t->nregions;
}

static inline void fe_mem_table(struct fe *f, unsigned mask)
{
	struct sl_vu_memory t;
	int fds[3];
	uint32_t size = fe_table(f, mask, &t, fds);

	fe_req(f, SL_VU_SET_MEM_TABLE, &t, size, fds, t.nregions);
	sl_vu_close_fds(fds, t.nregions);
}

static inline void fe_vring_addr(struct fe *f, unsigned v, uint64_t desc, uint64_t avail,
				 uint64_t used)
{
	struct sl_vu_addr a = {.index = v, .desc = desc, .used = used, .avail = avail};

	fe_req(f, SL_VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
}

/* Everything up to the rings (features, protocol features with REPLY_ACK, memory). */
static inline void fe_prepare(struct fe *f, const char *path, uint64_t features)
{
	uint64_t pf = SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_REPLY_ACK) |
		      SL_VIRTIO_BIT(SL_VHOST_USER_PROTOCOL_F_MQ);

	fe_open(f, path);
	fe_send(f, SL_VU_GET_FEATURES, SL_VU_VERSION, NULL, 0, NULL, 0);
	assert_int_equal(fe_reply(f, SL_VU_GET_FEATURES) & features, features);
	fe_send(f, SL_VU_GET_PROTOCOL_FEATURES, SL_VU_VERSION, NULL, 0, NULL, 0);
	assert_int_equal(fe_reply(f, SL_VU_GET_PROTOCOL_FEATURES) & pf, pf);
	fe_send(f, SL_VU_SET_PROTOCOL_FEATURES, SL_VU_VERSION, &pf, 8, NULL, 0);
	fe_req(f, SL_VU_SET_OWNER, NULL, 0, NULL, 0);
	fe_req(f, SL_VU_SET_FEATURES, &features, 8, NULL, 0);
	fe_mem_table(f, FE_TABLE_01);
}

/* One vring, as QEMU sets it: size, base, addresses, kick (polled), call. */
static inline void fe_vring(struct fe *f, unsigned v)
{
	uint64_t kick = v | SL_VU_VRING_NOFD, call = v;

	fe_state(f, SL_VU_SET_VRING_NUM, v, FE_NUM);
	fe_state(f, SL_VU_SET_VRING_BASE, v, 0);
	fe_vring_addr(f, v, fe_ring_uva(v, 0), fe_ring_uva(v, 1), fe_ring_uva(v, 2));
	fe_req(f, SL_VU_SET_VRING_KICK, &kick, 8, NULL, 0);
	fe_req(f, SL_VU_SET_VRING_CALL, &call, 8, &f->call[v], 1);
}

/* The whole handshake as a well-behaved frontend; both vrings enabled. */
static inline void fe_start(struct fe *f, const char *path)
{
	fe_prepare(f, path, FE_FEATURES);
	for (unsigned v = 0; v < 2; v++)
		fe_vring(f, v);
	for (unsigned v = 0; v < 2; v++)
		fe_state(f, SL_VU_SET_VRING_ENABLE, v, 1);
}

/* Whether the backend closed the connection within timeout_ms (bytes it sent before
 * closing, replies, are read and dropped). */
static inline bool fe_closed_by_peer(struct fe *f, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	while (now_ms() < end) {
		struct pollfd p = {.fd = f->fd, .events = POLLIN};
		char buf[256];
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
	}
	return false;
}

/* Makes descriptor head available on vring v. */
static inline void fe_push(struct fe *f, unsigned v, uint16_t head)
{
	f->avail[v]->ring[f->avail_idx[v] % FE_NUM] = head;
	f->avail_idx[v]++;
	__atomic_store_n(&f->avail[v]->idx, f->avail_idx[v], __ATOMIC_RELEASE);
}

static inline uint8_t fe_pattern(uint32_t seed, uint32_t i)
{
	return (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

/* Writes a packet (header + len bytes) at (region, off) and returns its length with the
 * header. */
static inline uint32_t fe_fill(struct fe *f, unsigned region, uint64_t off, uint32_t len,
			       uint32_t seed)
{
	uint8_t *b = fe_host(f, region, off);

	memset(b, 0, FE_HDR);
	for (uint32_t i = 0; i < len; i++)
		b[FE_HDR + i] = fe_pattern(seed, i);
	return FE_HDR + len;
}

/* The guest sends a packet of len bytes from descriptor slot (one buffer, region 0). */
static inline void fe_tx(struct fe *f, uint16_t slot, uint32_t len, uint32_t seed)
{
	uint64_t off = FE_TXBUF + (uint64_t)slot * FE_BUF;

	f->desc[1][slot] =
		(struct sl_vring_desc){fe_gpa(0, off), fe_fill(f, 0, off, len, seed), 0, 0};
	fe_push(f, 1, slot);
}

/* The guest posts a receive buffer in descriptor slot. */
static inline void fe_rx_buf(struct fe *f, uint16_t slot)
{
	f->desc[0][slot] = (struct sl_vring_desc){fe_gpa(0, FE_RXBUF + (uint64_t)slot * FE_BUF),
						  FE_BUF, SL_VRING_DESC_F_WRITE, 0};
	fe_push(f, 0, slot);
}

/* The guard bytes are intact: the backend wrote nowhere but the used rings and the
 * receive buffers. */
static inline void fe_check_guards(struct fe *f)
{
	static const struct {
		unsigned region;
		uint64_t from, to;
	} g[] = {
		{0, 0x2000 + 6 + 8 * FE_NUM, 0x3000}, /* after used ring 0 */
		{0, 0x5000 + 6 + 8 * FE_NUM, 0x8000}, /* after used ring 1 */
		{0, FE_GUARD, FE_REG},
		{1, FE_REG / 2, FE_REG},
	};

	for (unsigned i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		for (uint64_t o = g[i].from; o < g[i].to; o++)
			if (*fe_host(f, g[i].region, o) != FE_CANARY)
				fail_msg("guard byte region %u offset 0x%llx written (0x%02x)",
					 g[i].region, (unsigned long long)o,
					 *fe_host(f, g[i].region, o));
}

#endif
