/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_tap: a port backed by a kernel TAP interface (/dev/net/tun, IFF_TAP | IFF_NO_PI |
 * IFF_MULTI_QUEUE).  What the application sends arrives in the kernel as if received on
 * the interface; what the kernel sends out of the interface is what rx returns.  It wires
 * Sluice to the kernel's stack (ping, sockets, tcpdump) with nothing but root.
 *
 *   net_tap0                       creates (or attaches to) sl_tap0
 *   net_tap1,iface=up0,mac=02:00:00:00:00:01,persist=1
 *
 * Queue i owns one file descriptor on the interface (one kernel queue); the kernel spreads
 * its flows over the descriptors.  Every packet costs one read() or write(): a tap is
 * syscall-per-packet by nature, which is fine for control traffic and tests, not for line
 * rate (use af_packet or a real NIC for that).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "sl_port_driver.h"

#define TAP_DEV "/dev/net/tun"
#define TAP_MAX_QUEUES 8
#define TAP_MIN_MTU 68
#define TAP_MAX_MTU 9000
#define ETH_HDR_LEN 14
/* Ethernet header plus two VLAN tags: the longest frame rx expects is MTU + this. */
#define FRAME_OVERHEAD (ETH_HDR_LEN + 8)
/* Segments one received frame may span (readv into a chain). */
#define RX_SEGS_MAX 16
/* Segments of a packet tx hands to one writev(); longer chains are dropped. */
#define TX_SEGS_MAX 64

SL_LOG_TYPE_DEFINE(net_tap)

struct tap_rxq {
	struct sl_port_qstats st; /* (data path) errors: the three below; nombuf: no buffer to
				     read the next frame into */
	uint64_t too_long;	  /* (data path) frame longer than MTU + 22: dropped */
	uint64_t runt;		  /* (data path) frame shorter than an Ethernet header: dropped */
	uint64_t read_err;	  /* (data path) read() failed other than EAGAIN */
	int fd;               /* the queue's descriptor on the interface, set at start */
	uint16_t port;
	uint16_t nb_segs;     /* iovecs one readv() fills */
	uint32_t frame_max;   /* longer frames are dropped and counted (rx_qN_too_long) */
	struct sl_pool *pool;
	/* Buffers readv() fills, allocated ahead and kept across bursts, so an empty poll
	 * costs one syscall and no pool traffic.  Slot 0 keeps the headroom; the others use
	 * their whole buffer. */
	struct sl_pktbuf *spare[RX_SEGS_MAX];
	struct iovec iov[RX_SEGS_MAX];
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct tap_rxq, st);

/* Why tx dropped a packet (it is freed and counted in oerrors). */
enum tx_err {
	TX_ERR_RUNT,     /* shorter than an Ethernet header */
	TX_ERR_SEGS,     /* more than TX_SEGS_MAX segments */
	TX_ERR_REJECTED, /* the kernel refused the frame (EINVAL, EMSGSIZE, EFAULT) */
	TX_ERR_DOWN,     /* the queue or interface is gone (EIO, EBADFD, ENETDOWN...) */
	TX_ERR_OTHER,    /* any other errno, or a short write */
	TX_ERR_MAX
};

struct tap_txq {
	struct sl_port_qstats st; /* (data path) errors: the sum of err[] */
	uint64_t busy;        /* (data path) bursts cut short by EAGAIN (caller kept the rest) */
	uint64_t err[TX_ERR_MAX]; /* (data path) */
	int fd; /* set at start; tx queues beyond the rx count share descriptors */
	struct iovec iov[TX_SEGS_MAX];
} SL_CACHE_ALIGNED;
SL_PORT_QUEUE_CHECK(struct tap_txq, st);

/* The driver's own per-queue counters (rx_q0_too_long, tx_q0_err_runt...); the kernel's
 * drops are in tap_stats() and tap_xstats(). */
static const struct sl_port_qxstat tap_rxq_xstats[] = {
	SL_PORT_QXSTAT(struct tap_rxq, too_long),
	SL_PORT_QXSTAT(struct tap_rxq, runt),
	SL_PORT_QXSTAT_NAMED("read_errors", struct tap_rxq, read_err),
	{NULL, 0},
};

