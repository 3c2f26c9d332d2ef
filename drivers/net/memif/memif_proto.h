/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memif v2.0 wire format: control messages on the unix socket and the layout of the shared
 * rings.  Written from the published protocol description (DPDK net_memif, VPP/libmemif
 * memif.h); every size and offset is pinned below so a change shows up at compile time.
 *
 * Who writes what (netmap style): (c) the client, (s) the server, (p) the producer of the
 * ring, (k) the consumer.  Everything in shared memory is written by a peer we do not
 * trust: read it once into a local, check it, then use the local.
 */
#ifndef SL_MEMIF_PROTO_H
#define SL_MEMIF_PROTO_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#define MEMIF_COOKIE 0x3E31F20u
#define MEMIF_VERSION 0x0200u /* 2.0: major << 8 | minor */
#define MEMIF_NAME_SIZE 32
#define MEMIF_SECRET_SIZE 24
#define MEMIF_DISC_STRING_SIZE 96
#define MEMIF_MSG_SIZE 128

enum memif_msg_type {
	MEMIF_MSG_NONE = 0,
	MEMIF_MSG_ACK = 1,
	MEMIF_MSG_HELLO = 2,      /* s -> c, first message on a new connection */
	MEMIF_MSG_INIT = 3,       /* c -> s */
	MEMIF_MSG_ADD_REGION = 4, /* c -> s, region memfd attached */
	MEMIF_MSG_ADD_RING = 5,   /* c -> s, interrupt eventfd attached */
	MEMIF_MSG_CONNECT = 6,    /* c -> s */
	MEMIF_MSG_CONNECTED = 7,  /* s -> c */
	MEMIF_MSG_DISCONNECT = 8, /* either way, then the socket closes */
};

#define MEMIF_MODE_ETHERNET 0
#define MEMIF_RING_FLAG_C2S 0x1   /* add_ring.flags: ring goes client -> server */
#define MEMIF_DESC_FLAG_NEXT 0x1  /* desc.flags: the packet continues in the next slot */
#define MEMIF_RING_FLAG_MASK_INT 0x1 /* ring.flags: the consumer polls, do not signal */

struct memif_msg_hello {
	uint8_t name[MEMIF_NAME_SIZE];
	uint16_t min_version;
	uint16_t max_version;
	uint16_t max_region;   /* highest region index accepted */
	uint16_t max_s2c_ring; /* highest ring index accepted (count - 1) */
	uint16_t max_c2s_ring;
	uint8_t max_log2_ring_size;
} __attribute__((packed));

struct memif_msg_init {
	uint16_t version;
	uint32_t id;
	uint8_t mode;
	uint8_t secret[MEMIF_SECRET_SIZE];
	uint8_t name[MEMIF_NAME_SIZE];
} __attribute__((packed));

struct memif_msg_add_region {
	uint16_t index;
	uint64_t size;
} __attribute__((packed));

struct memif_msg_add_ring {
	uint16_t flags;
	uint16_t index;
	uint16_t region;
	uint32_t offset;
	uint8_t log2_ring_size;
	uint16_t private_hdr_size;
} __attribute__((packed));

struct memif_msg_connect {
	uint8_t if_name[MEMIF_NAME_SIZE];
} __attribute__((packed));

struct memif_msg_disconnect {
	uint32_t code;
	uint8_t string[MEMIF_DISC_STRING_SIZE];
} __attribute__((packed));

struct memif_msg {
	uint16_t type;
	union {
		struct memif_msg_hello hello;
		struct memif_msg_init init;
		struct memif_msg_add_region add_region;
		struct memif_msg_add_ring add_ring;
		struct memif_msg_connect connect;
		struct memif_msg_disconnect disconnect;
		uint8_t raw[MEMIF_MSG_SIZE - 2];
	};
} __attribute__((packed));

static_assert(sizeof(struct memif_msg) == MEMIF_MSG_SIZE, "control messages are 128 bytes");
static_assert(sizeof(struct memif_msg_hello) == 43, "hello payload");
static_assert(offsetof(struct memif_msg_hello, max_region) == 36, "hello.max_region");
static_assert(offsetof(struct memif_msg_hello, max_log2_ring_size) == 42, "hello.max_log2");
static_assert(sizeof(struct memif_msg_init) == 63, "init payload");
static_assert(offsetof(struct memif_msg_init, mode) == 6, "init.mode");
static_assert(offsetof(struct memif_msg_init, secret) == 7, "init.secret");
static_assert(offsetof(struct memif_msg_init, name) == 31, "init.name");
static_assert(sizeof(struct memif_msg_add_region) == 10, "add_region payload");
static_assert(sizeof(struct memif_msg_add_ring) == 13, "add_ring payload");
static_assert(offsetof(struct memif_msg_add_ring, offset) == 6, "add_ring.offset");
static_assert(offsetof(struct memif_msg_add_ring, log2_ring_size) == 10, "add_ring.log2");
static_assert(offsetof(struct memif_msg_add_ring, private_hdr_size) == 11, "add_ring.priv");
static_assert(sizeof(struct memif_msg_disconnect) == 100, "disconnect payload");
static_assert(offsetof(struct memif_msg, hello) == 2, "payload starts at byte 2");

/* One slot of a ring: where the packet (or this piece of it) lies. */
struct memif_desc {
	uint16_t flags;    /* (p) MEMIF_DESC_FLAG_NEXT */
	uint16_t region;   /* (c) region index */
	uint32_t length;   /* (p) bytes used; (k) on s2c rings, the buffer capacity on refill */
	uint32_t offset;   /* (c) start of the buffer in the region */
	uint32_t metadata; /* unused */
};

static_assert(sizeof(struct memif_desc) == 16, "descriptor is 16 bytes");
static_assert(offsetof(struct memif_desc, length) == 4, "desc.length");
static_assert(offsetof(struct memif_desc, offset) == 8, "desc.offset");

/* Cache line size the ring layout is built for: 64 (DPDK on x86 and arm64).  VPP and
 * libmemif on some arm64 builds use 128 (tail at 128, descriptors at 256); change it here
 * to talk to those. */
#ifndef MEMIF_RING_CACHE_LINE
#define MEMIF_RING_CACHE_LINE 64
#endif

/* Ring header, then 2^log2 descriptors.  Indexes are free-running u16: slot = idx & mask. */
struct memif_ring {
	uint32_t cookie;     /* (c) MEMIF_COOKIE */
	uint16_t flags;      /* (k) MEMIF_RING_FLAG_MASK_INT */
	uint16_t head;       /* (c) c2s: next slot the client fills; s2c: end of refilled slots */
	uint8_t pad0[MEMIF_RING_CACHE_LINE - 8];
	uint16_t tail;       /* (s) c2s: slots the server consumed; s2c: slots the server filled */
	uint8_t pad1[MEMIF_RING_CACHE_LINE - 2];
	struct memif_desc desc[];
};

static_assert(offsetof(struct memif_ring, head) == 6, "ring.head");
static_assert(offsetof(struct memif_ring, tail) == MEMIF_RING_CACHE_LINE, "ring.tail");
static_assert(offsetof(struct memif_ring, desc) == 2 * MEMIF_RING_CACHE_LINE, "ring.desc");

/* Bytes of a ring of 2^log2 slots. */
static inline uint64_t memif_ring_bytes(unsigned log2)
{
	return sizeof(struct memif_ring) + ((uint64_t)sizeof(struct memif_desc) << log2);
}

#endif
