/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture sessions, the server side: ports resolved, the filter compiled with libpcap, the
 * memory created and sealed, one port callback per hooked queue and direction.  The
 * telemetry commands that wrap them are at the end.
 *
 * Releasing safely.  A data-path thread may have loaded a callback just before it was
 * removed and run it an instant later, so what the callback touches first must outlive the
 * session: it is a slot in a static table, never freed.  The hook bumps the slot's seq
 * (odd while inside) then loads the slot's tap; stop clears the tap, removes the callback,
 * then waits until each slot's seq is even or has moved (Dekker: the hook either sees the
 * cleared tap or stop sees it inside).  The wait is bounded (1 s); a thread still inside
 * past it keeps the session's memory alive (logged) instead of having it freed under it.
 * A slot is reused only for the same (port, queue, direction), so even a thread that comes
 * back with a long-removed callback writes only where it is the single producer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "capture_priv.h"
#include "sl_port.h"
#include "sl_telemetry.h"

_Static_assert(SL_CAPTURE_MAX_QUEUES == SL_PORT_MAX_QUEUES, "queue limits agree");
_Static_assert(SL_CAPTURE_MAX_RINGS >= SL_PORT_MAX * SL_PORT_MAX_QUEUES * 2, "ring limit");

#define GRACE_NS 1000000000ull

/* What a port callback's arg points at: never freed. */
struct slot {
	uint64_t seq;		    /* (data path) odd while a burst is inside the hook */
	struct sl_capture_tap *tap; /* (control) atomic: NULL when not capturing */
	uint16_t port, queue;	    /* (control) what the tap is for */
	uint8_t dir;		    /* (control) */
	uint8_t state;		    /* (control, under lock) FREE, USED, STUCK */
} SL_CACHE_ALIGNED;

enum { SLOT_FREE, SLOT_USED, SLOT_STUCK };

struct hook {
	struct sl_capture_tap tap;
	struct slot *slot;
	struct sl_port_callback *cb;
};

struct sl_capture_session {
	unsigned id;
	void *base;
	uint64_t size;
	struct bpf_program prog;
	bool has_prog;
	unsigned nb_hooks;
	unsigned nb_ifaces;
	uint16_t iface_port[SL_PORT_MAX];
	struct hook *hooks;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[SL_CAPTURE_MAX_SESSIONS * SL_CAPTURE_MAX_RINGS];
static struct sl_capture_session *sessions[SL_CAPTURE_MAX_SESSIONS];
static unsigned next_id = 1;

static inline uint16_t hook(struct slot *s, uint16_t port, uint16_t queue, struct sl_pktbuf **pkts,
			    uint16_t n, uint8_t dir)
{
	struct sl_capture_tap *tap;

	__atomic_fetch_add(&s->seq, 1, __ATOMIC_SEQ_CST);
	tap = __atomic_load_n(&s->tap, __ATOMIC_SEQ_CST);
	if (tap && s->port == port && s->queue == queue && s->dir == dir)
		sl_capture_tap_write(tap, pkts, n, port, queue, dir);
	__atomic_fetch_add(&s->seq, 1, __ATOMIC_RELEASE);
	return n;
}

static uint16_t hook_rx(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts, uint16_t n,
			void *arg)
{
	return hook(arg, port, queue, pkts, n, SL_CAPTURE_RX);
}

static uint16_t hook_tx(uint16_t port, uint16_t queue, struct sl_pktbuf **pkts, uint16_t n,
			void *arg)
{
	return hook(arg, port, queue, pkts, n, SL_CAPTURE_TX);
}

/* A slot for (port, queue, dir): one last used for the same, else a free one.  Locked. */
static struct slot *slot_get(uint16_t port, uint16_t queue, uint8_t dir)
{
	struct slot *fresh = NULL;