static const struct sl_port_qxstat tap_txq_xstats[] = {
	SL_PORT_QXSTAT(struct tap_txq, busy),
	SL_PORT_QXSTAT_NAMED("err_runt", struct tap_txq, err[TX_ERR_RUNT]),
	SL_PORT_QXSTAT_NAMED("err_too_many_segs", struct tap_txq, err[TX_ERR_SEGS]),
	SL_PORT_QXSTAT_NAMED("err_rejected", struct tap_txq, err[TX_ERR_REJECTED]),
	SL_PORT_QXSTAT_NAMED("err_link_down", struct tap_txq, err[TX_ERR_DOWN]),
	SL_PORT_QXSTAT_NAMED("err_other", struct tap_txq, err[TX_ERR_OTHER]),
	{NULL, 0},
};

struct tap_port {
	struct sl_port *port;
	char ifname[IFNAMSIZ];
	int sock;             /* datagram socket for the interface ioctls */
	int fds[TAP_MAX_QUEUES];
	unsigned nb_fds;      /* descriptors open: max(rx queues, 1) */
	unsigned max_queues;  /* TAP_MAX_QUEUES, or 1 on an existing single-queue tap */
	short tun_flags;      /* TUNSETIFF flags every descriptor attaches with */
	bool persist;
	bool created;         /* the interface did not exist before the port */
	uint64_t kbase[2];    /* kernel tx_dropped / rx_dropped at the last stats reset */
};

/* Ports of this driver, to refuse two ports on one interface. */
static struct tap_port *taps[SL_PORT_MAX];

/* --- data path --- */

/* Makes sure spare[0..nb_segs-1] hold buffers.  Returns 0, or -1 when the pool is empty. */
static inline int rx_refill(struct tap_rxq *q)
{
	for (unsigned i = 0; i < q->nb_segs; i++) {
		struct sl_pktbuf *m;

		if (sl_likely(q->spare[i] != NULL))
			continue;
		m = sl_pktbuf_alloc(q->pool);
		if (sl_unlikely(m == NULL))
			return -1;
		if (i > 0)
			m->data_off = 0;
		q->spare[i] = m;
		q->iov[i].iov_base = sl_pktbuf_mtod(m, void *);
		q->iov[i].iov_len = (size_t)(m->buf_len - m->data_off);
	}
	return 0;
}

/* Turns the spare buffers holding a len-byte frame into a chain and takes them out. */
static inline struct sl_pktbuf *rx_chain(struct tap_rxq *q, uint32_t len)
{
	struct sl_pktbuf *head = q->spare[0], *prev = NULL;
	uint32_t left = len;
	uint16_t segs = 0;

	for (unsigned i = 0; left > 0; i++) {
		struct sl_pktbuf *m = q->spare[i];
		uint32_t take = (uint32_t)SL_MIN((size_t)left, q->iov[i].iov_len);

		m->data_len = (uint16_t)take;
		left -= take;
		if (prev)
			prev->next = m;
		prev = m;
		q->spare[i] = NULL;
		segs++;
	}
	head->nb_segs = segs;
	head->pkt_len = len;
	head->port = q->port;
	return head;
}

/* A frame lost on rx: counted by reason and in ierrors. */
static inline void rx_drop(struct tap_rxq *q, uint64_t *reason)
{
	sl_counter_add(reason, 1);
	sl_counter_add(&q->st.errors, 1);
}

static uint16_t tap_rx(void *queue, struct sl_pktbuf **pkts, uint16_t n)
{
	struct tap_rxq *q = queue;
	uint64_t bytes = 0;
	uint16_t nb = 0;

	/* At most n reads: frames dropped below still use up the burst. */
	for (uint16_t tries = 0; tries < n; tries++) {
		ssize_t len;

		if (sl_unlikely(rx_refill(q) < 0)) {
			sl_counter_add(&q->st.nombuf, 1);
			break;
		}
		len = readv(q->fd, q->iov, q->nb_segs);
		if (len < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				rx_drop(q, &q->read_err);
			break;
		}
		if (sl_unlikely(len < ETH_HDR_LEN)) {
			rx_drop(q, &q->runt);
			continue; /* the buffers stay spare */
		}
		/* The iovecs cover frame_max + 1 bytes, so a longer (truncated) frame shows. */
		if (sl_unlikely((size_t)len > q->frame_max)) {
			rx_drop(q, &q->too_long);
			continue;
		}
		pkts[nb++] = rx_chain(q, (uint32_t)len);
		bytes += (uint64_t)len;
	}
	if (nb) {
		sl_counter_add(&q->st.packets, nb);
		sl_counter_add(&q->st.bytes, bytes);
	}
	return nb;
}

