/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_tap against the real kernel.  The test moves itself into a fresh network namespace
 * at start (so every interface it makes disappears with it), turns IPv6 off there so the
 * kernel sends nothing unasked, and then checks both directions byte for byte: the kernel's
 * ARP requests and UDP datagrams reach the application, and frames the application writes
 * reach kernel sockets.  Needs root; exits 77 (skip) otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <cmocka.h>

#include "log_capture.h"
#include "port_test.h"
#include "sl_cksum.h"
#include "sl_net.h"
#include "sl_port.h"

#define APP_IP "10.99.0.2"
#define KERNEL_IP "10.99.0.1"

static struct log_capture cap;
static struct sl_pool *pool;

static int setup(void **state)
{
	(void)state;
	log_capture_start(&cap);
	pool = sl_pktbuf_pool_create("tap_test", 1024, 0, 0, SL_PKTBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_port_close_all();
	assert_int_equal(sl_port_count(), 0);
	assert_int_equal(sl_pool_in_use(pool), 0); /* every buffer came back */
	sl_pool_free(pool);
	log_capture_stop();
	return 0;
}

/* --- helpers --- */

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc;

	assert_true(s >= 0);
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
	rc = ioctl(s, req, ifr);
	close(s);
	return rc;
}

static short if_flags(const char *name)
{
	struct ifreq ifr;

	assert_int_equal(ifreq_ioctl(name, SIOCGIFFLAGS, &ifr), 0);
	return ifr.ifr_flags;
}

static void kernel_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;

	assert_int_equal(ifreq_ioctl(name, SIOCGIFHWADDR, &ifr), 0);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
}

static int kernel_mtu(const char *name)
{
	struct ifreq ifr;

	assert_int_equal(ifreq_ioctl(name, SIOCGIFMTU, &ifr), 0);
	return ifr.ifr_mtu;
}

/* True when `ip -d link show name` prints text (tun details such as "numqueues 4"). */
static bool ip_link_has(const char *name, const char *text)
{
	char cmd[128], out[4096] = "";
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ip -d link show dev %s", name);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	return strstr(out, text) != NULL;
}

/* Creates, configures (nq queues each way), sets up and starts a port. */
static int start_port(const char *devstr, uint16_t nq, struct sl_pool *p)
{
	struct sl_port_conf conf = {.nb_rxq = nq, .nb_txq = nq};
	int id = sl_port_create(devstr);

	assert_true(id >= 0);
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(sl_port_rxq_setup((uint16_t)id, q, 0, 0, p), 0);
		assert_int_equal(sl_port_txq_setup((uint16_t)id, q, 0, 0), 0);
	}
	assert_int_equal(sl_port_start((uint16_t)id), 0);
	return id;
}

/* Polls queue 0 until a frame arrives or ms pass; NULL on timeout. */
static struct sl_pktbuf *rx_one(uint16_t port, unsigned ms)
{
	struct sl_pktbuf *p;

	for (unsigned t = 0; t < ms; t++) {
		if (sl_port_rx_burst(port, 0, &p, 1) == 1)
			return p;
		sleep_ms(1);
	}
	return NULL;
}