	for (unsigned i = 0; i < SL_ARRAY_SIZE(slots); i++) {
		struct slot *s = &slots[i];

		if (s->state != SLOT_FREE)
			continue;
		if (s->dir == dir && s->port == port && s->queue == queue)
			return s;
		if (fresh == NULL && s->dir == 0)
			fresh = s;
	}
	return fresh; /* a slot once used for another queue is never handed out again */
}

/* Configured queue counts (0 and 0 for a port that is gone or not configured). */
static void queue_counts(uint16_t port, unsigned *rxq, unsigned *txq)
{
	struct sl_port_info info;

	*rxq = *txq = 0;
	if (sl_port_info(port, &info) == 0) {
		*rxq = info.nb_rxq;
		*txq = info.nb_txq;
	}
}

static void port_names(char *out, size_t len)
{
	int p;
	size_t used = 0;

	out[0] = '\0';
	SL_PORT_FOREACH(p) {
		struct sl_port_info info;

		if (sl_port_info((uint16_t)p, &info) == 0 && used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s (%d)",
						 used ? ", " : "", info.name, p);
	}
	if (used == 0)
		snprintf(out, len, "(none: the process has no port)");
}

static int resolve_port(const char *word, char *err, size_t errlen)
{
	char *end;
	long id = strtol(word, &end, 10);
	struct sl_port_info info;
	char names[512];
	int p;

	if (*end == '\0' && end != word) {
		if (id >= 0 && id < SL_PORT_MAX && sl_port_info((uint16_t)id, &info) == 0)
			return (int)id;
	} else if ((p = sl_port_lookup(word)) >= 0) {
		return p;
	}
	port_names(names, sizeof(names));
	snprintf(err, errlen, "unknown port \"%s\"; the ports are %s", word, names);
	return -EINVAL;
}

static void *shm_create(uint64_t size, int *fd_out, char *err, size_t errlen)
{
	int fd = memfd_create("sluice-capture", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *base;

	if (fd < 0) {
		snprintf(err, errlen, "memfd_create for %llu bytes of capture rings: %s",
			 (unsigned long long)size, strerror(errno));
		return NULL;
	}
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		snprintf(err, errlen, "sizing and sealing %llu bytes of capture rings: %s",
			 (unsigned long long)size, strerror(errno));
		close(fd);
		return NULL;
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		snprintf(
			err, errlen,
			"mapping %llu bytes of capture rings: %s; capture fewer queues or pass a smaller ring_kb",
			(unsigned long long)size, strerror(errno));
		close(fd);
		return NULL;
	}
	*fd_out = fd;
	return base;
}

static json_t *iface_json(uint16_t port, const char *filter, uint32_t snaplen)
{
	struct sl_port_info info;
	struct sl_port_link link = {0};
	uint8_t m[6] = {0};
	char mac[18], desc[96];
	json_t *o = json_object();

	sl_port_info(port, &info);
	sl_port_mac(port, m);
	sl_port_link(port, &link);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	snprintf(desc, sizeof(desc), "%s port %u%s%s", info.driver ? info.driver : "sluice", port,
		 info.if_name ? " on " : "", info.if_name ? info.if_name : "");
	json_object_set_new(o, "port", json_integer(port));
	json_object_set_new(o, "name", json_string(info.name));
	json_object_set_new(o, "description", json_string(desc));
	json_object_set_new(o, "driver", json_string(info.driver ? info.driver : ""));
	json_object_set_new(o, "mac", json_string(mac));
	json_object_set_new(o, "speed_mbps", json_integer(link.speed_mbps));
	json_object_set_new(o, "filter", json_string(filter));
	json_object_set_new(o, "snaplen", json_integer(snaplen));
	return o;
}

/* Waits until no thread is inside any of the session's hooks; false after GRACE_NS. */
static bool quiesce(struct sl_capture_session *s, const uint64_t *seq0)
{
	struct timespec t0, now, nap = {0, 20000};
	bool done = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done) {
		done = true;
		for (unsigned i = 0; i < s->nb_hooks; i++) {
			uint64_t v = __atomic_load_n(&s->hooks[i].slot->seq, __ATOMIC_ACQUIRE);

			if ((seq0[i] & 1) && v == seq0[i])
				done = false;
		}
		if (done)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((uint64_t)(now.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)now.tv_nsec -
			    (uint64_t)t0.tv_nsec >
		    GRACE_NS)
			return false;
		nanosleep(&nap, NULL);
	}
	return true;
}

