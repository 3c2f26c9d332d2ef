/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user control thread: one per process, started with the first endpoint.  One
 * epoll loop runs every listener and connection and retries clients that are down; the
 * callbacks run with the lock held, so a driver's port ops and its callbacks never race.
 * Epoll entries carry an endpoint id and a kind, never a pointer: an entry whose endpoint
 * went away while the thread waited for the lock is simply not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sl_vhost_user.h"

#define KIND_SHIFT 56
#define KIND_WAKE 0ull
#define KIND_LISTEN 1ull
#define KIND_CONN 2ull

struct sl_vu_ep {
	uint64_t id;
	char name[64];
	char path[108];
	bool server;
	unsigned reconnect_ms;
	const struct sl_vu_ep_ops *ops;
	void *arg;
	int lfd; /* server: listener */
	int cfd; /* the connection, or -1 */
	uint64_t next_try_ns;
	bool waiting_logged;
	struct sl_vu_ep *next;
};

static pthread_mutex_t vu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	pthread_t thread;
	bool running;
	uint32_t stop;
	int epfd, wake_fd;
	uint64_t next_id;
	struct sl_vu_ep *eps;
} loop = {.epfd = -1, .wake_fd = -1, .next_id = 1};

void sl_vu_lock(void)
{
	pthread_mutex_lock(&vu_lock);
}

void sl_vu_unlock(void)
{
	pthread_mutex_unlock(&vu_lock);
}

void sl_vu_wake(void)
{
	uint64_t one = 1;

	if (loop.wake_fd >= 0 && write(loop.wake_fd, &one, sizeof(one)) < 0) {
		/* already pending */
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void watch(int fd, uint64_t kind, uint64_t id)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = kind << KIND_SHIFT | id};

	epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int sock_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* The connection is up: hand it to the driver. */
static void conn_up(struct sl_vu_ep *ep, int fd)
{
	ep->cfd = fd;
	ep->waiting_logged = false;
	watch(fd, KIND_CONN, ep->id);
	if (ep->ops->up(ep->arg, fd) < 0)
		sl_vu_ep_drop(ep);
}

void sl_vu_ep_drop(struct sl_vu_ep *ep)
{
	if (ep->cfd < 0)
		return;
	epoll_ctl(loop.epfd, EPOLL_CTL_DEL, ep->cfd, NULL);
	close(ep->cfd);
	ep->cfd = -1;
	ep->next_try_ns = now_ns() + (uint64_t)ep->reconnect_ms * 1000000ull;
	ep->ops->down(ep->arg);
}

int sl_vu_ep_fd(const struct sl_vu_ep *ep)
{
	return ep->cfd;
}

static void listen_event(struct sl_vu_ep *ep)
{
	int fd = accept4(ep->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (ep->cfd >= 0) {
		SL_LOG(vhost_user, WARNING,
		       "%s: a second frontend connected to %s while one is attached: refused",
		       ep->name, ep->path);
		close(fd);
		return;
	}
	SL_LOG(vhost_user, INFO, "%s: frontend connected on %s", ep->name, ep->path);
	conn_up(ep, fd);
}

static void client_try(struct sl_vu_ep *ep, uint64_t now)
{
	struct sockaddr_un sa;
	int fd;

	if (ep->cfd >= 0 || now < ep->next_try_ns)
		return;
	ep->next_try_ns = now + (uint64_t)ep->reconnect_ms * 1000000ull;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sock_addr(&sa, ep->path) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (!ep->waiting_logged)
			SL_LOG(vhost_user, INFO,
			       "%s: waiting for a server on %s (%s); retrying every %u ms",
			       ep->name, ep->path, strerror(errno), ep->reconnect_ms);
		ep->waiting_logged = true;
		if (fd >= 0)
			close(fd);
		return;
	}
	SL_LOG(vhost_user, INFO, "%s: connected to %s", ep->name, ep->path);
	conn_up(ep, fd);
}

static void *loop_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&loop.stop, __ATOMIC_ACQUIRE)) {
		struct epoll_event evs[16];
		int n = epoll_wait(loop.epfd, evs, SL_ARRAY_SIZE(evs), 100);
		uint64_t now;

		pthread_mutex_lock(&vu_lock);
		for (int i = 0; i < n; i++) {
			uint64_t kind = evs[i].data.u64 >> KIND_SHIFT;
			uint64_t id = evs[i].data.u64 & ((1ull << KIND_SHIFT) - 1);

			if (kind == KIND_WAKE) {
				uint64_t v;

				if (read(loop.wake_fd, &v, sizeof(v)) < 0) {
					/* nothing pending */
				}
				continue;
			}
			for (struct sl_vu_ep *ep = loop.eps; ep; ep = ep->next) {
				if (ep->id != id)
					continue;
				if (kind == KIND_LISTEN)
					listen_event(ep);
				else if (ep->cfd >= 0 && ep->ops->readable(ep->arg, ep->cfd) < 0)
					sl_vu_ep_drop(ep);
				break;
			}
		}
		now = now_ns();
		for (struct sl_vu_ep *ep = loop.eps; ep; ep = ep->next) {
			if (!ep->server)
				client_try(ep, now);
			if (ep->ops->tick)
				ep->ops->tick(ep->arg);
		}
		pthread_mutex_unlock(&vu_lock);
	}
	return NULL;
}