static int udp_socket(const char *ip, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct timeval tv = {.tv_sec = 2};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(s >= 0);
	if (ip) {
		assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
		assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

static void udp_send(int s, const char *ip, uint16_t port, const void *data, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

	inet_pton(AF_INET, ip, &sa.sin_addr);
	assert_int_equal(sendto(s, data, len, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)len);
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Writes Ethernet/IPv4/UDP APP_IP:4444 -> KERNEL_IP:5555 into buf; returns its length. */
static size_t craft_udp(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
			const void *payload, size_t plen)
{
	struct sl_ether_hdr *eth = (struct sl_ether_hdr *)buf;
	struct sl_ipv4_hdr *ip = (struct sl_ipv4_hdr *)(eth + 1);
	struct sl_udp_hdr *udp = (struct sl_udp_hdr *)(ip + 1);

	memcpy(eth->dst.bytes, dst, 6);
	memcpy(eth->src.bytes, src, 6);
	eth->ether_type = sl_htons(SL_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = SL_IPV4_VERSION_IHL;
	ip->total_length = sl_htons((uint16_t)(20 + 8 + plen));
	ip->packet_id = sl_htons(0x1234);
	ip->time_to_live = 64;
	ip->next_proto_id = SL_IPPROTO_UDP;
	ip->src_addr = ip4(APP_IP);
	ip->dst_addr = ip4(KERNEL_IP);
	ip->hdr_checksum = sl_ipv4_cksum(ip);
	udp->src_port = sl_htons(4444);
	udp->dst_port = sl_htons(5555);
	udp->dgram_len = sl_htons((uint16_t)(8 + plen));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, payload, plen);
	udp->dgram_cksum = sl_ipv4_udptcp_cksum(ip, udp);
	return 14 + 20 + 8 + plen;
}

static struct sl_pktbuf *pkt_from(struct sl_pool *p, const void *data, size_t len)
{
	struct sl_pktbuf *m = sl_pktbuf_alloc(p);
	char *dst;

	assert_non_null(m);
	dst = sl_pktbuf_append(m, (uint16_t)len);
	assert_non_null(dst);
	memcpy(dst, data, len);
	return m;
}

/* --- tests --- */

static void test_bad_args(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 9, .nb_txq = 9};
	int id;

	(void)state;
	assert_int_equal(sl_port_create("net_tap0,iface=abcdefghijklmnop"), -EINVAL);
	assert_true(log_capture_has(&cap, "iface=abcdefghijklmnop is 16 characters",
				    "at most 15"));
	assert_int_equal(sl_port_create("net_tap0,iface=a/b"), -EINVAL);
	assert_true(log_capture_has(&cap, "iface=a/b is not a valid interface name", NULL));
	assert_int_equal(sl_port_create("net_tap0,iface="), -EINVAL);
	assert_true(log_capture_has(&cap, "iface= is empty", NULL));
	assert_int_equal(sl_port_create("net_tap0,mac=02:00:00:00:00"), -EINVAL);
	assert_true(log_capture_has(&cap, "mac=02:00:00:00:00 is not a MAC address",
				    "02:00:00:00:00:01"));
	assert_int_equal(sl_port_create("net_tap0,mac=01:00:5e:00:00:01"), -EINVAL);
	assert_true(log_capture_has(&cap, "mac=01:00:5e:00:00:01 is a multicast address", NULL));
	assert_int_equal(sl_port_create("net_tap0,mac=00:00:00:00:00:00"), -EINVAL);
	assert_true(log_capture_has(&cap, "mac=00:00:00:00:00:00 is all zeros", NULL));
	assert_int_equal(sl_port_create("net_tap0,persist=maybe"), -EINVAL);
	assert_true(log_capture_has(&cap, "persist=maybe is not a boolean", NULL));
	assert_int_equal(sl_port_create("net_tap0,queues=2"), -EINVAL);
	assert_true(log_capture_has(&cap, "unknown argument 'queues'", "iface=NAME"));

	/* Interfaces that exist and are not taps. */
	assert_int_equal(sl_port_create("net_tap0,iface=lo"), -EEXIST);
	assert_true(log_capture_has(&cap, "interface lo exists and is not a tap", "ip link del lo"));
	run("ip tuntap add mode tun dev sl_tun9");
	assert_int_equal(sl_port_create("net_tap0,iface=sl_tun9"), -EEXIST);
	assert_true(log_capture_has(&cap, "sl_tun9 exists and is a tun (layer 3) device", NULL));
	run("ip link del sl_tun9");
	assert_int_equal(sl_port_count(), 0);

	/* One interface, one port. */
	id = sl_port_create("net_tap0");
	assert_true(id >= 0);
	assert_int_equal(sl_port_create("net_tap1,iface=sl_tap0"), -EEXIST);
	assert_true(log_capture_has(&cap, "interface sl_tap0 is already used by port net_tap0",
				    NULL));
	assert_int_equal(sl_port_configure((uint16_t)id, &conf), -EINVAL);
	assert_true(log_capture_has(&cap, "9 rx and 9 tx queues asked", "1 to 8 rx"));
	assert_int_equal(sl_port_count(), 1);
}

/* Without /dev/net/tun (hidden by a tmpfs in a private mount namespace of a child). */
static void test_no_tun_device(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", "/dev/net", "tmpfs", 0, NULL) < 0)
			_exit(77);
		if (sl_port_create("net_tap4") != -ENODEV)
			_exit(1);
		if (!log_capture_has(&cap, "/dev/net/tun is missing", "modprobe tun"))
			_exit(2);
		_exit(sl_port_count() == 0 ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* As root but without CAP_NET_ADMIN: EPERM and a hint, in a child that drops it. */
static void test_no_cap_net_admin(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
		struct __user_cap_data_struct data[2];

		if (syscall(SYS_capget, &hdr, data) < 0)
			_exit(77);
		data[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
		data[CAP_NET_ADMIN / 32].permitted &= ~(1u << (CAP_NET_ADMIN % 32));
		if (syscall(SYS_capset, &hdr, data) < 0)
			_exit(77);
		if (sl_port_create("net_tap5,iface=sl_noperm") != -EPERM)
			_exit(1);
		if (!log_capture_has(&cap, "not allowed to create tap sl_noperm", "CAP_NET_ADMIN"))
			_exit(2);
		_exit(if_nametoindex("sl_noperm") == 0 ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_create_close_reuse(void **state)
{
	struct sl_port_info info;
	uint8_t mac[6];
	int id;

	(void)state;
	id = sl_port_create("net_tap0");
	assert_true(id >= 0);
	assert_true(if_nametoindex("sl_tap0") > 0);
	assert_int_equal(sl_port_info((uint16_t)id, &info), 0);
	assert_string_equal(info.driver, "net_tap");
	assert_string_equal(info.if_name, "sl_tap0");
	assert_int_equal(info.max_rxq, 8);
	assert_int_equal(info.max_txq, 8);
	assert_int_equal(sl_port_mac((uint16_t)id, mac), 0);
	assert_int_equal(mac[0] & 0x03, 0x02); /* locally administered unicast */
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_int_equal(if_nametoindex("sl_tap0"), 0); /* gone with the port */

	/* Same name again, now with a MAC. */
	id = sl_port_create("net_tap0,mac=02:aa:bb:cc:dd:ee");
	assert_true(id >= 0);
	assert_int_equal(sl_port_mac((uint16_t)id, mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}), 6);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_int_equal(if_nametoindex("sl_tap0"), 0);

	/* The default name follows the instance number. */
	id = sl_port_create("net_tap7");
	assert_true(id >= 0);
	assert_true(if_nametoindex("sl_tap7") > 0);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_int_equal(if_nametoindex("sl_tap7"), 0);

	/* persist=1 keeps it; a later port attaches to it and leaves it alone. */
	id = sl_port_create("net_tap2,iface=sl_keep,persist=1");
	assert_true(id >= 0);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_true(if_nametoindex("sl_keep") > 0);
	id = start_port("net_tap2,iface=sl_keep", 2, pool);
	assert_true(if_flags("sl_keep") & IFF_UP);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	assert_true(if_nametoindex("sl_keep") > 0);
	run("ip link del sl_keep");
	assert_int_equal(if_nametoindex("sl_keep"), 0);

	/* An existing single-queue tap: attached with one queue. */
	run("ip tuntap add mode tap dev sl_single");
	id = sl_port_create("net_tap3,iface=sl_single");
	assert_true(id >= 0);
	assert_true(log_capture_has(&cap, "sl_single is a single-queue tap", NULL));
	assert_int_equal(sl_port_info((uint16_t)id, &info), 0);
	assert_int_equal(info.max_rxq, 1);
	assert_int_equal(sl_port_close((uint16_t)id), 0);
	run("ip link del sl_single");
}

static void test_link_mtu_promisc_queues(void **state)
{
	struct sl_port_conf conf = {.nb_rxq = 4, .nb_txq = 4};
	struct sl_port_link link;
	uint16_t id, mtu;

	(void)state;
	id = (uint16_t)start_port("net_tap0", 1, pool);
	assert_int_equal(sl_port_link(id, &link), 0);
	assert_true(link.up);
	assert_int_equal(if_flags("sl_tap0") & (IFF_UP | IFF_RUNNING), IFF_UP | IFF_RUNNING);
	assert_true(ip_link_has("sl_tap0", "numqueues 1 "));

	assert_int_equal(sl_port_mtu_set(id, 1400), 0);
	assert_int_equal(kernel_mtu("sl_tap0"), 1400);
	assert_int_equal(sl_port_mtu(id, &mtu), 0);
	assert_int_equal(mtu, 1400);
	assert_int_equal(sl_port_mtu_set(id, 2000), -EBUSY); /* rx is sized at start */
	assert_true(log_capture_has(&cap, "stop the port to raise its MTU from 1400 to 2000", NULL));
	assert_int_equal(kernel_mtu("sl_tap0"), 1400);

	assert_int_equal(sl_port_promisc(id, true), 0);
	assert_true(if_flags("sl_tap0") & IFF_PROMISC);
	assert_int_equal(sl_port_promisc(id, false), 0);
	assert_false(if_flags("sl_tap0") & IFF_PROMISC);
	assert_int_equal(sl_port_allmulti(id, true), 0);
	assert_true(if_flags("sl_tap0") & IFF_ALLMULTI);
	assert_int_equal(sl_port_allmulti(id, false), 0);
	assert_false(if_flags("sl_tap0") & IFF_ALLMULTI);

	assert_int_equal(sl_port_stop(id), 0);
	assert_int_equal(sl_port_link(id, &link), 0);
	assert_false(link.up);
	assert_false(if_flags("sl_tap0") & IFF_UP);

	/* Stopped: a bigger MTU is fine, and four queues open four descriptors. */
	assert_int_equal(sl_port_mtu_set(id, 2000), 0);
	assert_int_equal(kernel_mtu("sl_tap0"), 2000);
	assert_int_equal(sl_port_configure(id, &conf), 0);
	for (uint16_t q = 0; q < 4; q++) {
		assert_int_equal(sl_port_rxq_setup(id, q, 0, 0, pool), 0);
		assert_int_equal(sl_port_txq_setup(id, q, 0, 0), 0);
	}
	assert_true(ip_link_has("sl_tap0", "numqueues 4 "));
	assert_int_equal(sl_port_start(id), 0);
	assert_true(if_flags("sl_tap0") & IFF_UP);
	assert_int_equal(sl_port_stop(id), 0);
	conf.nb_rxq = 2;
	conf.nb_txq = 3; /* tx queue 2 shares descriptor 0 */
	assert_int_equal(sl_port_configure(id, &conf), 0);
	assert_true(ip_link_has("sl_tap0", "numqueues 2 "));
	assert_int_equal(sl_port_txq_setup(id, 2, 0, 0), 0);
	assert_int_equal(sl_port_start(id), 0);
}

/* The kernel resolves APP_IP: its ARP request reaches the application unchanged. */
static void test_kernel_arp_reaches_app(void **state)
{
	uint8_t kmac[6], expect[42];
	struct sl_arp_hdr *arp = (struct sl_arp_hdr *)(expect + 14);
	struct sl_port_stats st;
	struct sl_pktbuf *p;
	uint16_t id;
	int s;

	(void)state;
	id = (uint16_t)start_port("net_tap0", 1, pool);
	run("ip addr add " KERNEL_IP "/24 dev sl_tap0");
	kernel_mac("sl_tap0", kmac);
	s = udp_socket(NULL, 0);
	udp_send(s, APP_IP, 9, "x", 1);

	p = rx_one(id, 2000);
	assert_non_null(p);
	memset(expect, 0xff, 6);
	memcpy(expect + 6, kmac, 6);
	expect[12] = 0x08;
	expect[13] = 0x06;
	arp->hrd = sl_htons(SL_ARP_HRD_ETHER);
	arp->pro = sl_htons(SL_ETHER_TYPE_IPV4);
	arp->hln = 6;
	arp->pln = 4;
	arp->op = sl_htons(SL_ARP_OP_REQUEST);
	memcpy(arp->data.sha.bytes, kmac, 6);
	arp->data.sip = ip4(KERNEL_IP);
	memset(arp->data.tha.bytes, 0, 6);
	arp->data.tip = ip4(APP_IP);
	assert_int_equal(p->pkt_len, sizeof(expect));
	assert_int_equal(p->nb_segs, 1);
	assert_int_equal(p->port, id);
	assert_memory_equal(sl_pktbuf_mtod(p, void *), expect, sizeof(expect));
	sl_pktbuf_free(p);

	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.ipackets, 1);
	assert_int_equal(st.ibytes, 42);
	assert_int_equal(st.q_ipackets[0], 1);
	assert_int_equal(st.ierrors + st.rx_nombuf + st.imissed, 0);
	assert_int_equal(xstat(id, "rx_q0_packets"), 1);
	assert_int_equal(xstat(id, "rx_q0_nombuf"), 0);
	assert_int_equal(xstat(id, "rx_q0_too_long") + xstat(id, "rx_q0_runt") +
				 xstat(id, "rx_q0_read_errors"),
			 0);
	assert_xstat_names_unique(id);
	close(s);
}

/* Frames the application writes (one segment, then two) reach a kernel UDP socket. */
static void test_app_frames_reach_kernel(void **state)
{
	static const char payload[] = "sluice tap: app to kernel, byte for byte 0123456789";
	uint8_t kmac[6], pmac[6], frame[128], got[128];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	struct sl_port_stats st;
	struct sl_pktbuf *m[2];
	size_t len;
	uint16_t id;
	int s;

	(void)state;
	id = (uint16_t)start_port("net_tap0", 1, pool);
	run("ip addr add " KERNEL_IP "/24 dev sl_tap0");
	kernel_mac("sl_tap0", kmac);
	sl_port_mac(id, pmac);
	s = udp_socket(KERNEL_IP, 5555);
	len = craft_udp(frame, kmac, pmac, payload, sizeof(payload));

	m[0] = pkt_from(pool, frame, len);
	assert_int_equal(sl_port_tx_burst(id, 0, m, 1), 1);
	assert_int_equal(recvfrom(s, got, sizeof(got), 0, (struct sockaddr *)&from, &flen),
			 sizeof(payload));
	assert_memory_equal(got, payload, sizeof(payload));
	assert_int_equal(from.sin_addr.s_addr, ip4(APP_IP));
	assert_int_equal(ntohs(from.sin_port), 4444);

	/* Headers in one segment, payload in a second: one writev(). */
	m[0] = pkt_from(pool, frame, 42);
	m[1] = pkt_from(pool, frame + 42, len - 42);
	assert_int_equal(sl_pktbuf_chain(m[0], m[1]), 0);
	assert_int_equal(m[0]->nb_segs, 2);
	assert_int_equal(sl_port_tx_burst(id, 0, m, 1), 1);
	memset(got, 0, sizeof(got));
	assert_int_equal(recv(s, got, sizeof(got), 0), sizeof(payload));
	assert_memory_equal(got, payload, sizeof(payload));

	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.opackets, 2);
	assert_int_equal(st.obytes, 2 * len);
	assert_int_equal(st.oerrors, 0);
	assert_int_equal(xstat(id, "tx_kernel_dropped"), 0);
	assert_int_equal(xstat(id, "tx_q0_packets"), 2);
	assert_int_equal(xstat(id, "tx_q0_busy"), 0);
	close(s);
}

/* The application answers the kernel's ARP; the datagram the kernel held back then arrives,
 * 1242 bytes read into a chain of small buffers. */
static void test_arp_reply_then_chained_rx(void **state)
{
	struct sl_pool *small = sl_pktbuf_pool_create("tap_small", 256, 0, 0,
						      SL_PKTBUF_HEADROOM + 512, 0);
	uint8_t kmac[6], pmac[6], payload[1200], reply[42], buf[1300];
	struct sl_arp_hdr *arp = (struct sl_arp_hdr *)(reply + 14);
	const struct sl_ether_hdr *eth;
	const uint8_t *data;
	struct sl_port_stats st;
	struct sl_pktbuf *p, *r;
	uint16_t id;
	int s;

	(void)state;
	assert_non_null(small);
	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	id = (uint16_t)start_port("net_tap0", 1, small);
	run("ip addr add " KERNEL_IP "/24 dev sl_tap0");
	kernel_mac("sl_tap0", kmac);
	sl_port_mac(id, pmac);
	s = udp_socket(NULL, 0);
	udp_send(s, APP_IP, 7777, payload, sizeof(payload));

	p = rx_one(id, 2000);
	assert_non_null(p);
	assert_int_equal(p->pkt_len, 42);
	eth = sl_pktbuf_mtod(p, const struct sl_ether_hdr *);
	assert_int_equal(eth->ether_type, sl_htons(SL_ETHER_TYPE_ARP));
	sl_pktbuf_free(p);

	memcpy(reply, kmac, 6);
	memcpy(reply + 6, pmac, 6);
	reply[12] = 0x08;
	reply[13] = 0x06;
	arp->hrd = sl_htons(SL_ARP_HRD_ETHER);
	arp->pro = sl_htons(SL_ETHER_TYPE_IPV4);
	arp->hln = 6;
	arp->pln = 4;
	arp->op = sl_htons(SL_ARP_OP_REPLY);
	memcpy(arp->data.sha.bytes, pmac, 6);
	arp->data.sip = ip4(APP_IP);
	memcpy(arp->data.tha.bytes, kmac, 6);
	arp->data.tip = ip4(KERNEL_IP);
	r = pkt_from(small, reply, sizeof(reply));
	assert_int_equal(sl_port_tx_burst(id, 0, &r, 1), 1);

	/* Skip any ARP retry that crossed our reply. */
	do {
		p = rx_one(id, 2000);
		assert_non_null(p);
		eth = sl_pktbuf_mtod(p, const struct sl_ether_hdr *);
		if (eth->ether_type == sl_htons(SL_ETHER_TYPE_IPV4))
			break;
		sl_pktbuf_free(p);
	} while (1);
	assert_int_equal(p->pkt_len, 14 + 20 + 8 + sizeof(payload));
	assert_int_equal(p->nb_segs, 3); /* 512 + 640 + 90 */
	assert_int_equal(p->data_len, 512);
	assert_int_equal(p->next->data_len, 640);
	assert_int_equal(p->next->next->data_len, 90);
	assert_int_equal(sl_pktbuf_check(p, NULL), 0);
	data = sl_pktbuf_read(p, 0, p->pkt_len, buf);
	assert_non_null(data);
	assert_memory_equal(data, pmac, 6);
	assert_memory_equal(data + 6, kmac, 6);
	assert_int_equal(data[14 + 9], SL_IPPROTO_UDP);
	assert_memory_equal(data + 14 + 20 + 8, payload, sizeof(payload));
	assert_int_equal(sl_udptcp_cksum_pkt_verify(p, 14, 34), 0);
	sl_pktbuf_free(p);

	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.opackets, 1);
	assert_true(st.ipackets >= 2);
	assert_int_equal(st.ierrors, 0);
	close(s);
	sl_port_close(id);
	assert_int_equal(sl_pool_in_use(small), 0); /* spare rx buffers came back at close */
	sl_pool_free(small);
}

/* Every drop is counted by reason: runt and over-segmented tx, too-long rx, and frames the
 * kernel could not queue to an application that did not read (received + missed = sent). */
static void test_drops_counted(void **state)
{
	uint8_t pmac[6], runt[10] = {0}, big[1900] = {0};
	struct sl_pktbuf *m, *pkts[32];
	struct sl_port_stats st;
	unsigned got = 0;
	uint16_t id, n;
	int s;

	(void)state;
	id = (uint16_t)start_port("net_tap0", 1, pool);
	sl_port_mac(id, pmac);

	m = pkt_from(pool, runt, sizeof(runt));
	assert_int_equal(sl_port_tx_burst(id, 0, &m, 1), 1);
	m = pkt_from(pool, runt, sizeof(runt));
	for (int i = 0; i < 69; i++)
		assert_int_equal(sl_pktbuf_chain(m, pkt_from(pool, runt, 1)), 0);
	assert_int_equal(m->nb_segs, 70);
	assert_int_equal(sl_port_tx_burst(id, 0, &m, 1), 1);
	assert_int_equal(xstat(id, "tx_q0_err_runt"), 1);
	assert_int_equal(xstat(id, "tx_q0_err_too_many_segs"), 1);
	assert_int_equal(xstat(id, "tx_q0_errors"), 2);
	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.oerrors, 2);
	assert_int_equal(st.opackets, 0);

	/* The kernel's MTU raised behind the port's back: a 1942-byte frame is too long. */
	run("ip addr add " KERNEL_IP "/24 dev sl_tap0");
	run("ip link set dev sl_tap0 mtu 2000");
	run("ip neigh replace " APP_IP " lladdr %02x:%02x:%02x:%02x:%02x:%02x dev sl_tap0 nud permanent",
	    pmac[0], pmac[1], pmac[2], pmac[3], pmac[4], pmac[5]);
	s = udp_socket(NULL, 0);
	udp_send(s, APP_IP, 9, big, sizeof(big));
	for (int t = 0; t < 1000 && xstat(id, "rx_q0_too_long") == 0; t++) {
		assert_int_equal(sl_port_rx_burst(id, 0, pkts, 32), 0);
		sleep_ms(1);
	}
	assert_int_equal(xstat(id, "rx_q0_too_long"), 1);
	assert_int_equal(xstat(id, "rx_q0_errors"), 1);
	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.ierrors, 1);
	assert_int_equal(st.q_errors[0], 1);

	/* A reset zeroes the driver's own counters and the shared ones. */
	assert_int_equal(sl_port_stats_reset(id), 0);
	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_int_equal(st.oerrors + st.ierrors + st.ipackets + st.imissed, 0);
	assert_int_equal(st.q_errors[0], 0);
	assert_int_equal(xstat(id, "tx_q0_err_runt"), 0);
	assert_int_equal(xstat(id, "tx_q0_err_too_many_segs"), 0);
	assert_int_equal(xstat(id, "tx_q0_errors"), 0);
	assert_int_equal(xstat(id, "rx_q0_too_long"), 0);
	assert_int_equal(xstat(id, "rx_q0_errors"), 0);
	assert_int_equal(xstat(id, "tx_kernel_dropped"), 0);

	/* A kernel queue of 8 frames and 40 datagrams before the first read. */
	run("ip link set dev sl_tap0 txqueuelen 8");
	for (int i = 0; i < 40; i++)
		udp_send(s, APP_IP, 9, "y", 1);
	sleep_ms(100);
	for (int t = 0; t < 200; t++) {
		n = sl_port_rx_burst(id, 0, pkts, 32);
		got += n;
		sl_pktbuf_free_bulk(pkts, n);
		if (n == 0)
			sleep_ms(1);
	}
	assert_int_equal(sl_port_stats(id, &st), 0);
	assert_true(got >= 1 && got < 40);
	assert_int_equal(st.ipackets, got);
	assert_int_equal(st.ipackets + st.imissed, 40);
	close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_tun_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cap_net_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_close_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_mtu_promisc_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_arp_reaches_app, setup, teardown),
		cmocka_unit_test_setup_teardown(test_app_frames_reach_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arp_reply_then_chained_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops_counted, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("skipped: net_tap tests need root (CAP_NET_ADMIN)\n");
		return 77;
	}
	if (access("/dev/net/tun", F_OK) != 0) {
		printf("skipped: /dev/net/tun is missing (modprobe tun)\n");
		return 77;
	}
	/* A namespace of our own: interfaces vanish with the process, whatever happens. */
	if (unshare(CLONE_NEWNET) < 0) {
		printf("skipped: cannot create a network namespace: %s\n", strerror(errno));
		return 77;
	}
	/* No IPv6 on new interfaces: the kernel then sends only what a test asks for. */
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
