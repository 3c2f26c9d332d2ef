/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp on veth pairs in a network namespace of its own (the process unshares it, so
 * the interfaces vanish with it).  Needs root (exit 77 if not).
 *
 *   xa (02:00:00:00:00:0a) <-- veth --> xb (02:00:00:00:00:0b)   single queue
 *   ma <-- veth, 2 rx / 2 tx queues --> mb                         multi-queue
 *
 * Sluice opens net_af_xdp on xa (or ma); the kernel side is a raw AF_PACKET socket on xb
 * (mb).  IPv6 is off and the frames go to a MAC nobody owns with an experimental
 * EtherType, so every frame seen is one the test sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_capture.h"
#include "port_test.h"
#include "sl_port.h"

#define ETHERTYPE_TEST 0x88b5
#define MAX_PKTS 1024

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_NOBODY[6] = {0x02, 0, 0, 0, 0, 0xee};

static struct log_capture cap;
static struct sl_pool *pool;

/* Whether `ip -d link` shows an XDP program on the interface. */
static bool xdp_attached(const char *iface)
{
	char out[4096];

	sh_out(out, sizeof(out), "ip -d link show dev %s", iface);
	return strstr(out, "prog/xdp") != NULL;
}

/* Whether `ip link show` (no -d) shows any XDP program on the interface: the "xdp" or
 * "xdpgeneric" flag, or a "prog/xdp" line. */
static bool xdp_on_link(const char *iface)
{
	char out[4096];

	sh_out(out, sizeof(out), "ip link show dev %s", iface);
	return strstr(out, " xdp") != NULL || strstr(out, "prog/xdp") != NULL;
}

/* The xdp_hold process a test started (0: none); teardown kills it if a test failed with
 * it alive. */
static pid_t hold_pid;

/* Starts xdp_hold DEVSTR NQ and waits for its "ready" (the port runs). */
static pid_t hold_start(const char *devstr, int nq)
{
	char nqs[8], line[64] = "";
	struct pollfd pfd;
	int fds[2];
	ssize_t len;
	pid_t child;

	snprintf(nqs, sizeof(nqs), "%d", nq);
	assert_int_equal(pipe(fds), 0);
	/* A separate program, not a fork: the port library's memory is shared mappings. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execl(XDP_HOLD, "xdp_hold", devstr, nqs, (char *)NULL);
		_exit(127);
	}
	hold_pid = child;
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	len = poll(&pfd, 1, 5000) == 1 ? read(fds[0], line, sizeof(line) - 1) : -1;
	close(fds[0]);
	if (len <= 0 || strncmp(line, "ready", 5) != 0)
		fail_msg("xdp_hold %s %d did not get ready", devstr, nq);
	return child;
}

/* Kills the xdp_hold process with SIGKILL and reaps it. */
static void hold_kill(pid_t child)
{
	int st;

	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &st, 0), child);
	hold_pid = 0;
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static const char *netns_setup(void)
{
	if (geteuid() != 0)
		return "not root";
	if (unshare(CLONE_NEWNET) < 0)
		return "cannot unshare the network namespace";
	if (sh("ip link add xa type veth peer name xb") != 0 ||
	    sh("ip link add name ma numtxqueues 2 numrxqueues 2 type veth peer name mb "
	       "numtxqueues 2 numrxqueues 2") != 0)
		return "cannot create veth pairs";
	if (sh("for i in xa xb ma mb; do echo 1 > /proc/sys/net/ipv6/conf/$i/disable_ipv6; done") != 0)
		return "cannot turn IPv6 off";
	if (sh("ip link set xa address 02:00:00:00:00:0a && ip link set xb address 02:00:00:00:00:0b"
	       " && for i in lo xa xb ma mb; do ip link set dev $i up || exit 1; done") != 0)
		return "cannot configure the veth pairs";
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("axdp_test", 4096, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	unsigned in_use;

	(void)state;
	if (hold_pid > 0) {
		kill(hold_pid, SIGKILL);
		waitpid(hold_pid, NULL, 0);
		hold_pid = 0;
	}
	sl_port_close_all();
	in_use = sl_pool_in_use(pool);
	sl_pool_free(pool);
	sl_pool_free(sl_pool_lookup("axdp_tiny"));
	log_capture_stop();
	assert_int_equal(sl_port_count(), 0);
	assert_int_equal(in_use, 0);
	assert_false(xdp_attached("xa"));
	assert_false(xdp_attached("ma"));
	return 0;
}

static int open_port(const char *devstr, uint16_t nq, struct sl_pool *rxpool)
{
	struct sl_port_conf conf = {.nb_rxq = nq, .nb_txq = nq};
	int id = sl_port_create(devstr);

	if (id < 0)
		fprintf(stderr, "%s", cap.text);
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, rxpool), 0);
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	}
	if (sl_port_start((uint16_t)id) != 0)
		fail_msg("%s does not start:\n%s", devstr, cap.text);
	return id;
}

