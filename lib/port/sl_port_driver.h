/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver side of ports.  A driver is a const struct sl_port_driver whose probe()
 * fills in a port's ops table and burst functions; the build lists every enabled driver in
 * a generated table (no constructors, so static linking keeps them).
 */
#ifndef SL_PORT_DRIVER_H
#define SL_PORT_DRIVER_H

#include "sl_log.h"
#include "sl_memory.h"
#include "sl_port.h"

SL_LOG_TYPE_DECLARE(port);

/* Device arguments: "key=value" pairs after the name in a device string. */
#define SL_DEVARGS_MAX 16
struct sl_devargs {
	unsigned n;
	struct {
		char key[32];
		char value[256];
	} kv[SL_DEVARGS_MAX];
};

/* Value of key, or NULL. */
const char *sl_devargs_get(const struct sl_devargs *args, const char *key);

/* Reads an unsigned number in [min, max] (decimal or 0x hex); *out keeps its value (the
 * default) when the key is absent.  Returns 0 or -EINVAL after logging "<port>: key=value
 * is not a number in [min, max]". */
int sl_devargs_uint(const struct sl_devargs *args, const char *port, const char *key,
		    uint64_t min, uint64_t max, uint64_t *out);

/* Reads a boolean (0/1, yes/no, true/false, on/off).  Same conventions. */
int sl_devargs_bool(const struct sl_devargs *args, const char *port, const char *key,
		    bool *out);

enum sl_port_state { SL_PORT_UNUSED, SL_PORT_STOPPED, SL_PORT_STARTED };

struct sl_port;

struct sl_port_ops {
	/* Fills what the generic layer does not know (queues, MTU range, offloads). */
	void (*info)(struct sl_port *port, struct sl_port_info *info);
	/* Checks port->conf; 0 or -errno. */
	int (*configure)(struct sl_port *port);
	/* Creates queue q and stores it in sl_port_fps[id].rxq[q] / txq[q]. */
	int (*rxq_setup)(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node,
			 struct sl_pool *pool);
	int (*txq_setup)(struct sl_port *port, uint16_t q, uint16_t nb_desc, int node);
	void (*rxq_release)(struct sl_port *port, uint16_t q);
	void (*txq_release)(struct sl_port *port, uint16_t q);
	int (*start)(struct sl_port *port);
	void (*stop)(struct sl_port *port);
	/* Releases driver state (queues are released before). */
	void (*close)(struct sl_port *port);
	/* Adds the driver's counters into stats (the generic layer zeroes it first). */
	void (*stats)(struct sl_port *port, struct sl_port_stats *stats);
	void (*stats_reset)(struct sl_port *port);
	/* Fills up to n driver-specific named counters; returns how many there are. */
	int (*xstats)(struct sl_port *port, struct sl_port_xstat *xstats, unsigned n);
	int (*link)(struct sl_port *port, struct sl_port_link *link);
	int (*promisc)(struct sl_port *port, bool on);
	int (*allmulti)(struct sl_port *port, bool on);
	int (*mtu_set)(struct sl_port *port, uint16_t mtu);
	int (*rss_key_set)(struct sl_port *port, const uint8_t *key, unsigned len);
	int (*reta_set)(struct sl_port *port, const uint16_t *reta, unsigned n);
	int (*reta_get)(struct sl_port *port, uint16_t *reta, unsigned n);
};

struct sl_port_driver {
	const char *name;         /* "net_null": device strings are name + instance number */
	const char *const *keys;  /* accepted argument keys, NULL-terminated */
	const char *usage;        /* one line per key, for --help and error messages */
	/* Creates the device: sets port->ops, port->rx/tx burst functions, port->priv, MAC.
	 * Returns 0 or -errno after logging why (missing interface, bad argument...). */
	int (*probe)(struct sl_port *port, const struct sl_devargs *args);
};

/* Control-side state of a port (the data path sees only sl_port_fps[id]). */
struct sl_port {
	uint16_t id;
	enum sl_port_state state;
	char name[SL_PORT_NAME_SIZE];
	const struct sl_port_driver *drv;
	const struct sl_port_ops *ops;
	sl_port_burst_fn rx, tx;  /* installed in sl_port_fps while started */
	void *priv;               /* the driver's */
	struct sl_port_conf conf;
	bool configured;
	bool rxq_ready[SL_PORT_MAX_QUEUES];
	bool txq_ready[SL_PORT_MAX_QUEUES];
	void *rxq[SL_PORT_MAX_QUEUES];  /* the driver's queues, kept while stopped */
	void *txq[SL_PORT_MAX_QUEUES];
	uint8_t mac[6];
	uint16_t mtu;
	bool promisc, allmulti;
	uint64_t tx_stopped;            /* (data path, atomic) tx while stopped */
	struct sl_port_callback *retired; /* removed callbacks, freed at close */
};

/* Sum of the packets' pkt_len. */
static inline uint64_t sl_port_bytes(struct sl_pktbuf *const *pkts, uint16_t n)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	return bytes;
}

/* Drivers over a kernel interface (af_packet, af_xdp).  ctl_fd is any AF_INET datagram
 * socket.  sl_ifnet_ioctl() fills ifr's name and returns 0 or -errno; sl_ifnet_link() reads
 * flags, carrier (ethtool) and speed, logging and returning -errno when the interface is
 * gone. */
struct ifreq;
int sl_ifnet_ioctl(int ctl_fd, const char *iface, unsigned long req, struct ifreq *ifr);
int sl_ifnet_link(struct sl_port *port, int ctl_fd, const char *iface,
		  struct sl_port_link *link);

/* Adds one extended statistic for an xstats op: stores it when xs is not NULL and *count
 * is below n, and counts it either way (so a call with xs NULL sizes the list).  The name
 * is printf-formatted, e.g. ("rx_q%u_nombuf", q). */
void sl_port_xstat_add(struct sl_port_xstat *xs, unsigned n, unsigned *count, uint64_t value,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The generated table of drivers built in, NULL-terminated. */
extern const struct sl_port_driver *const sl_port_drivers[];

#endif