/* Unhooks and frees; the lock is held. */
static void teardown(struct sl_capture_session *s)
{
	uint64_t *seq0 = calloc(s->nb_hooks ? s->nb_hooks : 1, sizeof(*seq0));
	bool quiet;

	for (unsigned i = 0; i < s->nb_hooks; i++)
		__atomic_store_n(&s->hooks[i].slot->tap, NULL, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < s->nb_hooks; i++) {
		struct hook *h = &s->hooks[i];

		if (seq0)
			seq0[i] = __atomic_load_n(&h->slot->seq, __ATOMIC_SEQ_CST);
		if (h->cb)
			sl_port_callback_remove(h->slot->port, h->slot->queue, h->cb);
	}
	quiet = seq0 && quiesce(s, seq0);
	free(seq0);
	for (unsigned i = 0; i < s->nb_hooks; i++)
		s->hooks[i].slot->state = quiet ? SLOT_FREE : SLOT_STUCK;
	if (!quiet) {
		SL_LOG(capture, WARNING,
		       "capture %u: a data-path thread stayed inside the capture hook over 1 s; its %llu bytes of rings stay mapped rather than be freed under it",
		       s->id, (unsigned long long)s->size);
		return;
	}
	munmap(s->base, s->size);
	if (s->has_prog)
		pcap_freecode(&s->prog);
	free(s->hooks);
	free(s);
}