static void frame_bytes(uint8_t *f, uint32_t seq, uint32_t len)
{
	memcpy(f, MAC_NOBODY, 6);
	memcpy(f + 6, MAC_A, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	memcpy(f + 14, &seq, 4);
	for (uint32_t i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

static uint32_t frame_len(uint32_t seq)
{
	return 60 + (seq * 37) % 1455; /* 60..1514 */
}

/* A raw socket on the kernel side: sends, and receives only the test EtherType. */
static int raw_socket(const char *iface)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_TEST)), big = 16 << 20, one = 1;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETHERTYPE_TEST),
		.sll_ifindex = (int)if_nametoindex(iface),
	};

	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)), 0);
	/* Straight to the driver: the veth tx queue is then the sending CPU's (see
	 * packet_pick_tx_queue() in net/packet/af_packet.c), which test_two_queues uses. */
	assert_int_equal(setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

static void raw_send(int fd, uint32_t seq)
{
	uint8_t f[2048];
	uint32_t len = frame_len(seq);

	frame_bytes(f, seq, len);
	assert_int_equal(send(fd, f, len, 0), (ssize_t)len);
}

static void assert_pkt_is(const struct sl_pktbuf *p, uint32_t seq)
{
	uint8_t f[2048], buf[2048];
	uint32_t len = frame_len(seq);
	const void *data;

	frame_bytes(f, seq, len);
	assert_int_equal(p->pkt_len, len);
	data = sl_pktbuf_read(p, 0, len, buf);
	assert_non_null(data);
	assert_memory_equal(data, f, len);
}

/* --- tests --- */

static void test_bad_args(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	int id;

	(void)state;
	assert_int_equal(sl_port_create("net_af_xdp0"), -EINVAL);
	assert_true(log_capture_has(&cap, "iface=NAME is required", NULL));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=nosuch42"), -ENODEV);
	assert_true(log_capture_has(&cap, "interface 'nosuch42' not found", "network namespace"));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=abcdefghijklmnopq"), -EINVAL);
	assert_true(log_capture_has(&cap, "iface=abcdefghijklmnopq is longer than", "15"));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,xdp_mode=turbo"), -EINVAL);
	assert_true(log_capture_has(&cap, "xdp_mode=turbo is not a mode", "native"));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,zero_copy=maybe"), -EINVAL);
	assert_true(log_capture_has(&cap, "zero_copy=maybe is not a boolean", NULL));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,frame_size=3072"), -EINVAL);
	assert_true(log_capture_has(&cap, "frame_size=3072 must be a power of two", "use 4096"));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,frame_size=1024"), -EINVAL);
	assert_true(log_capture_has(&cap, "frame_size=1024 is not a number in [2048, 4096]", NULL));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,queue_count=17"), -EINVAL);
	assert_true(log_capture_has(&cap, "queue_count=17 is not a number in [1, 16]", NULL));
	/* Queues the interface does not have. */
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,queue_count=2"), -EINVAL);
	assert_true(log_capture_has(&cap, "queue_count=2 needs queues 0..1 but xa has 1", "ethtool -l xa"));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=ma,start_queue=1,queue_count=2"), -EINVAL);
	assert_true(log_capture_has(&cap, "needs queues 1..2 but ma has 2", NULL));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,umem=shared"), -EINVAL);
	assert_true(log_capture_has(&cap, "umem=shared is not a UMEM kind", "pool"));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,xdp_attach=glue"), -EINVAL);
	assert_true(log_capture_has(&cap, "xdp_attach=glue is not a way to attach", "libxdp"));
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,colour=red"), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown argument 'colour'", "iface=IFNAME"));
	assert_int_equal(sl_port_count(), 0);

	/* Descriptor counts the rings cannot take. */
	id = sl_port_create("net_af_xdp0,iface=xa");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 100, 0, pool), -EINVAL);
	assert_true(log_capture_has(&cap, "rx queue 0: 100 descriptors", "e.g. 128"));
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 32, 0), -EINVAL);
	assert_true(log_capture_has(&cap, "tx queue 0: 32 descriptors", "e.g. 64"));
	/* Two queues asked of a one-queue port. */
	conf.nb_rxq = 2;
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), -EINVAL);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
}

