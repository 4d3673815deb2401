/* SPDX-License-Identifier: MIT */
/*
 * Split-virtqueue memory layout (virtio v1.2/v1.3 §2.7, "Split Virtqueues").
 *
 * These structs describe guest memory; all fields are little-endian in guest
 * memory (§2.7, SPLIT-LAY-1 in the clause catalogue).  The core never
 * dereferences them directly: every access goes through the shared-memory
 * helpers in core/src/shm.h, which convert byte order and read each field
 * exactly once.  They are public so that drivers, fakes and tests agree on the
 * layout with the device.
 */
#ifndef VIRTQ_RING_H
#define VIRTQ_RING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Feature bits that change ring behaviour (§6, FB-DEF-1). */
#define VIRTQ_F_INDIRECT_DESC 28 /**< bit number: indirect descriptor tables */
#define VIRTQ_F_EVENT_IDX 29     /**< bit number: used_event / avail_event */
#define VIRTQ_F_VERSION_1 32     /**< bit number: virtio 1.x (little-endian rings) */
#define VIRTQ_FEATURE(bit) (UINT64_C(1) << (bit))

/* Descriptor flags (§2.7.5). */
#define VIRTQ_DESC_F_NEXT 1u     /**< buffer continues via the next field */
#define VIRTQ_DESC_F_WRITE 2u    /**< buffer is device write-only */
#define VIRTQ_DESC_F_INDIRECT 4u /**< buffer holds a table of descriptors */

/* Avail ring flags (§2.7.7) and used ring flags (§2.7.10). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u /**< driver: no used-buffer notification wanted */
#define VIRTQ_USED_F_NO_NOTIFY 1u     /**< device: no available-buffer notification wanted */

/** Largest split queue: a power of two that keeps full distinct from empty (§2.7). */
#define VIRTQ_MAX_SIZE 32768u

/** Default bound on entries of one indirect table (see virtq_queue_config). */
#define VIRTQ_DEFAULT_INDIRECT_MAX 1024u

/* Minimum alignments of the three parts (§2.7.1, SPLIT-LAY-1). */
#define VIRTQ_DESC_ALIGN 16u
#define VIRTQ_AVAIL_ALIGN 2u
#define VIRTQ_USED_ALIGN 4u

/** struct virtq_desc of §2.7.5: one descriptor, 16 bytes. */
struct virtq_desc {
	uint64_t addr; /**< le64 guest-physical address */
	uint32_t len;  /**< le32 length in bytes */
	uint16_t flags; /**< le16 VIRTQ_DESC_F_* */
	uint16_t next; /**< le16 index of the next descriptor when F_NEXT */
};

/** struct virtq_avail of §2.7.6; ring[size] is followed by le16 used_event. */
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/** struct virtq_used_elem of §2.7.8. */
struct virtq_used_elem {
	uint32_t id;  /**< le32 head index of the completed chain */
	uint32_t len; /**< le32 bytes written into the device-writable part */
};

/** struct virtq_used of §2.7.8; ring[size] is followed by le16 avail_event. */
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

_Static_assert(sizeof(struct virtq_desc) == 16, "descriptor is 16 bytes (2.7.5)");
_Static_assert(offsetof(struct virtq_desc, len) == 8, "len at byte 8");
_Static_assert(offsetof(struct virtq_desc, flags) == 12, "flags at byte 12");
_Static_assert(offsetof(struct virtq_desc, next) == 14, "next at byte 14");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used element is 8 bytes (2.7.8)");
_Static_assert(sizeof(struct virtq_avail) == 4, "avail header is 4 bytes");
_Static_assert(sizeof(struct virtq_used) == 4, "used header is 4 bytes");

/*
 * Byte order of ring fields: little-endian in guest memory whatever the host
 * (virtio 1.x, §2.7).  Each converts both ways (host to ring and back).
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint16_t virtq_le16(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t virtq_le32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t virtq_le64(uint64_t v) { return __builtin_bswap64(v); }
#else
/** Ring (little-endian) to host order, or back. */
static inline uint16_t virtq_le16(uint16_t v) { return v; }
/** Ring (little-endian) to host order, or back. */
static inline uint32_t virtq_le32(uint32_t v) { return v; }
/** Ring (little-endian) to host order, or back. */
static inline uint64_t virtq_le64(uint64_t v) { return v; }
#endif

/** Bytes of the descriptor table for a queue of @p size entries: 16 * size. */
static inline uint64_t virtq_desc_bytes(uint32_t size) { return 16u * (uint64_t)size; }
/** Bytes of the avail ring including used_event: 6 + 2 * size. */
static inline uint64_t virtq_avail_bytes(uint32_t size) { return 6u + 2u * (uint64_t)size; }
/** Bytes of the used ring including avail_event: 6 + 8 * size. */
static inline uint64_t virtq_used_bytes(uint32_t size) { return 6u + 8u * (uint64_t)size; }

/**
 * The event-index test of the spec's virtio-queue.h (vring_need_event):
 * true iff @p event lies in the window [@p old_idx, @p new_idx) modulo 2^16,
 * i.e. one of the slots published since the last decision is the one the
 * other side asked to be told about (§2.7.7.2, §2.7.10; catalogue §4.1).
 */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_RING_H */
