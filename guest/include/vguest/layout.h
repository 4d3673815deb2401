/* SPDX-License-Identifier: MIT */
/*
 * The split ring as the driver lays it out, from the spec (virtio 1.2/1.3
 * §2.7 "Split Virtqueues"; split-ring.tex is byte-identical in both), not
 * from any implementation: this header is the guest's own reading.
 *
 * Everything in guest memory is little-endian (§2.7, SPLIT-LAY-1).  Values
 * are assembled byte by byte, so the guest's encoding shares nothing with a
 * device's byte-order helpers.
 *
 *   descriptor table  16 * Q bytes, align 16   (le64 addr, le32 len, le16 flags, le16 next)
 *   avail ring        6 + 2 * Q,    align 2    (le16 flags, le16 idx, le16 ring[Q], le16 used_event)
 *   used ring         6 + 8 * Q,    align 4    (le16 flags, le16 idx, {le32 id, le32 len}[Q],
 *                                              le16 avail_event)
 */
#ifndef VGUEST_LAYOUT_H
#define VGUEST_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

/* Feature bit numbers (§6; ring features only). */
#define VG_F_INDIRECT_DESC 28
#define VG_F_EVENT_IDX 29
#define VG_F_VERSION_1 32
#define VG_F_IN_ORDER 35
#define VG_FEATURE(bit) (UINT64_C(1) << (bit))

/* Descriptor flags (§2.7.5), avail flags (§2.7.6), used flags (§2.7.8). */
#define VG_DESC_F_NEXT 1u
#define VG_DESC_F_WRITE 2u
#define VG_DESC_F_INDIRECT 4u
#define VG_AVAIL_F_NO_INTERRUPT 1u
#define VG_USED_F_NO_NOTIFY 1u

/* Largest split queue (§2.7: a power of two, at most 32768). */
#define VG_MAX_QUEUE 32768u
#define VG_DESC_SIZE 16u
#define VG_USED_ELEM_SIZE 8u

/* Minimum alignment of each part (§2.7.1, SPLIT-LAY-4). */
#define VG_DESC_ALIGN 16u
#define VG_AVAIL_ALIGN 2u
#define VG_USED_ALIGN 4u

static inline bool vg_queue_size_ok(uint32_t q)
{
	return q >= 1 && q <= VG_MAX_QUEUE && (q & (q - 1)) == 0;
}

static inline uint64_t vg_desc_bytes(uint32_t q) { return (uint64_t)VG_DESC_SIZE * q; }
static inline uint64_t vg_avail_bytes(uint32_t q) { return 6 + 2 * (uint64_t)q; }
static inline uint64_t vg_used_bytes(uint32_t q) { return 6 + (uint64_t)VG_USED_ELEM_SIZE * q; }

/* Field offsets inside each part.  Slots are indices taken modulo Q. */
#define VG_AVAIL_FLAGS 0u
#define VG_AVAIL_IDX 2u
static inline uint64_t vg_avail_slot(uint32_t q, uint16_t i) { return 4 + 2 * (uint64_t)(i & (q - 1)); }
static inline uint64_t vg_used_event_off(uint32_t q) { return 4 + 2 * (uint64_t)q; }
#define VG_USED_FLAGS 0u
#define VG_USED_IDX 2u
static inline uint64_t vg_used_slot(uint32_t q, uint16_t i)
{
	return 4 + (uint64_t)VG_USED_ELEM_SIZE * (i & (q - 1));
}
static inline uint64_t vg_avail_event_off(uint32_t q) { return 4 + (uint64_t)VG_USED_ELEM_SIZE * q; }

/* One descriptor in host order: the guest's decoded copy. */
struct vg_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Little-endian field codecs over byte arrays. */
static inline uint64_t vg_get_le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static inline void vg_put_le(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void vg_desc_encode(const struct vg_desc *d, uint8_t raw[VG_DESC_SIZE])
{
	vg_put_le(raw, d->addr, 8);
	vg_put_le(raw + 8, d->len, 4);
	vg_put_le(raw + 12, d->flags, 2);
	vg_put_le(raw + 14, d->next, 2);
}

static inline struct vg_desc vg_desc_decode(const uint8_t raw[VG_DESC_SIZE])
{
	struct vg_desc d;

	d.addr = vg_get_le(raw, 8);
	d.len = (uint32_t)vg_get_le(raw + 8, 4);
	d.flags = (uint16_t)vg_get_le(raw + 12, 2);
	d.next = (uint16_t)vg_get_le(raw + 14, 2);
	return d;
}

#endif /* VGUEST_LAYOUT_H */
