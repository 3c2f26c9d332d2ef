/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire formats of virtio-net over vhost-user: the split virtqueue (virtio 1.x, section
 * 2.6), the virtio-net header, feature bits, and the vhost-user messages (QEMU's
 * docs/interop/vhost-user.rst).  Both ends of the link use them: drivers/net/vhost (the
 * device side, what a VM's NIC talks to) and drivers/net/virtio_user (the driver side).
 * Everything is little-endian (x86); layouts are pinned by static asserts.
 */
#ifndef SL_VIRTIO_H
#define SL_VIRTIO_H

#include <stdint.h>

/* --- virtio-net feature bits --- */
enum {
	SL_VIRTIO_NET_F_CSUM = 0,
	SL_VIRTIO_NET_F_GUEST_CSUM = 1,
	SL_VIRTIO_NET_F_MTU = 3,
	SL_VIRTIO_NET_F_MAC = 5,
	SL_VIRTIO_NET_F_MRG_RXBUF = 15,
	SL_VIRTIO_NET_F_STATUS = 16,
	SL_VIRTIO_NET_F_CTRL_VQ = 17,
	SL_VIRTIO_NET_F_GUEST_ANNOUNCE = 21,
	SL_VIRTIO_NET_F_MQ = 22,
	SL_VIRTIO_F_NOTIFY_ON_EMPTY = 24,
	SL_VIRTIO_F_ANY_LAYOUT = 27,
	SL_VIRTIO_F_INDIRECT_DESC = 28,
	SL_VIRTIO_F_EVENT_IDX = 29,
	SL_VHOST_USER_F_PROTOCOL_FEATURES = 30,
	SL_VIRTIO_F_VERSION_1 = 32,
	SL_VIRTIO_F_IOMMU_PLATFORM = 33,
	SL_VIRTIO_F_RING_PACKED = 34,
	SL_VIRTIO_F_IN_ORDER = 35,
};
#define SL_VIRTIO_BIT(b) (1ull << (b))

/* --- vhost-user protocol feature bits --- */
enum {
	SL_VHOST_USER_PROTOCOL_F_MQ = 0,
	SL_VHOST_USER_PROTOCOL_F_LOG_SHMFD = 1,
	SL_VHOST_USER_PROTOCOL_F_RARP = 2,
	SL_VHOST_USER_PROTOCOL_F_REPLY_ACK = 3,
	SL_VHOST_USER_PROTOCOL_F_MTU = 4,
	SL_VHOST_USER_PROTOCOL_F_BACKEND_REQ = 5,
	SL_VHOST_USER_PROTOCOL_F_CONFIG = 9,
	SL_VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15,
	SL_VHOST_USER_PROTOCOL_F_STATUS = 16,
};

/* --- split virtqueue --- */
#define SL_VRING_DESC_F_NEXT 1
#define SL_VRING_DESC_F_WRITE 2
#define SL_VRING_DESC_F_INDIRECT 4
#define SL_VRING_AVAIL_F_NO_INTERRUPT 1
#define SL_VRING_USED_F_NO_NOTIFY 1
#define SL_VRING_MAX_SIZE 32768 /* the specification's largest queue */

struct sl_vring_desc {
	uint64_t addr; /* guest physical address (the frontend's VA for virtio-user) */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct sl_vring_desc) == 16, "descriptor is 16 bytes");

struct sl_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* [size], then used_event */
};

struct sl_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct sl_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct sl_vring_used_elem ring[]; /* [size], then avail_event */
};

/* Bytes of each part for a ring of `size` entries (with the event-index words). */
static inline uint64_t sl_vring_desc_bytes(uint32_t size)
{
	return 16ull * size;
}
static inline uint64_t sl_vring_avail_bytes(uint32_t size)
{
	return 6ull + 2ull * size;
}
static inline uint64_t sl_vring_used_bytes(uint32_t size)
{
	return 6ull + 8ull * size;
}