/* Starts the thread (with the lock held). */
static int loop_start(void)
{
	sigset_t all, old;
	int rc;

	if (loop.running)
		return 0;
	loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	loop.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop.epfd < 0 || loop.wake_fd < 0) {
		rc = -errno;
		goto fail;
	}
	watch(loop.wake_fd, KIND_WAKE, 0);
	loop.stop = 0;
	/* Signals go to the application's threads, never to this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&loop.thread, NULL, loop_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		loop.running = true;
		return 0;
	}
fail:
	if (loop.epfd >= 0)
		close(loop.epfd);
	if (loop.wake_fd >= 0)
		close(loop.wake_fd);
	loop.epfd = loop.wake_fd = -1;
	SL_LOG(vhost_user, ERR, "cannot start the vhost-user control thread: %s", strerror(-rc));
	return rc;
}

/* Binds a listener, replacing a stale socket file; a live one is an error. */
static int listen_on(struct sl_vu_ep *ep)
{
	struct sockaddr_un sa;
	int fd, rc = sock_addr(&sa, ep->path);

	if (rc < 0) {
		SL_LOG(vhost_user, ERR,
		       "%s: socket path %s is longer than %zu bytes; use a shorter one", ep->name,
		       ep->path, sizeof(sa.sun_path) - 1);
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool live = errno == EADDRINUSE && probe >= 0 &&
			    connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;

		if (probe >= 0)
			close(probe);
		if (live) {
			SL_LOG(vhost_user, ERR,
			       "%s: %s is in use by a running process; stop it or choose another "
			       "path",
			       ep->name, ep->path);
			close(fd);
			return -EADDRINUSE;
		}
		unlink(ep->path); /* stale: its process is gone */
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			goto fail;
	}
	if (listen(fd, 4) < 0)
		goto fail;
	ep->lfd = fd;
	watch(fd, KIND_LISTEN, ep->id);
	return 0;
fail:
	rc = -errno;
	SL_LOG(vhost_user, ERR, "%s: cannot listen on %s: %s", ep->name, ep->path, strerror(errno));
	close(fd);
	return rc;
}

struct sl_vu_ep *sl_vu_ep_open(const char *name, const char *path, bool server,
			       unsigned reconnect_ms, const struct sl_vu_ep_ops *ops, void *arg)
{
	struct sl_vu_ep *ep = calloc(1, sizeof(*ep));

	if (ep == NULL)
		return NULL;
	snprintf(ep->name, sizeof(ep->name), "%s", name);
	snprintf(ep->path, sizeof(ep->path), "%s", path);
	ep->server = server;
	ep->reconnect_ms = reconnect_ms ? reconnect_ms : 1000;
	ep->ops = ops;
	ep->arg = arg;
	ep->lfd = ep->cfd = -1;
	pthread_mutex_lock(&vu_lock);
	ep->id = loop.next_id++;
	errno = 0;
	if (loop_start() < 0 || (server && listen_on(ep) < 0)) {
		pthread_mutex_unlock(&vu_lock);
		free(ep);
		return NULL;
	}
	ep->next = loop.eps;
	loop.eps = ep;
	pthread_mutex_unlock(&vu_lock);
	sl_vu_wake();
	return ep;
}

void sl_vu_ep_close(struct sl_vu_ep *ep)
{
	bool last;

	if (ep == NULL)
		return;
	pthread_mutex_lock(&vu_lock);
	for (struct sl_vu_ep **pp = &loop.eps; *pp; pp = &(*pp)->next)
		if (*pp == ep) {
			*pp = ep->next;
			break;
		}
	sl_vu_ep_drop(ep);
	if (ep->lfd >= 0) {
		epoll_ctl(loop.epfd, EPOLL_CTL_DEL, ep->lfd, NULL);
		close(ep->lfd);
		unlink(ep->path);
	}
	last = loop.eps == NULL && loop.running;
	if (last)
		__atomic_store_n(&loop.stop, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vu_lock);
	free(ep);
	if (!last)
		return;
	sl_vu_wake();
	pthread_join(loop.thread, NULL);
	pthread_mutex_lock(&vu_lock);
	if (loop.eps == NULL) {
		close(loop.epfd);
		close(loop.wake_fd);
		loop.epfd = loop.wake_fd = -1;
		loop.running = false;
	} else {
		/* an endpoint opened meanwhile: keep serving it */
		loop.running = false;
		close(loop.epfd);
		close(loop.wake_fd);
		loop.epfd = loop.wake_fd = -1;
		loop_start();
		for (struct sl_vu_ep *e = loop.eps; e; e = e->next) {
			if (e->lfd >= 0)
				watch(e->lfd, KIND_LISTEN, e->id);
			if (e->cfd >= 0)
				watch(e->cfd, KIND_CONN, e->id);
		}
	}
	pthread_mutex_unlock(&vu_lock);
}