/* Interfaces or settings the kernel refuses: a clear error at start, nothing attached. */
static void test_start_errors(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_port_info info;
	int id;

	(void)state;
	/* The driver's UMEM frames too small for the MTU. */
	assert_int_equal(sh("ip link set dev xa mtu 1800"), 0);
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,umem=driver"), 0);
	assert_int_equal(sl_port_configure(0, &conf), 0);
	assert_int_equal(sl_port_rxq_setup(0, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup(0, 0, 0, 0), 0);
	assert_int_equal(sl_port_start(0), -EINVAL);
	assert_true(log_capture_has(&cap, "UMEM frames too small: xa has MTU 1800",
				    "mtu 1778`) or use frame_size=4096"));
	assert_int_equal(sl_port_close(0), 0);
	/* The pool's 2176-byte buffers take it (1920 bytes after 256 of headroom), and the
	 * port says so: 1920 bytes, where the driver's 2048-byte frames hold 1792. */
	id = open_port("net_af_xdp0,iface=xa", 1, pool);
	assert_true(log_capture_has(&cap, "the UMEM is the rx pool", "no copies"));
	assert_int_equal(sl_port_info((uint16_t)id, &info), 0);
	assert_int_equal(info.max_rx_pktlen, 1920);
	assert_int_equal(info.max_mtu, 1906);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_int_equal(sl_port_create("net_af_xdp0,iface=xa,umem=driver"), 0);
	assert_int_equal(sl_port_info(0, &info), 0);
	assert_int_equal(info.max_rx_pktlen, 1792);
	assert_int_equal(sl_port_close(0), 0);
	/* MTU 4000 fits neither: umem=pool says why, the default falls back and fails too. */
	assert_int_equal(sh("ip link set dev xa mtu 4000"), 0);
	id = sl_port_create("net_af_xdp0,iface=xa,umem=pool");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), -EINVAL);
	assert_true(log_capture_has(&cap, "umem=pool is not possible: pool axdp_test's 2176-byte "
				    "buffers hold 1920 bytes", "MTU 4000 needs 4014"));
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	id = sl_port_create("net_af_xdp0,iface=xa");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_int_equal(sl_port_start((uint16_t)id), -EINVAL);
	assert_int_equal(sh("ip link set dev xa mtu 1500"), 0);
	assert_true(log_capture_has(&cap, "using a UMEM of the driver's", "umem=driver"));
	assert_true(log_capture_has(&cap, "UMEM frames too small: xa has MTU 4000", "no jumbo frames"));
	assert_false(xdp_attached("xa"));
	/* Back at 1500 the same port starts. */
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	assert_true(xdp_attached("xa"));
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_false(xdp_attached("xa"));

	/* Zero-copy: veth has no AF_XDP zero-copy support. */
	id = sl_port_create("net_af_xdp0,iface=xa,zero_copy=1");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_true(sl_port_start((uint16_t)id) < 0);
	assert_true(log_capture_has(&cap, "xa cannot do zero-copy AF_XDP", "zero_copy=0"));
	assert_false(xdp_attached("xa"));
	assert_int_equal(sl_port_close((uint16_t)id), 0);

	/* Native XDP on an interface whose driver has none (loopback, at an MTU that fits). */
	assert_int_equal(sh("ip link set dev lo mtu 1500"), 0);
	id = sl_port_create("net_af_xdp0,iface=lo,xdp_mode=native");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_true(sl_port_start((uint16_t)id) < 0);
	if (!log_capture_has(&cap, "lo does not support XDP in native mode", "xdp_mode=skb"))
		fail_msg("no clear error for native XDP on lo:\n%s", cap.text);
	assert_false(xdp_attached("lo"));
	assert_int_equal(sl_port_close((uint16_t)id), 0);

	/* A queue already taken by another socket (a second port on the same queue). */
	id = open_port("net_af_xdp0,iface=xa", 1, pool);
	{
		int id2 = sl_port_create("net_af_xdp1,iface=xa");

		assert_true(id2 >= 0);
		assert_int_equal(sl_port_configure((uint16_t)id2, &conf), 0);
		assert_int_equal(sl_port_rxq_setup((uint16_t)id2, 0, 0, 0, pool), 0);
		assert_int_equal(sl_port_txq_setup((uint16_t)id2, 0, 0, 0), 0);
		assert_true(sl_port_start((uint16_t)id2) < 0);
		if (!log_capture_has(&cap, "queue 0 of xa is taken", NULL))
			fail_msg("no clear error for a taken queue:\n%s", cap.text);
		assert_int_equal(sl_port_close((uint16_t)id2), 0);
	}
	/* The failed port did not take the first one's program away. */
	assert_true(xdp_attached("xa"));
	assert_int_equal(sl_port_close((uint16_t)id), 0);
}