/* The event index rule (virtio 1.x 2.6.7.2): with the index moved from old to new, the
 * other side asked to be told once it passes `event`. */
static inline int sl_vring_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* --- virtio-net header (12 bytes with VERSION_1 or MRG_RXBUF, else 10) --- */
struct sl_virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct sl_virtio_net_hdr) == 12, "virtio-net header is 12 bytes");

/* --- vhost-user messages --- */
enum sl_vu_req {
	SL_VU_GET_FEATURES = 1,
	SL_VU_SET_FEATURES = 2,
	SL_VU_SET_OWNER = 3,
	SL_VU_RESET_OWNER = 4,
	SL_VU_SET_MEM_TABLE = 5,
	SL_VU_SET_LOG_BASE = 6,
	SL_VU_SET_LOG_FD = 7,
	SL_VU_SET_VRING_NUM = 8,
	SL_VU_SET_VRING_ADDR = 9,
	SL_VU_SET_VRING_BASE = 10,
	SL_VU_GET_VRING_BASE = 11,
	SL_VU_SET_VRING_KICK = 12,
	SL_VU_SET_VRING_CALL = 13,
	SL_VU_SET_VRING_ERR = 14,
	SL_VU_GET_PROTOCOL_FEATURES = 15,
	SL_VU_SET_PROTOCOL_FEATURES = 16,
	SL_VU_GET_QUEUE_NUM = 17,
	SL_VU_SET_VRING_ENABLE = 18,
	SL_VU_SEND_RARP = 19,
	SL_VU_NET_SET_MTU = 20,
	SL_VU_SET_BACKEND_REQ_FD = 21,
	SL_VU_IOTLB_MSG = 22,
	SL_VU_GET_CONFIG = 24,
	SL_VU_SET_CONFIG = 25,
	SL_VU_GET_INFLIGHT_FD = 31,
	SL_VU_SET_INFLIGHT_FD = 32,
	SL_VU_RESET_DEVICE = 34,
	SL_VU_GET_MAX_MEM_SLOTS = 36,
	SL_VU_ADD_MEM_REG = 37,
	SL_VU_REM_MEM_REG = 38,
	SL_VU_SET_STATUS = 39,
	SL_VU_GET_STATUS = 40,
	SL_VU_REQ_MAX = 41,
};

#define SL_VU_VERSION 0x1
#define SL_VU_FLAG_VERSION_MASK 0x3
#define SL_VU_FLAG_REPLY 0x4
#define SL_VU_FLAG_NEED_REPLY 0x8
#define SL_VU_MAX_FDS 8
#define SL_VU_MAX_REGIONS 8 /* regions of SET_MEM_TABLE */
#define SL_VU_VRING_IDX_MASK 0xff
#define SL_VU_VRING_NOFD (1u << 8) /* in SET_VRING_KICK/CALL/ERR: no fd, poll */

struct sl_vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes */
};
_Static_assert(sizeof(struct sl_vu_hdr) == 12, "vhost-user header is 12 bytes");

struct sl_vu_state {
	uint32_t index;
	uint32_t num;
};

struct sl_vu_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc; /* frontend VAs (userspace_addr space) */
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};
_Static_assert(sizeof(struct sl_vu_addr) == 40, "vring address is 40 bytes");

struct sl_vu_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct sl_vu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct sl_vu_region regions[SL_VU_MAX_REGIONS];
};
_Static_assert(sizeof(struct sl_vu_memory) == 8 + 32 * SL_VU_MAX_REGIONS, "memory table");

/* A message: the header, then a payload of hdr.size bytes (on the wire right after the
 * header; here 8-aligned, so sl_vu_recv and sl_vu_send move the two apart). */
struct sl_vu_msg {
	struct sl_vu_hdr hdr;
	union {
		uint64_t u64;
		struct sl_vu_state state;
		struct sl_vu_addr addr;
		struct sl_vu_memory memory;
		uint8_t bytes[512]; /* the largest payload we accept (config: 12 + 256) */
	} p;
};

#endif