static int compile_filter(struct sl_capture_session *s, const struct sl_capture_params *p,
			  char *err, size_t errlen)
{
	pcap_t *pc;

	if (p->filter[0] == '\0')
		return 0;
	pc = pcap_open_dead(DLT_EN10MB, (int)p->snaplen);
	if (pc == NULL) {
		snprintf(err, errlen, "libpcap could not open a dead handle to compile the filter");
		return -ENOMEM;
	}
	if (pcap_compile(pc, &s->prog, p->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(
			err, errlen,
			"filter \"%s\" does not compile: %s; write it in libpcap syntax (man pcap-filter), e.g. 'udp port 9'",
			p->filter, pcap_geterr(pc));
		pcap_close(pc);
		return -EINVAL;
	}
	pcap_close(pc);
	s->has_prog = true;
	return 0;
}

struct plan {
	uint16_t port, queue;
	uint8_t dir;
	uint32_t iface;
};

/* The (port, queue, direction) list to hook. */
static int plan_hooks(struct sl_capture_session *s, const struct sl_capture_params *p,
		      struct plan *plan, unsigned *n, char *err, size_t errlen)
{
	int ports[SL_PORT_MAX], nb = 0, id;

	if (p->nb_ports == 0) {
		SL_PORT_FOREACH(id)
			ports[nb++] = id;
		if (nb == 0) {
			snprintf(err, errlen, "the process has no port to capture on");
			return -EINVAL;
		}
	}
	for (unsigned i = 0; i < p->nb_ports; i++) {
		bool dup = false;

		if ((id = resolve_port(p->ports[i], err, errlen)) < 0)
			return id;
		for (int k = 0; k < nb; k++)
			dup |= ports[k] == id;
		if (!dup)
			ports[nb++] = id;
	}
	*n = 0;
	for (int k = 0; k < nb; k++) {
		unsigned counts[2];
		struct sl_port_info info;

		queue_counts((uint16_t)ports[k], &counts[0], &counts[1]);
		sl_port_info((uint16_t)ports[k], &info);
		if (p->queue >= 0 &&
		    !((p->dirs & SL_CAPTURE_RX && (unsigned)p->queue < counts[0]) ||
		      (p->dirs & SL_CAPTURE_TX && (unsigned)p->queue < counts[1]))) {
			snprintf(
				err, errlen,
				"port %s has %u rx and %u tx queues, no queue %d; use a queue below %u",
				info.name, counts[0], counts[1], p->queue,
				counts[0] > counts[1] ? counts[0] : counts[1]);
			return -EINVAL;
		}
		s->iface_port[s->nb_ifaces] = (uint16_t)ports[k];
		for (int d = 0; d < 2; d++) {
			uint8_t dir = d == 0 ? SL_CAPTURE_RX : SL_CAPTURE_TX;

			if (!(p->dirs & dir))
				continue;
			for (unsigned q = 0; q < counts[d]; q++)
				if (p->queue < 0 || (unsigned)p->queue == q)
					plan[(*n)++] = (struct plan){
						(uint16_t)ports[k], (uint16_t)q, dir, s->nb_ifaces};
		}
		s->nb_ifaces++;
	}
	if (*n == 0) {
		snprintf(
			err, errlen,
			"the ports chosen have no configured %s queue; start the application's ports first",
			p->dirs == SL_CAPTURE_RX   ? "rx"
			: p->dirs == SL_CAPTURE_TX ? "tx"
						   : "rx or tx");
		return -EINVAL;
	}
	return 0;
}

struct sl_capture_session *sl_capture_start(const struct sl_capture_params *p, json_t **reply,
					    int *memfd, char *err, size_t errlen)
{
	static struct plan plan[SL_CAPTURE_MAX_RINGS]; /* under the lock */
	struct sl_capture_session *s;
	uint64_t ring_bytes = (uint64_t)p->ring_kb * 1024;
	unsigned n = 0, slot_idx = SL_CAPTURE_MAX_SESSIONS;
	json_t *ifaces;
	int rc, fd = -1;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory for a capture session");
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < SL_CAPTURE_MAX_SESSIONS; i++)
		if (sessions[i] == NULL) {
			slot_idx = i;
			break;
		}
	if (slot_idx == SL_CAPTURE_MAX_SESSIONS) {
		snprintf(
			err, errlen,
			"%d captures are running in this process already (the limit); stop one first",
			SL_CAPTURE_MAX_SESSIONS);
		rc = -EBUSY;
		goto free_session;
	}
	rc = plan_hooks(s, p, plan, &n, err, errlen);
	if (rc < 0)
		goto free_session;
	s->size = sl_capture__shm_size(n, ring_bytes);
	if (s->size > SL_CAPTURE_MAX_SHM) {
		snprintf(
			err, errlen,
			"%u rings of %u KiB make %llu MiB, over the %llu MiB limit; capture fewer queues or pass a smaller ring_kb",
			n, p->ring_kb, (unsigned long long)(s->size >> 20),
			(unsigned long long)(SL_CAPTURE_MAX_SHM >> 20));
		rc = -EINVAL;
		goto free_session;
	}
	rc = compile_filter(s, p, err, errlen);
	if (rc < 0)
		goto free_session;
	s->hooks = calloc(n, sizeof(*s->hooks));
	s->base = s->hooks ? shm_create(s->size, &fd, err, errlen) : NULL;
	if (s->base == NULL) {
		if (s->hooks == NULL)
			snprintf(err, errlen, "out of memory for %u capture hooks", n);
		rc = -ENOMEM;
		goto free_prog;
	}
	sl_capture__shm_init(s->base, s->size, n, ring_bytes, p->snaplen);
	for (unsigned i = 0; i < n; i++) {
		struct sl_capture_ring_info *ri =
			(struct sl_capture_ring_info *)((uint8_t *)s->base +
							sizeof(struct sl_capture_shm)) +
			i;

		ri->port = plan[i].port;
		ri->queue = plan[i].queue;
		ri->dir = plan[i].dir;
		ri->iface = plan[i].iface;
	}
	s->id = next_id++;
	for (unsigned i = 0; i < n; i++) {
		struct hook *h = &s->hooks[i];
		struct slot *sl = slot_get(plan[i].port, plan[i].queue, plan[i].dir);

		if (sl == NULL) {
			snprintf(
				err, errlen,
				"no capture hook slot left (%zu used); restart the process to capture more queues",
				SL_ARRAY_SIZE(slots));
			rc = -ENOSPC;
			goto unhook;
		}
		sl_capture__tap_bind(&h->tap, s->base, i, s->has_prog ? s->prog.bf_insns : NULL,
				     p->snaplen);
		sl->port = plan[i].port;
		sl->queue = plan[i].queue;
		sl->dir = plan[i].dir;
		sl->state = SLOT_USED;
		h->slot = sl;
		s->nb_hooks++;
		__atomic_store_n(&sl->tap, &h->tap, __ATOMIC_RELEASE);
		h->cb = plan[i].dir == SL_CAPTURE_RX
				? sl_port_rx_callback_add(plan[i].port, plan[i].queue, hook_rx, sl)
				: sl_port_tx_callback_add(plan[i].port, plan[i].queue, hook_tx, sl);
		if (h->cb == NULL) {
			rc = -errno;
			snprintf(err, errlen, "cannot hook port %u queue %u: %s", plan[i].port,
				 plan[i].queue, strerror(errno));
			goto unhook;
		}
	}
	ifaces = json_array();
	for (unsigned k = 0; k < s->nb_ifaces; k++)
		json_array_append_new(ifaces, iface_json(s->iface_port[k], p->filter, p->snaplen));
	*reply =
		json_pack("{s:i, s:i, s:i, s:I, s:i, s:s, s:s, s:o}", "version", SL_CAPTURE_VERSION,
			  "id", (int)s->id, "rings", (int)n, "shm_size", (json_int_t)s->size,
			  "snaplen", (int)p->snaplen, "filter", p->filter, "direction",
			  p->dirs == SL_CAPTURE_RX   ? "rx"
			  : p->dirs == SL_CAPTURE_TX ? "tx"
						     : "both",
			  "interfaces", ifaces);
	*memfd = fd;
	sessions[slot_idx] = s;
	pthread_mutex_unlock(&lock);
	SL_LOG(capture, INFO, "capture %u started: %u hooks, %llu KiB of rings, filter '%s'", s->id,
	       n, (unsigned long long)(s->size >> 10), p->filter);
	return s;

unhook:
	close(fd);
	teardown(s); /* frees s, its memory and its program */
	pthread_mutex_unlock(&lock);
	SL_LOG(capture, ERR, "capture not started: %s", err);
	errno = -rc;
	return NULL;
free_prog:
	if (s->has_prog)
		pcap_freecode(&s->prog);
	free(s->hooks);
free_session:
	pthread_mutex_unlock(&lock);
	free(s);
	SL_LOG(capture, ERR, "capture not started: %s", err);
	errno = -rc;
	return NULL;
}