/* N frames sent by the kernel side arrive at Sluice byte for byte, in order. */
static void kernel_to_sluice(const char *mode, const char *umem)
{
	enum { N = 300 };
	struct sl_pktbuf *rx[MAX_PKTS];
	struct sl_port_stats st;
	char devstr[64], out[4096];
	uint64_t bytes = 0;
	unsigned got;
	int id, fd;

	snprintf(devstr, sizeof(devstr), "net_af_xdp0,iface=xa,xdp_mode=%s,umem=%s", mode, umem);
	id = open_port(devstr, 1, pool);
	/* A pool UMEM lends the kernel a fill ring's worth of buffers (1024); a driver's none. */
	assert_int_equal(sl_pool_in_use(pool), strcmp(umem, "pool") == 0 ? 1024 : 0);
	sh_out(out, sizeof(out), "ip -d link show dev xa");
	/* ip shows "xdpgeneric" for skb mode, "xdp" for native. */
	assert_non_null(strstr(out, strcmp(mode, "skb") == 0 ? " xdpgeneric " : " xdp "));
	fd = raw_socket("xb");
	for (uint32_t i = 0; i < N; i++) {
		raw_send(fd, i);
		bytes += frame_len(i);
	}
	got = recv_all((uint16_t)id, 1, rx, NULL, MAX_PKTS, N, 3000);
	assert_int_equal(got, N);
	for (uint32_t i = 0; i < N; i++) {
		assert_pkt_is(rx[i], i);
		/* The kernel wrote the frame into the buffer itself, after its 256-byte
		 * headroom; the driver's UMEM copies it to the default headroom. */
		assert_int_equal(rx[i]->data_off, strcmp(umem, "pool") == 0 ? 256 : 128);
		assert_int_equal(rx[i]->nb_segs, 1);
		assert_int_equal(rx[i]->port, id);
	}
	sl_pktbuf_free_bulk(rx, N);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.ipackets, N);
	assert_int_equal(st.ibytes, bytes);
	assert_int_equal(st.imissed, 0);
	assert_int_equal(st.rx_nombuf, 0);
	assert_int_equal(xstat((uint16_t)id, "q0_rx_dropped"), 0);
	assert_int_equal(xstat((uint16_t)id, "q0_rx_ring_full"), 0);
	assert_int_equal(xstat((uint16_t)id, "q0_rx_invalid_descs"), 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_packets"), N);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_kick_errors"), 0);
	assert_int_equal(sl_port_stats_reset((uint16_t)id), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.ipackets, 0);
	assert_int_equal(st.ibytes, 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_packets"), 0);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_bytes"), 0);
	close(fd);
	assert_int_equal(sl_port_stop((uint16_t)id), 0);
	/* Every buffer the kernel held is back once the socket is gone. */
	assert_int_equal(sl_pool_in_use(pool), 0);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_false(xdp_attached("xa"));
}

static void test_kernel_to_sluice_native(void **state)
{
	(void)state;
	kernel_to_sluice("native", "pool");
}

static void test_kernel_to_sluice_driver_umem(void **state)
{
	(void)state;
	kernel_to_sluice("native", "driver");
}

static void test_kernel_to_sluice_skb(void **state)
{
	(void)state;
	kernel_to_sluice("skb", "pool");
}

/* N frames Sluice sends (some in two segments) arrive at the kernel side byte for byte. */
static void sluice_to_kernel(const char *mode, const char *umem)
{
	enum { N = 300 };
	struct sl_pool *other = sl_pktbuf_pool_create("axdp_other", 64, 0, 0,
						      SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	struct sl_pktbuf *held[N];
	struct sl_port_stats st;
	char devstr[64];
	uint64_t bytes = 0, end;
	unsigned sent = 0, got = 0, nheld = 0, foreign = 0;
	int id, fd;

	assert_non_null(other);
	snprintf(devstr, sizeof(devstr), "net_af_xdp0,iface=xa,xdp_mode=%s,umem=%s", mode, umem);
	id = open_port(devstr, 1, pool);
	fd = raw_socket("xb");
	end = now_ms() + 3000;
	/* Packets of five kinds: 0 the UMEM's pool, 1 the same with data 20 bytes further in,
	 * 2 another pool, 3 one the caller still holds a reference to, 4 two segments.  A pool
	 * UMEM sends kinds 0 and 1 from the buffer itself and copies the others. */
	while (sent < N && now_ms() < end) {
		struct sl_pktbuf *pkts[32];
		uint16_t nb = (uint16_t)SL_MIN(32u, N - sent), done;

		for (uint16_t i = 0; i < nb; i++) {
			uint32_t seq = sent + i, len = frame_len(seq);
			uint8_t f[2048];
			struct sl_pktbuf *p = sl_pktbuf_alloc(seq % 5 == 2 ? other : pool);

			frame_bytes(f, seq, len);
			assert_non_null(p);
			if (seq % 5 == 4) {
				struct sl_pktbuf *p2 = sl_pktbuf_alloc(pool);

				assert_non_null(p2);
				memcpy(sl_pktbuf_append(p, 40), f, 40);
				memcpy(sl_pktbuf_append(p2, (uint16_t)(len - 40)), f + 40,
				       len - 40);
				assert_int_equal(sl_pktbuf_chain(p, p2), 0);
			} else if (seq % 5 == 1) {
				assert_non_null(sl_pktbuf_append(p, (uint16_t)(len + 20)));
				assert_non_null(sl_pktbuf_adj(p, 20));
				memcpy(sl_pktbuf_mtod(p, void *), f, len);
			} else {
				memcpy(sl_pktbuf_append(p, (uint16_t)len), f, len);
			}
			if (seq % 5 == 3) {
				sl_pktbuf_refcnt_update(p, 1);
				held[nheld++] = p;
			}
			foreign += seq % 5 >= 2;
			pkts[i] = p;
			bytes += len;
		}
		done = sl_port_tx_burst((uint16_t)id, 0, pkts, nb);
		assert_int_equal(done, nb); /* 1024 tx slots, 300 packets */
		sent += done;
	}
	sl_pktbuf_free_bulk(held, nheld);
	assert_int_equal(sent, N);
	/* Read them back on the kernel side. */
	end = now_ms() + 3000;
	while (got < N && now_ms() < end) {
		uint8_t buf[2048], f[2048];
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				       &flen);

		if (len < 0) {
			/* Completions come back only when the port is polled again. */
			sl_port_tx_burst((uint16_t)id, 0, NULL, 0);
			usleep(200);
			continue;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		frame_bytes(f, got, frame_len(got));
		assert_int_equal(len, frame_len(got));
		assert_memory_equal(buf, f, (size_t)len);
		got++;
	}
	assert_int_equal(got, N);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.opackets, N);
	assert_int_equal(st.obytes, bytes);
	assert_int_equal(st.oerrors, 0);
	assert_int_equal(xstat((uint16_t)id, "q0_tx_invalid_descs"), 0);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_copied"),
			 strcmp(umem, "pool") == 0 ? foreign : 0);
	close(fd);
	assert_int_equal(sl_port_stop((uint16_t)id), 0);
	assert_int_equal(sl_pool_in_use(pool), 0);
	assert_int_equal(sl_pool_in_use(other), 0);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	sl_pool_free(other);
}