static inline enum tx_err tx_errno_reason(int err)
{
	switch (err) {
	case EINVAL:
	case EMSGSIZE:
	case EFAULT:
		return TX_ERR_REJECTED;
	case EIO:
	case EBADFD:
	case ENETDOWN:
	case ENXIO:
	case EPIPE:
		return TX_ERR_DOWN;
	default:
		return TX_ERR_OTHER;
	}
}

static inline int tx_iov_fill(struct tap_txq *q, struct sl_pktbuf *p)
{
	int n = 0;

	for (struct sl_pktbuf *s = p; s; s = s->next, n++) {
		q->iov[n].iov_base = sl_pktbuf_mtod(s, void *);
		q->iov[n].iov_len = s->data_len;
	}
	return n;
}

/* A packet taken and dropped: counted by reason and in oerrors. */
static inline void tx_drop(struct tap_txq *q, enum tx_err why)
{
	sl_counter_add(&q->err[why], 1);
	sl_counter_add(&q->st.errors, 1);
}

static uint16_t tap_tx(void *queue, struct sl_pktbuf **pkts, uint16_t n)
{
	struct tap_txq *q = queue;
	uint64_t bytes = 0, sent = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct sl_pktbuf *p = pkts[i];
		ssize_t r;

		if (sl_unlikely(p->pkt_len < ETH_HDR_LEN)) {
			tx_drop(q, TX_ERR_RUNT);
			continue;
		}
		if (sl_likely(p->nb_segs == 1))
			r = write(q->fd, sl_pktbuf_mtod(p, void *), p->data_len);
		else if (p->nb_segs <= TX_SEGS_MAX)
			r = writev(q->fd, q->iov, tx_iov_fill(q, p));
		else {
			tx_drop(q, TX_ERR_SEGS);
			continue;
		}
		if (sl_likely(r >= 0 && (uint32_t)r == p->pkt_len)) {
			sent++;
			bytes += p->pkt_len;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
			      errno == EINTR)) {
			/* Kernel queue full: pkts[i..] stay the caller's. */
			sl_counter_add(&q->busy, 1);
			break;
		}
		tx_drop(q, r < 0 ? tx_errno_reason(errno) : TX_ERR_OTHER);
	}
	/* Everything before i was sent or dropped (and counted): free it in one batch. */
	sl_pktbuf_free_bulk(pkts, i);
	if (sent) {
		sl_counter_add(&q->st.packets, sent);
		sl_counter_add(&q->st.bytes, bytes);
	}
	return i;
}

/* --- interface control --- */

static void ifreq_init(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
}