json_t *sl_capture_stats(struct sl_capture_session *s)
{
	json_t *arr = json_array();

	for (unsigned k = 0; k < s->nb_ifaces; k++) {
		uint64_t seen = 0, matched = 0, dropped = 0;
		struct sl_port_info info = {{0}};

		for (unsigned i = 0; i < s->nb_hooks; i++) {
			struct sl_capture_ring *r = s->hooks[i].tap.ring;

			if (s->hooks[i].slot->port != s->iface_port[k])
				continue;
			seen += __atomic_load_n(&r->seen, __ATOMIC_RELAXED);
			matched += __atomic_load_n(&r->matched, __ATOMIC_RELAXED);
			dropped += __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
		}
		sl_port_info(s->iface_port[k], &info);
		json_array_append_new(
			arr, json_pack("{s:i, s:s, s:I, s:I, s:I}", "port", (int)s->iface_port[k],
				       "name", info.name, "received", (json_int_t)seen, "matched",
				       (json_int_t)matched, "dropped", (json_int_t)dropped));
	}
	return arr;
}

void sl_capture_stop(struct sl_capture_session *s)
{
	unsigned id;

	if (s == NULL)
		return;
	id = s->id;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < SL_CAPTURE_MAX_SESSIONS; i++)
		if (sessions[i] == s)
			sessions[i] = NULL;
	teardown(s);
	pthread_mutex_unlock(&lock);
	SL_LOG(capture, INFO, "capture %u stopped", id);
}