static void test_sluice_to_kernel_native(void **state)
{
	(void)state;
	sluice_to_kernel("native", "pool");
}

static void test_sluice_to_kernel_driver_umem(void **state)
{
	(void)state;
	sluice_to_kernel("native", "driver");
}

static void test_sluice_to_kernel_skb(void **state)
{
	(void)state;
	sluice_to_kernel("skb", "pool");
}

/* Runts and frames over the MTU are dropped, counted, and the port keeps going. */
static void test_tx_bad_sizes(void **state)
{
	struct sl_pktbuf *pkts[2];
	struct sl_port_stats st;
	int id;

	(void)state;
	id = open_port("net_af_xdp0,iface=xa,xdp_mode=skb", 1, pool);
	pkts[0] = sl_pktbuf_alloc(pool);
	pkts[1] = sl_pktbuf_alloc(pool);
	assert_non_null(sl_pktbuf_append(pkts[0], 10));
	assert_non_null(sl_pktbuf_append(pkts[1], 1600));
	memset(sl_pktbuf_mtod(pkts[1], uint8_t *), 0, 1600);
	assert_int_equal(sl_port_tx_burst((uint16_t)id, 0, pkts, 2), 2); /* taken and freed */
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.opackets, 0);
	assert_int_equal(st.oerrors, 2);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_runt_drops"), 1);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_oversize_drops"), 1);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_errors"), 2);
	assert_int_equal(sl_port_stats_reset((uint16_t)id), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.oerrors, 0);
	/* The reset zeroes the driver's own counters and the shared ones alike, and they
	 * count on from there. */
	assert_int_equal(xstat((uint16_t)id, "tx_q0_runt_drops"), 0);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_oversize_drops"), 0);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_errors"), 0);
	assert_int_equal(xstat((uint16_t)id, "tx_errors"), 0);
	pkts[0] = sl_pktbuf_alloc(pool);
	assert_non_null(sl_pktbuf_append(pkts[0], 10));
	assert_int_equal(sl_port_tx_burst((uint16_t)id, 0, pkts, 1), 1);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_runt_drops"), 1);
	assert_int_equal(xstat((uint16_t)id, "tx_q0_oversize_drops"), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.oerrors, 1);
}

/* Two queues on a two-queue veth: both sockets bind; a raw socket's frames go to the veth
 * queue of the CPU that sent them, so pinning the sender picks the queue. */
