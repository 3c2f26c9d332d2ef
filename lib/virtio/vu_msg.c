/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user messages and the frontend's memory table.  The peer is not trusted: every
 * length comes from it, so every read is bounded by our own buffer and every mapping by
 * the file behind it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sl_vhost_user.h"

SL_LOG_TYPE_DEFINE(vhost_user)

static const char *const req_names[SL_VU_REQ_MAX] = {
	[SL_VU_GET_FEATURES] = "GET_FEATURES",
	[SL_VU_SET_FEATURES] = "SET_FEATURES",
	[SL_VU_SET_OWNER] = "SET_OWNER",
	[SL_VU_RESET_OWNER] = "RESET_OWNER",
	[SL_VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[SL_VU_SET_LOG_BASE] = "SET_LOG_BASE",
	[SL_VU_SET_LOG_FD] = "SET_LOG_FD",
	[SL_VU_SET_VRING_NUM] = "SET_VRING_NUM",
	[SL_VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[SL_VU_SET_VRING_BASE] = "SET_VRING_BASE",
	[SL_VU_GET_VRING_BASE] = "GET_VRING_BASE",
	[SL_VU_SET_VRING_KICK] = "SET_VRING_KICK",
	[SL_VU_SET_VRING_CALL] = "SET_VRING_CALL",
	[SL_VU_SET_VRING_ERR] = "SET_VRING_ERR",
	[SL_VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[SL_VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[SL_VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[SL_VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[SL_VU_SEND_RARP] = "SEND_RARP",
	[SL_VU_NET_SET_MTU] = "NET_SET_MTU",
	[SL_VU_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[SL_VU_IOTLB_MSG] = "IOTLB_MSG",
	[SL_VU_GET_CONFIG] = "GET_CONFIG",
	[SL_VU_SET_CONFIG] = "SET_CONFIG",
	[SL_VU_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
	[SL_VU_SET_INFLIGHT_FD] = "SET_INFLIGHT_FD",
	[SL_VU_RESET_DEVICE] = "RESET_DEVICE",
	[SL_VU_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
	[SL_VU_ADD_MEM_REG] = "ADD_MEM_REG",
	[SL_VU_REM_MEM_REG] = "REM_MEM_REG",
	[SL_VU_SET_STATUS] = "SET_STATUS",
	[SL_VU_GET_STATUS] = "GET_STATUS",
};

const char *sl_vu_req_name(uint32_t req)
{
	static __thread char buf[24];

	if (req < SL_VU_REQ_MAX && req_names[req])
		return req_names[req];
	snprintf(buf, sizeof(buf), "request %u", req);
	return buf;
}

void sl_vu_close_fds(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

static int wait_in(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

bool sl_vu_pending(int fd)
{
	return wait_in(fd, 0) == 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly len bytes (fds only with the first read) within timeout_ms in all (a peer
 * that trickles bytes does not hold the thread longer).  Returns len, 0 at EOF before
 * anything, or -errno (-EPIPE: EOF in the middle). */
static ssize_t read_full(int fd, void *buf, size_t len, int *fds, unsigned *nfds, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	size_t got = 0;

	while (got < len) {
		union {
			char buf[CMSG_SPACE(SL_VU_MAX_FDS * sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {(char *)buf + got, len - got};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n;
		int64_t left = deadline - now_ms();
		int rc = wait_in(fd, timeout_ms < 0 ? -1 : left > 0 ? (int)left : 0);

		if (rc < 0)
			return rc;
		if (fds) {
			mh.msg_control = ctl.buf;
			mh.msg_controllen = sizeof(ctl.buf);
		}
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (fds) {
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
				if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
					continue;
				unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

				for (unsigned i = 0; i < k; i++) {
					int f;

					memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
					if (*nfds < SL_VU_MAX_FDS)
						fds[(*nfds)++] = f;
					else
						close(f);
				}
			}
			if (mh.msg_flags & MSG_CTRUNC) {
				sl_vu_close_fds(fds, *nfds);
				*nfds = 0;
				return -E2BIG;
			}
			fds = NULL; /* fds come with the first bytes only */
		}
		if (n == 0)
			return got == 0 ? 0 : -EPIPE;
		got += (size_t)n;
	}
	return (ssize_t)len;
}

int sl_vu_recv(int fd, struct sl_vu_msg *m, int fds[SL_VU_MAX_FDS], unsigned *nfds, int timeout_ms,
	       char *why, size_t why_size)
{
	ssize_t n;

	*nfds = 0;
	n = read_full(fd, &m->hdr, sizeof(m->hdr), fds, nfds, timeout_ms);
	if (n == 0)
		return 0;
	if (n < 0) {
		snprintf(why, why_size, "%s",
			 n == -E2BIG   ? "more fds than a message may carry (8)"
			 : n == -EPIPE ? "the connection closed inside a message header"
				       : strerror((int)-n));
		goto fail;
	}
	if ((m->hdr.flags & SL_VU_FLAG_VERSION_MASK) != SL_VU_VERSION) {
		snprintf(why, why_size, "%s: version %u, not 1", sl_vu_req_name(m->hdr.request),
			 m->hdr.flags & SL_VU_FLAG_VERSION_MASK);
		n = -EPROTO;
		goto fail;
	}
	if (m->hdr.size > sizeof(m->p)) {
		snprintf(why, why_size, "%s: payload of %u bytes, above the %zu accepted",
			 sl_vu_req_name(m->hdr.request), m->hdr.size, sizeof(m->p));
		n = -EMSGSIZE;
		goto fail;
	}
	if (m->hdr.size) {
		n = read_full(fd, &m->p, m->hdr.size, NULL, NULL, timeout_ms);
		if (n <= 0) {
			snprintf(why, why_size, "%s: payload of %u bytes cut short (%s)",
				 sl_vu_req_name(m->hdr.request), m->hdr.size,
				 n == 0 || n == -EPIPE ? "end of file" : strerror((int)-n));
			n = n == 0 ? -EPIPE : n;
			goto fail;
		}
	}
	return 1;
fail:
	sl_vu_close_fds(fds, *nfds);
	*nfds = 0;
	return (int)n;
}

int sl_vu_send(int fd, const struct sl_vu_msg *m, const int *fds, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(SL_VU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	/* The payload is 8-aligned in struct sl_vu_msg, 4 bytes after the header: two pieces. */
	struct iovec iov[2] = {{(void *)&m->hdr, sizeof(m->hdr)}, {(void *)&m->p, m->hdr.size}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n;

	if (nfds > SL_VU_MAX_FDS || m->hdr.size > sizeof(m->p))
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(m->hdr) + m->hdr.size ? 0 : -EPIPE;
}

/* --- memory table --- */

void sl_vu_mem_unmap(struct sl_vu_mem *mem)
{
	for (uint32_t i = 0; i < mem->n; i++)
		if (mem->r[i].map)
			munmap(mem->r[i].map, mem->r[i].map_size);
	memset(mem, 0, sizeof(*mem));
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int sl_vu_mem_map(struct sl_vu_mem *mem, const struct sl_vu_memory *t, uint32_t size, int *fds,
		  unsigned nfds, char *why, size_t why_size)
{
	struct sl_vu_mem m = {0};
	int rc = -EINVAL;

	if (size < 8 || t->nregions == 0 || t->nregions > SL_VU_MAX_REGIONS ||
	    size < 8 + 32 * t->nregions) {
		snprintf(why, why_size,
			 "SET_MEM_TABLE: %u regions in a payload of %u bytes (1 to 8 regions of 32 "
			 "bytes after 8)",
			 size >= 8 ? t->nregions : 0, size);
		goto out;
	}
	if (nfds != t->nregions) {
		snprintf(why, why_size, "SET_MEM_TABLE: %u regions but %u fds", t->nregions, nfds);
		goto out;
	}
	for (uint32_t i = 0; i < t->nregions; i++) {
		const struct sl_vu_region *r = &t->regions[i];
		struct stat st;
		void *map;
		uint64_t end;

		if (r->memory_size == 0 ||
		    __builtin_add_overflow(r->mmap_offset, r->memory_size, &end) ||
		    r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
		    r->userspace_addr + r->memory_size < r->userspace_addr) {
			snprintf(
				why, why_size,
				"SET_MEM_TABLE: region %u: size 0x%llx at offset 0x%llx wraps or is "
				"empty",
				i, (unsigned long long)r->memory_size,
				(unsigned long long)r->mmap_offset);
			goto out;
		}
		/* An empty file counts too: mmap would succeed and the first touch of the
		 * rings raise SIGBUS. */
		if (fstat(fds[i], &st) < 0 || (uint64_t)st.st_size < end) {
			snprintf(
				why, why_size,
				"SET_MEM_TABLE: region %u: offset 0x%llx + size 0x%llx is past the "
				"end of its file (%lld bytes)",
				i, (unsigned long long)r->mmap_offset,
				(unsigned long long)r->memory_size, (long long)st.st_size);
			goto out;
		}
		for (uint32_t j = 0; j < i; j++)
			if (overlap(r->guest_phys_addr, r->memory_size, m.r[j].gpa, m.r[j].size) ||
			    overlap(r->userspace_addr, r->memory_size, m.r[j].uva, m.r[j].size)) {
				snprintf(why, why_size, "SET_MEM_TABLE: regions %u and %u overlap",
					 j, i);
				goto out;
			}
		map = mmap(NULL, end, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fds[i], 0);
		if (map == MAP_FAILED) {
			snprintf(why, why_size,
				 "SET_MEM_TABLE: region %u: mmap of 0x%llx bytes: %s", i,
				 (unsigned long long)end, strerror(errno));
			rc = -errno;
			goto out;
		}
		m.r[i] = (struct sl_vu_mem_region){
			.gpa = r->guest_phys_addr,
			.size = r->memory_size,
			.uva = r->userspace_addr,
			.host = (uint8_t *)map + r->mmap_offset,
			.map = map,
			.map_size = end,
		};
		m.n = i + 1;
	}
	*mem = m;
	m.n = 0;
	rc = 0;
out:
	sl_vu_mem_unmap(&m);
	sl_vu_close_fds(fds, nfds);
	return rc;
}

void *sl_vu_uva(const struct sl_vu_mem *m, uint64_t uva, uint64_t len)
{
	for (uint32_t i = 0; i < m->n; i++) {
		const struct sl_vu_mem_region *r = &m->r[i];
		uint64_t off = uva - r->uva;

		if (off < r->size && len <= r->size - off)
			return r->host + off;
	}
	return NULL;
}