unsigned sl_capture_running(unsigned *hooks)
{
	unsigned n = 0, h = 0;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < SL_CAPTURE_MAX_SESSIONS; i++)
		if (sessions[i]) {
			n++;
			h += sessions[i]->nb_hooks;
		}
	pthread_mutex_unlock(&lock);
	if (hooks)
		*hooks = h;
	return n;
}

/* --- telemetry commands --- */

/* The session of a connection is kept in its telemetry connection word
 * (sl_telemetry_conn_data()); the close callback stops it when the client goes. */
static void on_close(void *arg)
{
	sl_capture_stop(arg);
}

static int cmd_start(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	void **conn = sl_telemetry_conn_data(req);
	struct sl_capture_params p;
	struct sl_capture_session *s;
	char err[768];
	json_t *reply = NULL;
	int fd = -1, rc;

	(void)cmd;
	(void)ctx;
	if (conn == NULL)
		return sl_telemetry_error(
			req, -ENOTSUP,
			"a capture needs a socket connection to pass its memory; connect to the telemetry socket");
	if (*conn)
		return sl_telemetry_error(
			req, -EBUSY,
			"this connection runs capture %u already; open another connection for another capture",
			((struct sl_capture_session *)*conn)->id);
	if (sl_capture__parse_params(params, &p, err, sizeof(err)) < 0) {
		SL_LOG(capture, ERR, "capture not started: %s", err);
		return sl_telemetry_error(req, -EINVAL, "%s", err);
	}
	s = sl_capture_start(&p, &reply, &fd, err, sizeof(err));
	if (s == NULL)
		return sl_telemetry_error(req, -errno, "%s", err);
	rc = sl_telemetry_on_close(req, on_close, s);
	if (rc < 0) {
		json_decref(reply);
		close(fd);
		sl_capture_stop(s);
		return sl_telemetry_error(
			req, rc,
			"capture not started: this connection cannot take another session (%s)",
			strerror(-rc));
	}
	sl_telemetry_pass_fd(req, fd); /* the server owns fd now */
	*conn = s;
	sl_telemetry_set(req, reply);
	return 0;
}

static int cmd_stats(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	void **conn = sl_telemetry_conn_data(req);

	(void)cmd;
	(void)params;
	(void)ctx;
	if (conn == NULL || *conn == NULL)
		return sl_telemetry_error(
			req, -ENOENT,
			"this connection runs no capture; send /sluice/capture/start first, on the same connection");
	sl_telemetry_set(req, sl_capture_stats(*conn));
	return 0;
}

static int cmd_list(struct sl_telemetry_req *req, const char *cmd, const char *params, void *ctx)
{
	json_t *ids = json_array();
	unsigned hooks = 0, n;

	(void)cmd;
	(void)params;
	(void)ctx;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < SL_CAPTURE_MAX_SESSIONS; i++)
		if (sessions[i])
			json_array_append_new(ids, json_integer(sessions[i]->id));
	pthread_mutex_unlock(&lock);
	n = sl_capture_running(&hooks);
	sl_telemetry_set(req, json_pack("{s:i, s:i, s:i, s:o}", "running", (int)n, "hooks",
					(int)hooks, "max", SL_CAPTURE_MAX_SESSIONS, "ids", ids));
	return 0;
}

static const struct sl_telemetry_cmd capture_cmds[] = {
	{"/sluice/capture/start", cmd_start,
	 "Starts a capture on this connection; params: JSON {ports, queue, direction, filter, snaplen, ring_kb}",
	 NULL},
	{"/sluice/capture/stats", cmd_stats,
	 "Received, matched and dropped per interface of this connection's capture", NULL},
	{"/sluice/capture/list", cmd_list, "Captures running in the process and their hooks", NULL},
};

static void capture_register(void)
{
	sl_telemetry_register(capture_cmds, SL_ARRAY_SIZE(capture_cmds));
}
SL_TELEMETRY_INIT(capture_register)