static void two_queues(const char *mode)
{
	enum { N = 200 };
	struct sl_pktbuf *rx[MAX_PKTS];
	uint16_t qs[MAX_PKTS];
	struct sl_port_stats st;
	cpu_set_t old, one;
	char devstr[96];
	unsigned got, per_q[2] = {0, 0};
	int id, fd, ncpu = 0;

	snprintf(devstr, sizeof(devstr), "net_af_xdp0,iface=ma,queue_count=2,xdp_mode=%s", mode);
	id = open_port(devstr, 2, pool);
	fd = raw_socket("mb");
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	for (int c = 0; c < CPU_SETSIZE && ncpu < 2; c++) {
		if (!CPU_ISSET(c, &old))
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
		for (uint32_t i = 0; i < N / 2; i++)
			raw_send(fd, (uint32_t)ncpu * (N / 2) + i);
		ncpu++;
	}
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
	got = recv_all((uint16_t)id, 2, rx, qs, MAX_PKTS, (unsigned)ncpu * (N / 2), 3000);
	assert_int_equal(got, (unsigned)ncpu * (N / 2));
	for (unsigned i = 0; i < got; i++) {
		uint32_t seq;

		memcpy(&seq, sl_pktbuf_mtod_offset(rx[i], uint8_t *, 14), 4);
		assert_pkt_is(rx[i], seq);
		per_q[qs[i]]++;
	}
	sl_pktbuf_free_bulk(rx, got);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_int_equal(st.ipackets, got);
	assert_int_equal(st.q_ipackets[0], per_q[0]);
	assert_int_equal(st.q_ipackets[1], per_q[1]);
	printf("  %s: %u frames from %d CPUs: %u on queue 0, %u on queue 1\n", mode, got, ncpu,
	       per_q[0], per_q[1]);
	/* Native mode: veth hands a frame to the rx queue numbered as the peer's tx queue.
	 * Generic (skb) mode: veth records no rx queue on that path, so generic XDP runs every
	 * frame as queue 0 and queue 1's socket stays idle (the sum is all that holds). */
	if (ncpu == 2 && strcmp(mode, "native") == 0) {
		/* Each CPU's frames all went to one queue, and the two CPUs to different ones. */
		assert_int_equal(per_q[0], N / 2);
		assert_int_equal(per_q[1], N / 2);
	}
	close(fd);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
}

static void test_two_queues_native(void **state)
{
	(void)state;
	two_queues("native");
}

static void test_two_queues_skb(void **state)
{
	(void)state;
	two_queues("skb");
}

/* An empty pool: rx stops (rx_nombuf), the kernel drops what does not fit and counts it,
 * and received + dropped = sent; once buffers come back rx goes on. */
