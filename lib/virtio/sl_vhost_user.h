/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user plumbing shared by both ends (drivers/net/vhost, drivers/net/virtio_user):
 * messages over a stream socket with their fds, the frontend's memory table mapped and
 * translated with every address and length checked, and one control thread per process
 * that runs every vhost-user socket (listeners, connections, client reconnects).
 *
 * Threads: the control thread calls an endpoint's callbacks with the vhost-user lock held;
 * the application's control thread takes the same lock (sl_vu_lock) around port ops that
 * touch endpoint state.  The data path never locks (see each driver's hand-over).
 */
#ifndef SL_VHOST_USER_H
#define SL_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_common.h"
#include "sl_log.h"
#include "sl_virtio.h"

SL_LOG_TYPE_DECLARE(vhost_user);

/* A seq_cst fence between publishing a ring index and reading the peer's notification
 * flags.  ThreadSanitizer does not model fences (GCC's -Wtsan, an error with -Werror):
 * under it a seq_cst read-modify-write of *p, a word only this thread writes, stands in
 * (as lib/rcu's SL_RCU__FENCE). */
#if defined(__SANITIZE_THREAD__)
#define SL_VU_FENCE(p) ((void)__atomic_fetch_add((p), 0, __ATOMIC_SEQ_CST))
#else
#define SL_VU_FENCE(p) __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/* --- messages --- */

/* "SET_MEM_TABLE" etc. ("request 99" for unknown numbers, in a static buffer). */
const char *sl_vu_req_name(uint32_t req);

/*
 * Reads one message from a stream socket: the header, its payload and up to SL_VU_MAX_FDS
 * fds.  Returns 1, 0 on end of file before a header, or -errno with `why` saying what was
 * wrong (short header, version, a payload above the largest we accept, payload cut short,
 * too many fds).  fds[0..*nfds) are the fds received (the caller owns them); on error they
 * are closed.  Waits at most timeout_ms for each part (-1: forever).
 */
int sl_vu_recv(int fd, struct sl_vu_msg *m, int fds[SL_VU_MAX_FDS], unsigned *nfds, int timeout_ms,
	       char *why, size_t why_size);
/* Whether the socket has bytes (or an end of file) to read now.  The control thread's
 * readable callback checks it: a port op may have read the reply epoll woke it for. */
bool sl_vu_pending(int fd);
/* Sends hdr + hdr.size payload bytes with nfds fds.  Returns 0 or -errno. */
int sl_vu_send(int fd, const struct sl_vu_msg *m, const int *fds, unsigned nfds);
/* Closes fds[0..n) that are >= 0. */
void sl_vu_close_fds(int *fds, unsigned n);

/* --- the frontend's memory --- */

struct sl_vu_mem_region {
	uint64_t gpa; /* guest physical start (descriptor addresses) */
	uint64_t size;
	uint64_t uva;  /* the frontend's virtual start (ring addresses) */
	uint8_t *host; /* where gpa lies in our mapping */
	void *map;     /* the mapping, from file offset 0 */
	uint64_t map_size;
};

struct sl_vu_mem {
	uint32_t n;
	struct sl_vu_mem_region r[SL_VU_MAX_REGIONS];
};

/*
 * Maps a SET_MEM_TABLE payload of `size` bytes with one fd per region (fds are consumed:
 * mapped and closed).  Checks the region count against the payload and the fds, sizes
 * (non-zero, no wrap-around), the file's size against offset + size, and that no two
 * regions overlap in either address space.  Returns 0 or -errno with `why`; on failure
 * nothing stays mapped.
 */
int sl_vu_mem_map(struct sl_vu_mem *mem, const struct sl_vu_memory *table, uint32_t size, int *fds,
		  unsigned nfds, char *why, size_t why_size);
void sl_vu_mem_unmap(struct sl_vu_mem *mem);

/* Host address of [gpa, gpa + len) when it lies inside one region, else NULL. */
static inline void *sl_vu_gpa(const struct sl_vu_mem *m, uint64_t gpa, uint64_t len)
{
	for (uint32_t i = 0; i < m->n; i++) {
		const struct sl_vu_mem_region *r = &m->r[i];
		uint64_t off = gpa - r->gpa;

		if (off < r->size && len <= r->size - off)
			return r->host + off;
	}
	return NULL;
}

/* Host address of the frontend virtual range [uva, uva + len) inside one region, or NULL. */
void *sl_vu_uva(const struct sl_vu_mem *m, uint64_t uva, uint64_t len);

/* --- endpoints: one socket, server or client, run by the control thread --- */

struct sl_vu_ep;

struct sl_vu_ep_ops {
	/* A connection is up (accepted, or connected).  Return 0 to keep it, <0 to close. */
	int (*up)(void *arg, int fd);
	/* The connection is readable (or hung up).  Return 0 to keep it, <0 to close. */
	int (*readable)(void *arg, int fd);
	/* The connection went (the peer, an error, a callback's <0, or sl_vu_ep_close). */
	void (*down)(void *arg);
	/* Optional: called on every turn of the loop (at least every 100 ms, and after
	 * sl_vu_wake) for work the data path asked for. */
	void (*tick)(void *arg);
};

/*
 * Opens an endpoint on a unix socket path.  A server binds and listens now (a live socket
 * at the path is an error naming it; a stale one is replaced) and accepts one connection
 * at a time; a client connects, and again every reconnect_ms while down.  Starts the
 * control thread with the first endpoint.  Returns NULL after logging why.  Call without
 * the lock.
 */
struct sl_vu_ep *sl_vu_ep_open(const char *name, const char *path, bool server,
			       unsigned reconnect_ms, const struct sl_vu_ep_ops *ops, void *arg);
/* Closes the connection (down is called) and the socket (a server unlinks its path).
 * Stops the thread with the last endpoint.  Call without the lock. */
void sl_vu_ep_close(struct sl_vu_ep *ep);
/* Closes the current connection, if any (down is called).  Call with the lock. */
void sl_vu_ep_drop(struct sl_vu_ep *ep);
/* The connection's fd, or -1.  Call with the lock. */
int sl_vu_ep_fd(const struct sl_vu_ep *ep);

void sl_vu_lock(void);
void sl_vu_unlock(void);
/* Makes the control thread run its ticks soon (any thread, the data path included). */
void sl_vu_wake(void);

#endif