static int if_flags_get(struct tap_port *tp, short *flags)
{
	struct ifreq ifr;

	ifreq_init(&ifr, tp->ifname);
	if (ioctl(tp->sock, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	*flags = ifr.ifr_flags;
	return 0;
}

/* Sets and clears interface flags (IFF_UP, IFF_PROMISC...); 0 or -errno, logged. */
static int if_flags_change(struct tap_port *tp, short set, short clear, const char *what)
{
	struct ifreq ifr;
	int rc;

	ifreq_init(&ifr, tp->ifname);
	if (ioctl(tp->sock, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags = (short)((ifr.ifr_flags | set) & ~clear);
	if (ioctl(tp->sock, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	return 0;
fail:
	rc = -errno;
	SL_LOG(net_tap, ERR, "%s: cannot %s interface %s: %s", tp->port->name, what, tp->ifname,
	       strerror(-rc));
	return rc;
}

/* Opens a descriptor on the interface (creating it if needed).  Returns the fd or -errno;
 * only a failing open() is logged here, TUNSETIFF errors are explained by the caller. */
static int queue_open(struct tap_port *tp, short flags)
{
	const char *pname = tp->port->name;
	struct ifreq ifr;
	int fd = open(TAP_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC), err;

	if (fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENODEV || err == ENXIO) {
			SL_LOG(net_tap, ERR,
			       "%s: %s is missing: load the tun module (modprobe tun)", pname,
			       TAP_DEV);
			return -ENODEV;
		}
		if (err == EACCES || err == EPERM) {
			SL_LOG(net_tap, ERR,
			       "%s: cannot open %s (%s): run as root or grant CAP_NET_ADMIN", pname,
			       TAP_DEV, strerror(err));
			return -EPERM;
		}
		SL_LOG(net_tap, ERR, "%s: cannot open %s: %s", pname, TAP_DEV, strerror(err));
		return -err;
	}
	ifreq_init(&ifr, tp->ifname);
	ifr.ifr_flags = flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static bool if_exists(struct tap_port *tp)
{
	struct ifreq ifr;

	ifreq_init(&ifr, tp->ifname);
	return ioctl(tp->sock, SIOCGIFINDEX, &ifr) == 0;
}

/* TUNSETIFF said EINVAL on an interface that exists: say what it is instead. */
static void explain_not_tap(struct tap_port *tp)
{
	struct ethtool_drvinfo di = {.cmd = ETHTOOL_GDRVINFO};
	const char *pname = tp->port->name, *name = tp->ifname;
	struct ifreq ifr;

	ifreq_init(&ifr, name);
	ifr.ifr_data = (void *)&di;
	if (ioctl(tp->sock, SIOCETHTOOL, &ifr) < 0)
		snprintf(di.driver, sizeof(di.driver), "unknown");
	if (strcmp(di.driver, "tun") == 0 && strcmp(di.bus_info, "tun") == 0)
		SL_LOG(net_tap, ERR,
		       "%s: interface %s exists and is a tun (layer 3) device, not a tap; "
		       "pick another iface= or delete it (ip link del %s)",
		       pname, name, name);
	else if (strcmp(di.driver, "tun") == 0)
		SL_LOG(net_tap, ERR,
		       "%s: interface %s is a tap with other flags (packet-info headers?); "
		       "pick another iface= or delete it (ip link del %s)",
		       pname, name, name);
	else
		SL_LOG(net_tap, ERR,
		       "%s: interface %s exists and is not a tap (driver %s); pick another "
		       "iface= or delete it (ip link del %s)",
		       pname, name, di.driver, name);
}

/* Opens the first descriptor: creates the interface or attaches to an existing tap. */
static int tap_attach(struct tap_port *tp)
{
	const char *pname = tp->port->name, *name = tp->ifname;
	bool existed = if_exists(tp);
	int fd;

	tp->tun_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
	tp->max_queues = TAP_MAX_QUEUES;
	fd = queue_open(tp, tp->tun_flags);
	if (fd == -EINVAL && existed) {
		/* A tap made without multi_queue (ip tuntap add mode tap) takes one queue. */
		fd = queue_open(tp, IFF_TAP | IFF_NO_PI);
		if (fd >= 0) {
			tp->tun_flags = IFF_TAP | IFF_NO_PI;
			tp->max_queues = 1;
			SL_LOG(net_tap, NOTICE,
			       "%s: %s is a single-queue tap: the port has one queue "
			       "(recreate it with 'ip tuntap add mode tap multi_queue' for more)",
			       pname, name);
		} else if (fd == -EINVAL) {
			explain_not_tap(tp);
			return -EEXIST;
		}
	}
	if (fd >= 0) {
		tp->created = !existed;
		return fd;
	}
	switch (fd) {
	case -ENODEV: /* logged by queue_open() */
		break;
	case -EPERM:
	case -EACCES:
		SL_LOG(net_tap, ERR,
		       "%s: not allowed to %s tap %s (EPERM): run as root or grant "
		       "CAP_NET_ADMIN (setcap cap_net_admin+ep PROGRAM), or have root create it: "
		       "ip tuntap add mode tap multi_queue user USER dev %s",
		       pname, existed ? "attach to" : "create", name, name);
		fd = -EPERM;
		break;
	case -EBUSY:
		SL_LOG(net_tap, ERR, "%s: tap %s is in use by another process", pname, name);
		break;
	default:
		SL_LOG(net_tap, ERR, "%s: cannot set up tap %s: %s", pname, name, strerror(-fd));
	}
	return fd;
}

/* Reads the kernel's drop counters of the interface from /proc/net/dev (of the calling
 * thread's network namespace): out[0] = tx_dropped (frames the kernel could not queue to
 * us), out[1] = rx_dropped (frames we wrote that it dropped).  0 or -ENOENT. */
static int kernel_drops(const char *ifname, uint64_t out[2])
{
	FILE *f = fopen("/proc/net/dev", "re");
	char line[512];
	int rc = -ENOENT;

	if (f == NULL)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *name = line, *colon = strchr(line, ':');
		unsigned long long rx_drop, tx_drop;

		if (colon == NULL)
			continue;
		*colon = '\0';
		name += strspn(name, " ");
		if (strcmp(name, ifname) != 0)
			continue;
		if (sscanf(colon + 1, "%*u %*u %*u %llu %*u %*u %*u %*u %*u %*u %*u %llu", &rx_drop,
			   &tx_drop) == 2) {
			out[0] = tx_drop;
			out[1] = rx_drop;
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* --- ops --- */

static void tap_info(struct sl_port *port, struct sl_port_info *info)
{
	struct tap_port *tp = port->priv;

	info->max_rxq = (uint16_t)tp->max_queues;
	info->max_txq = (uint16_t)tp->max_queues;
	info->min_mtu = TAP_MIN_MTU;
	info->max_mtu = TAP_MAX_MTU;
	info->max_rx_pktlen = TAP_MAX_MTU + FRAME_OVERHEAD;
	info->if_name = tp->ifname;
}

/* One descriptor per rx queue (at least one): the kernel spreads its flows over all the
 * descriptors, so a descriptor nobody reads would lose traffic. */
static int tap_configure(struct sl_port *port)
{
	struct tap_port *tp = port->priv;
	unsigned want = SL_MAX(port->conf.nb_rxq, 1u);

	while (tp->nb_fds < want) {
		int fd = queue_open(tp, tp->tun_flags);

		if (fd < 0) {
			if (fd != -ENODEV && fd != -EPERM)
				SL_LOG(net_tap, ERR, "%s: cannot open queue %u of tap %s: %s",
				       port->name, tp->nb_fds, tp->ifname, strerror(-fd));
			return fd;
		}
		tp->fds[tp->nb_fds++] = fd;
	}
	while (tp->nb_fds > want)
		close(tp->fds[--tp->nb_fds]);
	return 0;
}

/* Buffers a frame of up to frame_max + 1 bytes spans in buffers of buf_len bytes. */
static unsigned rx_segs_needed(uint16_t buf_len, uint32_t frame_max)
{
	uint32_t need = frame_max + 1;
	uint32_t room0 = buf_len > SL_PKTBUF_HEADROOM ? buf_len - SL_PKTBUF_HEADROOM : 0;

	if (buf_len == 0)
		return UINT32_MAX;
	if (room0 >= need)
		return 1;
	return 1 + (need - room0 + buf_len - 1) / buf_len;
}

static int rx_segs_check(struct sl_port *port, struct sl_pool *pool, unsigned *segs)
{
	uint16_t buf_len = sl_pktbuf_pool_buf_len(pool);
	uint32_t frame_max = (uint32_t)port->mtu + FRAME_OVERHEAD;

	*segs = rx_segs_needed(buf_len, frame_max);
	if (*segs > RX_SEGS_MAX) {
		SL_LOG(net_tap, ERR,
		       "%s: frames of %u bytes (MTU %u) need %u buffers of %u bytes, more "
		       "than %u: use a pool with bigger buffers or a lower MTU",
		       port->name, frame_max, port->mtu, *segs, buf_len, RX_SEGS_MAX);
		return -EINVAL;
	}
	return 0;
}

static int tap_rxq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node,
			 struct sl_pool *pool)
{
	struct tap_rxq *q;
	unsigned segs;

	(void)nb_desc; /* the kernel's queue (txqueuelen) is the ring */
	if (rx_segs_check(port, pool, &segs) < 0)
		return -EINVAL;
	q = sl_malloc(sizeof(*q), 0, node);
	if (q == NULL)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->port = port->id;
	q->pool = pool;
	q->nb_segs = (uint16_t)segs;
	q->frame_max = (uint32_t)port->mtu + FRAME_OVERHEAD;
	port->rxq[qid] = q;
	return 0;
}

static int tap_txq_setup(struct sl_port *port, uint16_t qid, uint16_t nb_desc, int node)
{
	struct tap_txq *q = sl_malloc(sizeof(*q), 0, node);

	(void)nb_desc;
	if (q == NULL)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	port->txq[qid] = q;
	return 0;
}

static void tap_rxq_release(struct sl_port *port, uint16_t qid)
{
	struct tap_rxq *q = port->rxq[qid];

	if (q == NULL)
		return;
	for (unsigned i = 0; i < RX_SEGS_MAX; i++)
		sl_pktbuf_free(q->spare[i]);
	sl_free(q);
	port->rxq[qid] = NULL;
}

static void tap_txq_release(struct sl_port *port, uint16_t qid)
{
	sl_free(port->txq[qid]);
	port->txq[qid] = NULL;
}

static int tap_start(struct sl_port *port)
{
	struct tap_port *tp = port->priv;

	for (uint16_t i = 0; i < port->conf.nb_rxq; i++) {
		struct tap_rxq *q = port->rxq[i];
		unsigned segs;

		/* The MTU may have changed since setup: size the reads again. */
		if (rx_segs_check(port, q->pool, &segs) < 0)
			return -EINVAL;
		q->nb_segs = (uint16_t)segs;
		q->frame_max = (uint32_t)port->mtu + FRAME_OVERHEAD;
		q->fd = tp->fds[i];
	}
	for (uint16_t i = 0; i < port->conf.nb_txq; i++) {
		struct tap_txq *q = port->txq[i];

		q->fd = tp->fds[i % tp->nb_fds];
	}
	return if_flags_change(tp, IFF_UP, 0, "bring up");
}

static void tap_stop(struct sl_port *port)
{
	if_flags_change(port->priv, 0, IFF_UP, "bring down");
}

static void tap_close(struct sl_port *port)
{
	struct tap_port *tp = port->priv;

	for (unsigned i = 0; i < tp->nb_fds; i++)
		close(tp->fds[i]);
	close(tp->sock);
	taps[port->id] = NULL;
	free(tp);
	port->priv = NULL;
}

/* What the queues' counters cannot hold: the interface's kernel drops (/proc/net/dev). */
static void tap_stats(struct sl_port *port, struct sl_port_stats *st)
{
	struct tap_port *tp = port->priv;
	uint64_t k[2];

	if (kernel_drops(tp->ifname, k) == 0 && k[0] >= tp->kbase[0])
		st->imissed += k[0] - tp->kbase[0];
}

static void tap_stats_reset(struct sl_port *port)
{
	struct tap_port *tp = port->priv;

	if (kernel_drops(tp->ifname, tp->kbase) < 0)
		memset(tp->kbase, 0, sizeof(tp->kbase));
}

static int tap_xstats(struct sl_port *port, struct sl_port_xstat *xs, unsigned n)
{
	struct tap_port *tp = port->priv;
	uint64_t k[2], dropped = 0;
	unsigned count = 0;

	if (kernel_drops(tp->ifname, k) == 0 && k[1] >= tp->kbase[1])
		dropped = k[1] - tp->kbase[1];
	sl_port_xstat_add(xs, n, &count, dropped, "tx_kernel_dropped");
	return (int)count;
}

static int tap_link(struct sl_port *port, struct sl_port_link *link)
{
	struct tap_port *tp = port->priv;
	short flags = 0;
	int rc = if_flags_get(tp, &flags);

	if (rc < 0) {
		SL_LOG(net_tap, ERR, "%s: cannot read the flags of %s: %s", port->name, tp->ifname,
		       strerror(-rc));
		return rc;
	}
	/* IFF_RUNNING is the operational state: up with carrier (a descriptor attached). */
	link->up = (flags & IFF_UP) && (flags & IFF_RUNNING);
	link->full_duplex = true;
	link->speed_mbps = 0; /* a tap has no speed */
	return 0;
}

static int tap_promisc(struct sl_port *port, bool on)
{
	return if_flags_change(port->priv, on ? IFF_PROMISC : 0, on ? 0 : IFF_PROMISC,
			       on ? "set promiscuous mode on" : "clear promiscuous mode on");
}

static int tap_allmulti(struct sl_port *port, bool on)
{
	return if_flags_change(port->priv, on ? IFF_ALLMULTI : 0, on ? 0 : IFF_ALLMULTI,
			       on ? "set all-multicast on" : "clear all-multicast on");
}

static int tap_mtu_set(struct sl_port *port, uint16_t mtu)
{
	struct tap_port *tp = port->priv;
	struct ifreq ifr;

	if (port->state == SL_PORT_STARTED && mtu > port->mtu) {
		/* rx reads are sized for the MTU at start. */
		SL_LOG(net_tap, ERR, "%s: stop the port to raise its MTU from %u to %u", port->name,
		       port->mtu, mtu);
		return -EBUSY;
	}
	ifreq_init(&ifr, tp->ifname);
	ifr.ifr_mtu = mtu;
	if (ioctl(tp->sock, SIOCSIFMTU, &ifr) < 0) {
		int rc = -errno;

		SL_LOG(net_tap, ERR, "%s: cannot set the MTU of %s to %u: %s", port->name,
		       tp->ifname, mtu, strerror(-rc));
		return rc;
	}
	return 0;
}

static const struct sl_port_ops tap_ops = {
	.info = tap_info,
	.configure = tap_configure,
	.rxq_setup = tap_rxq_setup,
	.txq_setup = tap_txq_setup,
	.rxq_release = tap_rxq_release,
	.txq_release = tap_txq_release,
	.start = tap_start,
	.stop = tap_stop,
	.close = tap_close,
	.stats = tap_stats,
	.stats_reset = tap_stats_reset,
	.xstats = tap_xstats,
	.rxq_xstats = tap_rxq_xstats,
	.txq_xstats = tap_txq_xstats,
	.link = tap_link,
	.promisc = tap_promisc,
	.allmulti = tap_allmulti,
	.mtu_set = tap_mtu_set,
};

/* --- probe --- */

static int iface_check(const char *pname, const char *name)
{
	size_t len = strlen(name), bad;

	if (len == 0) {
		SL_LOG(net_tap, ERR, "%s: iface= is empty; give an interface name", pname);
		return -EINVAL;
	}
	if (len >= IFNAMSIZ) {
		SL_LOG(net_tap, ERR,
		       "%s: iface=%s is %zu characters; Linux interface names have at most %d",
		       pname, name, len, IFNAMSIZ - 1);
		return -EINVAL;
	}
	bad = strcspn(name, "/:% \t\n");
	if (name[bad] != '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		SL_LOG(net_tap, ERR,
		       "%s: iface=%s is not a valid interface name (no '/', ':', '%%', "
		       "spaces, '.' or '..')",
		       pname, name);
		return -EINVAL;
	}
	return 0;
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* "02:00:00:00:00:01" (or with '-'); 0 or -EINVAL, logged. */
static int mac_parse(const char *pname, const char *s, uint8_t mac[6])
{
	const char *p = s;

	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
			goto bad;
		mac[i] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
		p += 2;
		if (i < 5 && *p != ':' && *p != '-')
			goto bad;
		if (i < 5)
			p++;
	}
	if (*p != '\0')
		goto bad;
	if (mac[0] & 1) {
		SL_LOG(net_tap, ERR,
		       "%s: mac=%s is a multicast address; give a unicast one (first byte even)",
		       pname, s);
		return -EINVAL;
	}
	if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0) {
		SL_LOG(net_tap, ERR, "%s: mac=%s is all zeros; give a unicast address", pname, s);
		return -EINVAL;
	}
	return 0;
bad:
	SL_LOG(net_tap, ERR, "%s: mac=%s is not a MAC address; write it like 02:00:00:00:00:01",
	       pname, s);
	return -EINVAL;
}

/* The instance number of "net_tap3" (3), or the port id when the name has none. */
static unsigned instance_of(const struct sl_port *port)
{
	size_t len = strlen(port->name), i = len;

	while (i > 0 && isdigit((unsigned char)port->name[i - 1]))
		i--;
	return i < len ? (unsigned)strtoul(port->name + i, NULL, 10) : port->id;
}

static int tap_probe(struct sl_port *port, const struct sl_devargs *args)
{
	const char *iface = sl_devargs_get(args, "iface"), *mac = sl_devargs_get(args, "mac");
	struct tap_port *tp;
	struct ifreq ifr;
	int fd, rc;

	tp = calloc(1, sizeof(*tp));
	if (tp == NULL)
		return -ENOMEM;
	tp->port = port;
	tp->sock = -1;
	if (iface) {
		rc = iface_check(port->name, iface);
		if (rc < 0)
			goto free_tp;
		snprintf(tp->ifname, sizeof(tp->ifname), "%s", iface);
	} else {
		snprintf(tp->ifname, sizeof(tp->ifname), "sl_tap%u", instance_of(port) % 100000000u);
	}
	rc = sl_devargs_bool(args, port->name, "persist", &tp->persist);
	if (rc < 0)
		goto free_tp;
	if (mac) {
		rc = mac_parse(port->name, mac, port->mac);
		if (rc < 0)
			goto free_tp;
	} else {
		/* Random, locally administered (bit 1), unicast (bit 0 clear). */
		if (getrandom(port->mac, 6, 0) != 6)
			memcpy(port->mac, (uint8_t[]){0, 0x53, 0x4c, 0x00, 0x02, (uint8_t)port->id},
			       6);
		port->mac[0] = (uint8_t)((port->mac[0] & 0xfe) | 0x02);
	}
	for (int i = 0; i < SL_PORT_MAX; i++)
		if (taps[i] && strcmp(taps[i]->ifname, tp->ifname) == 0) {
			SL_LOG(net_tap, ERR,
			       "%s: interface %s is already used by port %s; give iface= "
			       "another name",
			       port->name, tp->ifname, taps[i]->port->name);
			rc = -EEXIST;
			goto free_tp;
		}
	tp->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tp->sock < 0) {
		rc = -errno;
		SL_LOG(net_tap, ERR, "%s: cannot open a control socket: %s", port->name,
		       strerror(-rc));
		goto free_tp;
	}
	fd = tap_attach(tp);
	if (fd < 0) {
		rc = fd;
		goto close_sock;
	}
	tp->fds[0] = fd;
	tp->nb_fds = 1;
	if (tp->persist && ioctl(fd, TUNSETPERSIST, 1) < 0) {
		rc = -errno;
		SL_LOG(net_tap, ERR, "%s: cannot make %s persistent: %s", port->name, tp->ifname,
		       strerror(-rc));
		goto close_fd;
	}
	/* Start from the interface's MTU (an existing tap may have its own). */
	ifreq_init(&ifr, tp->ifname);
	if (ioctl(tp->sock, SIOCGIFMTU, &ifr) == 0) {
		if (ifr.ifr_mtu >= TAP_MIN_MTU && ifr.ifr_mtu <= TAP_MAX_MTU) {
			port->mtu = (uint16_t)ifr.ifr_mtu;
		} else {
			/* Beyond what rx sizes for: bring it back to the port's. */
			ifr.ifr_mtu = port->mtu;
			if (ioctl(tp->sock, SIOCSIFMTU, &ifr) < 0)
				SL_LOG(net_tap, WARNING,
				       "%s: %s has an MTU this port cannot receive and "
				       "setting it to %u failed: %s",
				       port->name, tp->ifname, port->mtu, strerror(errno));
		}
	}
	kernel_drops(tp->ifname, tp->kbase);
	taps[port->id] = tp;
	port->priv = tp;
	port->ops = &tap_ops;
	port->rx = tap_rx;
	port->tx = tap_tx;
	SL_LOG(net_tap, INFO, "%s: %s tap %s (%s)", port->name,
	       tp->created ? "created" : "attached to", tp->ifname,
	       tp->persist ? "persistent" : "removed at close");
	return 0;

close_fd:
	close(fd);
close_sock:
	close(tp->sock);
free_tp:
	free(tp);
	return rc;
}

static const char *const tap_keys[] = {"iface", "mac", "persist", NULL};

const struct sl_port_driver sl_port_driver_tap = {
	.name = "net_tap",
	.keys = tap_keys,
	.usage = "iface=NAME (sl_tap<N>) mac=XX:XX:XX:XX:XX:XX (random) persist=0|1 (0: the "
		 "interface goes away at close)",
	.probe = tap_probe,
};