static void test_rx_nombuf_and_drops(void **state)
{
	enum { N = 400 };
	struct sl_pool *tiny = sl_pktbuf_pool_create("axdp_tiny", 32, 0, 0,
						     SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	struct sl_pktbuf *held[32], *rx[MAX_PKTS];
	struct sl_port_stats st;
	unsigned nheld = 0, got;
	int id, fd;

	(void)state;
	assert_non_null(tiny);
	id = open_port("net_af_xdp0,iface=xa,xdp_mode=native", 1, tiny);
	fd = raw_socket("xb");
	/* The rx ring holds 1024 frames: send more than that in 3 rounds, holding every buffer
	 * received so that the pool runs dry. */
	for (uint32_t i = 0; i < N; i++)
		raw_send(fd, i);
	usleep(50 * 1000);
	while (nheld < 32) {
		uint16_t nb =
			sl_port_rx_burst((uint16_t)id, 0, held + nheld, (uint16_t)(32 - nheld));

		assert_true(nb > 0);
		nheld += nb;
	}
	assert_int_equal(sl_port_rx_burst((uint16_t)id, 0, rx, 32), 0);
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	assert_true(st.rx_nombuf >= 1);
	assert_int_equal(xstat((uint16_t)id, "rx_q0_nombuf"), st.rx_nombuf);
	/* Fill the 1024-frame UMEM: what does not fit is dropped by the kernel. */
	for (uint32_t i = N; i < 3 * N; i++)
		raw_send(fd, i);
	usleep(50 * 1000);
	sl_pktbuf_free_bulk(held, nheld);
	got = nheld;
	for (;;) {
		unsigned more = recv_all((uint16_t)id, 1, rx, NULL, MAX_PKTS, 32, 50);

		if (more == 0)
			break;
		sl_pktbuf_free_bulk(rx, SL_MIN(more, (unsigned)MAX_PKTS));
		got += more;
	}
	assert_int_equal(sl_port_stats((uint16_t)id, &st), 0);
	printf("  sent %d, received %u, kernel drops %" PRIu64 " (rx_ring_full %" PRIu64
	       ", rx_dropped %" PRIu64 ")\n", 3 * N, got, st.imissed,
	       xstat((uint16_t)id, "q0_rx_ring_full"), xstat((uint16_t)id, "q0_rx_dropped"));
	assert_int_equal(st.ipackets, got);
	assert_true(st.imissed > 0);
	assert_int_equal(got + st.imissed, 3 * N);
	close(fd);
	sl_port_close_all();
	assert_int_equal(sl_pool_in_use(tiny), 0);
}

/* Stop detaches, start attaches again and traffic flows; close leaves nothing. */
static void test_stop_start_teardown(void **state)
{
	struct sl_pktbuf *rx[MAX_PKTS];
	int id, fd;

	(void)state;
	id = open_port("net_af_xdp0,iface=xa", 1, pool);
	assert_true(xdp_attached("xa"));
	assert_int_equal(sl_port_stop((uint16_t)id), 0);
	assert_false(xdp_attached("xa"));
	if (sl_port_start((uint16_t)id) != 0)
		fail_msg("restart failed:\n%s", cap.text);
	assert_true(xdp_attached("xa"));
	fd = raw_socket("xb");
	raw_send(fd, 7);
	assert_int_equal(recv_all((uint16_t)id, 1, rx, NULL, MAX_PKTS, 1, 2000), 1);
	assert_pkt_is(rx[0], 7);
	sl_pktbuf_free(rx[0]);
	close(fd);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_false(xdp_attached("xa"));
}

/* A process killed with SIGKILL leaves nothing: the program was held by a BPF link whose
 * fd the kernel closed with the process. */
static void sigkill_leaves_nothing(const char *iface, const char *mode, int nq)
{
	char devstr[96];
	pid_t child;

	snprintf(devstr, sizeof(devstr), "net_af_xdp0,iface=%s,xdp_mode=%s,queue_count=%d", iface,
		 mode, nq);
	child = hold_start(devstr, nq);
	assert_true(xdp_on_link(iface));
	hold_kill(child);
	if (xdp_on_link(iface)) {
		sh("ip link show dev %s", iface);
		fail_msg("%s: an XDP program is left on %s after SIGKILL", devstr, iface);
	}
}

static void test_sigkill_link_leaves_nothing(void **state)
{
	struct sl_pktbuf *rx[MAX_PKTS];
	int id, fd;

	(void)state;
	sigkill_leaves_nothing("xa", "native", 1);
	sigkill_leaves_nothing("xa", "skb", 1);
	sigkill_leaves_nothing("ma", "native", 2); /* two sockets in one program's map */
	/* The next port finds nothing to explain, receives, and its close leaves nothing. */
	id = open_port("net_af_xdp0,iface=xa,xdp_mode=native", 1, pool);
	assert_false(log_capture_has(&cap, "already attached", NULL));
	assert_false(log_capture_has(&cap, "libxdp attaches the program instead", NULL));
	fd = raw_socket("xb");
	raw_send(fd, 5);
	assert_int_equal(recv_all((uint16_t)id, 1, rx, NULL, MAX_PKTS, 1, 2000), 1);
	assert_pkt_is(rx[0], 5);
	sl_pktbuf_free(rx[0]);
	close(fd);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_false(xdp_on_link("xa"));
}

/* Two ports on the two queues of ma: the first holds the program through its link, the
 * second joins it (and says whose it is); both receive. */
static void test_two_ports_one_program(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	struct sl_pktbuf *rx[MAX_PKTS];
	uint32_t seq = 0;
	int id0, id1, fd, ncpu = 0;

	(void)state;
	id0 = open_port("net_af_xdp0,iface=ma,xdp_mode=native", 1, pool);
	id1 = sl_port_create("net_af_xdp1,iface=ma,start_queue=1,xdp_mode=native");
	assert_true(id1 >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id1, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id1, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id1, 0, 0, 0), 0);
	if (sl_port_start((uint16_t)id1) != 0)
		fail_msg("the second port does not start:\n%s", cap.text);
	assert_true(log_capture_has(&cap, "held by a BPF link of another port", "ma"));
	/* Frames from each CPU go to one veth queue (see two_queues()): send from every CPU
	 * until both ports have one. */
	fd = raw_socket("mb");
	for (int c = 0; c < CPU_SETSIZE && seq < 64; c++) {
		cpu_set_t old, one;

		assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
		if (!CPU_ISSET(c, &old))
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
		for (int i = 0; i < 8; i++)
			raw_send(fd, seq++);
		assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
		ncpu++;
	}
	{
		unsigned got0 = recv_all((uint16_t)id0, 1, rx, NULL, MAX_PKTS, 1, 500);
		unsigned got1;

		sl_pktbuf_free_bulk(rx, SL_MIN(got0, (unsigned)MAX_PKTS));
		got1 = recv_all((uint16_t)id1, 1, rx, NULL, MAX_PKTS, 1, 500);
		sl_pktbuf_free_bulk(rx, SL_MIN(got1, (unsigned)MAX_PKTS));
		printf("  %u frames: %u on port 0 (queue 0), %u on port 1 (queue 1)\n", seq, got0,
		       got1);
		assert_int_equal(got0 + got1, seq);
		if (ncpu >= 2) {
			/* Two CPUs, two veth queues: both ports got frames. */
			assert_true(got0 > 0);
			assert_true(got1 > 0);
		}
	}
	close(fd);
	/* The second port leaves the first one's program alone. */
	assert_int_equal(sl_port_close((uint16_t)id1), 0);
	assert_true(xdp_attached("ma"));
	assert_int_equal(sl_port_close((uint16_t)id0), 0);
	assert_false(xdp_on_link("ma"));
}

