/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user wire format (QEMU docs/interop/vhost-user.rst), as much of it
 * as a split-ring back-end and its front-end use.  Shared by the harness's
 * front-end (vhost_user/frontend) and the core's back-end
 * (vhost_user/blk): it is the protocol's framing, not an oracle; what either
 * side expects of the rings comes from the spec, elsewhere.
 *
 * A message is a 12-byte header (request, flags, payload size) and a payload;
 * file descriptors travel beside it as SCM_RIGHTS ancillary data.  All fields
 * are in the host's byte order (both ends run on one machine).
 */
#ifndef VHOST_USER_PROTO_H
#define VHOST_USER_PROTO_H

#include <stdint.h>

enum vhu_request {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_RESET_OWNER = 4,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_SET_VRING_ERR = 14,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_GET_QUEUE_NUM = 17,
	VHU_SET_VRING_ENABLE = 18,
	VHU_GET_CONFIG = 24,
	VHU_SET_CONFIG = 25,
	VHU_RESET_DEVICE = 34,
};

#define VHU_VERSION 0x1u
#define VHU_FLAG_VERSION_MASK 0x3u
#define VHU_FLAG_REPLY (1u << 2)
#define VHU_FLAG_NEED_REPLY (1u << 3)

/* Virtio feature bit 30: the back-end speaks protocol features (rings then start disabled). */
#define VHU_F_PROTOCOL_FEATURES 30

/* Protocol feature bits. */
#define VHU_PF_MQ 0
#define VHU_PF_REPLY_ACK 3
#define VHU_PF_CONFIG 9
#define VHU_PF_RESET_DEVICE 13

/* Regions one SET_MEM_TABLE carries (VHOST_MEMORY_BASELINE_NREGIONS). */
#define VHU_MAX_REGIONS 8
/* SET_VRING_KICK / CALL / ERR payload: ring index in the low byte, this bit when no fd is sent. */
#define VHU_VRING_IDX_MASK 0xffu
#define VHU_VRING_NOFD (1u << 8)
/* GET_CONFIG / SET_CONFIG carry at most this many bytes of device configuration. */
#define VHU_CONFIG_MAX 256

struct vhu_header {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes that follow */
};

struct vhu_region {
	uint64_t gpa;       /* guest_phys_addr */
	uint64_t size;      /* memory_size */
	uint64_t uva;       /* userspace_addr: the front-end's address of gpa (ring addresses use it) */
	uint64_t mmap_offset; /* where gpa sits in the region's fd */
};

struct vhu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_region r[VHU_MAX_REGIONS];
};

struct vhu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vhu_vring_addr {
	uint32_t index;
	uint32_t flags; /* bit 0: log the used ring (not used here) */
	uint64_t desc_uva;
	uint64_t used_uva;
	uint64_t avail_uva;
	uint64_t log_gpa;
};

struct vhu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t payload[VHU_CONFIG_MAX];
};

/* The largest payload of any message above. */
union vhu_payload {
	uint64_t u64;
	struct vhu_vring_state state;
	struct vhu_vring_addr addr;
	struct vhu_mem_table mem;
	struct vhu_config config;
};

/* A message in memory: on the wire the payload follows the 12-byte header directly. */
struct vhu_msg {
	struct vhu_header h;
	union vhu_payload p;
};

/* A short name ("SET_MEM_TABLE") for messages and errors; "?" if unknown. */
static inline const char *vhu_request_name(uint32_t r)
{
	switch (r) {
	case VHU_GET_FEATURES: return "GET_FEATURES";
	case VHU_SET_FEATURES: return "SET_FEATURES";
	case VHU_SET_OWNER: return "SET_OWNER";
	case VHU_RESET_OWNER: return "RESET_OWNER";
	case VHU_SET_MEM_TABLE: return "SET_MEM_TABLE";
	case VHU_SET_VRING_NUM: return "SET_VRING_NUM";
	case VHU_SET_VRING_ADDR: return "SET_VRING_ADDR";
	case VHU_SET_VRING_BASE: return "SET_VRING_BASE";
	case VHU_GET_VRING_BASE: return "GET_VRING_BASE";
	case VHU_SET_VRING_KICK: return "SET_VRING_KICK";
	case VHU_SET_VRING_CALL: return "SET_VRING_CALL";
	case VHU_SET_VRING_ERR: return "SET_VRING_ERR";
	case VHU_GET_PROTOCOL_FEATURES: return "GET_PROTOCOL_FEATURES";
	case VHU_SET_PROTOCOL_FEATURES: return "SET_PROTOCOL_FEATURES";
	case VHU_GET_QUEUE_NUM: return "GET_QUEUE_NUM";
	case VHU_SET_VRING_ENABLE: return "SET_VRING_ENABLE";
	case VHU_GET_CONFIG: return "GET_CONFIG";
	case VHU_SET_CONFIG: return "SET_CONFIG";
	case VHU_RESET_DEVICE: return "RESET_DEVICE";
	default: return "?";
	}
}

#endif /* VHOST_USER_PROTO_H */