/* With xdp_attach=libxdp a process killed with SIGKILL cannot detach: its program stays.
 * The next port reuses it (traffic flows), says so, and leaves it there; `ip link ... xdp
 * off` removes it. */
static void test_sigkill_libxdp_leaves_program(void **state)
{
	struct sl_pktbuf *rx[MAX_PKTS];
	pid_t child;
	int id, fd;

	(void)state;
	child = hold_start("net_af_xdp0,iface=xa,xdp_mode=native,xdp_attach=libxdp", 1);
	assert_true(xdp_attached("xa"));
	hold_kill(child);
	assert_true(xdp_attached("xa"));
	id = open_port("net_af_xdp0,iface=xa,xdp_mode=native", 1, pool);
	assert_true(log_capture_has(&cap, "XDP program 'xsk_def_prog' is already attached to xa",
				    "ip link set dev xa xdp off"));
	fd = raw_socket("xb");
	raw_send(fd, 9);
	assert_int_equal(recv_all((uint16_t)id, 1, rx, NULL, MAX_PKTS, 1, 2000), 1);
	assert_pkt_is(rx[0], 9);
	sl_pktbuf_free(rx[0]);
	close(fd);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_true(xdp_attached("xa"));
	assert_int_equal(sh("ip link set dev xa xdp off"), 0);
	assert_false(xdp_attached("xa"));
}

/* When no link can be made (here: libxdp's program file cannot be found), the port says
 * why and leaves the attach to libxdp, which here fails too: nothing is left attached. */
static void test_link_fallback_notice(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 1, .nb_txq = 1};
	char dir[] = "/tmp/axdp_noobj.XXXXXX";
	int id;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(setenv("LIBXDP_OBJECT_PATH", dir, 1), 0);
	id = sl_port_create("net_af_xdp0,iface=xa,xdp_mode=skb");
	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	assert_int_equal(sl_port_rxq_setup((uint16_t)id, 0, 0, 0, pool), 0);
	assert_int_equal(sl_port_txq_setup((uint16_t)id, 0, 0, 0), 0);
	assert_true(sl_port_start((uint16_t)id) < 0);
	unsetenv("LIBXDP_OBJECT_PATH");
	rmdir(dir);
	if (!log_capture_has(&cap, "cannot open libxdp's xsk_def_xdp_prog.o",
			     "libxdp attaches the program instead"))
		fail_msg("no notice of the fallback:\n%s", cap.text);
	assert_false(xdp_on_link("xa"));
	assert_int_equal(sl_port_close((uint16_t)id), 0);
}

/* With bpffs mounted (in a mount namespace of our own) and xdp_attach=libxdp, libxdp uses
 * its dispatcher; the dispatcher goes away with the port too. */
static void test_dispatcher_with_bpffs(void **state)
{
	struct sl_pktbuf *rx[MAX_PKTS];
	char out[4096];
	int id, fd;

	(void)state;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) < 0) {
		printf("  skipped: cannot mount bpffs in a private mount namespace: %s\n",
		       strerror(errno));
		return;
	}
	/* The dispatcher is libxdp's: a link attach does not use it. */
	id = open_port("net_af_xdp0,iface=xa,xdp_mode=skb,xdp_attach=libxdp", 1, pool);
	assert_false(log_capture_has(&cap, "no bpffs", NULL));
	sh_out(out, sizeof(out), "ip -d link show dev xa");
	/* Either the dispatcher, or libxdp's program alone when the kernel cannot run the
	 * dispatcher (no kernel BTF), which the driver then says. */
	if (strstr(out, "xdp_dispatcher") == NULL) {
		assert_non_null(strstr(out, "xsk_def_prog"));
		assert_true(log_capture_has(&cap, "could not use its dispatcher", "alone"));
		printf("  libxdp attached xsk_def_prog without its dispatcher on this kernel\n");
	} else {
		printf("  libxdp attached its dispatcher\n");
	}
	fd = raw_socket("xb");
	raw_send(fd, 3);
	assert_int_equal(recv_all((uint16_t)id, 1, rx, NULL, MAX_PKTS, 1, 2000), 1);
	assert_pkt_is(rx[0], 3);
	sl_pktbuf_free(rx[0]);
	close(fd);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_false(xdp_attached("xa"));
	umount("/sys/fs/bpf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_to_sluice_native, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_to_sluice_skb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_to_sluice_driver_umem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sluice_to_kernel_native, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sluice_to_kernel_skb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sluice_to_kernel_driver_umem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_bad_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_queues_native, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_queues_skb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_nombuf_and_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_start_teardown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_link_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_ports_one_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_libxdp_leaves_program, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_fallback_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispatcher_with_bpffs, setup, teardown),
	};
	const char *skip = netns_setup();

	if (skip) {
		printf("skipped: %s\n", skip);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
