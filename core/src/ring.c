/* SPDX-License-Identifier: MIT */
/*
 * Ring layout (layer 2): where the three parts of a split queue are and
 * whether they are acceptable (§2.7, §2.7.1; SPLIT-LAY-1/2, PCI-Q-8).
 */
#include "internal.h"

#include "virtq/error.h"

static int size_ok(uint32_t size)
{
	return size >= 1 && size <= VIRTQ_MAX_SIZE && (size & (size - 1)) == 0;
}

/*
 * Both the guest address and the host address must be aligned: the first is
 * the spec's rule, the second is what our atomic accessors need (a region
 * whose host mapping is misaligned relative to its gpa would otherwise trap
 * or tear on some hosts; cf. Firecracker 7b01bdc1e).
 */
static void *map_part(const struct virtq_mem *mem, uint64_t gpa, uint64_t len, uint32_t align,
		      int *err)
{
	void *p;

	if (gpa & (align - 1)) {
		*err = VIRTQ_E_RING_ALIGN;
		return NULL;
	}
	p = virtq_mem_translate_all(mem, gpa, len);
	if (p == NULL) {
		*err = VIRTQ_E_RING_RANGE;
		return NULL;
	}
	if ((uintptr_t)p & (align - 1)) {
		*err = VIRTQ_E_RING_ALIGN;
		return NULL;
	}
	return p;
}

/*
 * Parts that overlap would make the device's used-ring stores land in the
 * descriptor table or avail ring it reads (SPLIT-LAY-3: one writer per part).
 */
static int overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	/* Last bytes, not ends: a part may end on the last guest address, where its end is 2^64. */
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

static int parts_disjoint(uint32_t size, uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa)
{
	uint64_t d = virtq_desc_bytes(size);
	uint64_t a = virtq_avail_bytes(size);
	uint64_t u = virtq_used_bytes(size);

	return !overlap(desc_gpa, d, avail_gpa, a) && !overlap(desc_gpa, d, used_gpa, u) &&
	       !overlap(avail_gpa, a, used_gpa, u);
}

int virtq__ring_map(struct virtq_queue *q, const struct virtq_mem *mem, uint32_t size, uint64_t desc_gpa,
		    uint64_t avail_gpa, uint64_t used_gpa)
{
	int err = 0;
	void *desc, *avail, *used;

	if (!size_ok(size))
		return VIRTQ_E_QUEUE_SIZE;
	desc = map_part(mem, desc_gpa, virtq_desc_bytes(size), VIRTQ_DESC_ALIGN, &err);
	if (desc == NULL)
		return err;
	avail = map_part(mem, avail_gpa, virtq_avail_bytes(size), VIRTQ_AVAIL_ALIGN, &err);
	if (avail == NULL)
		return err;
	used = map_part(mem, used_gpa, virtq_used_bytes(size), VIRTQ_USED_ALIGN, &err);
	if (used == NULL)
		return err;
	/* All three translated, so none wraps: each part's last byte is its gpa plus its length less one. */
	if (!parts_disjoint(size, desc_gpa, avail_gpa, used_gpa))
		return VIRTQ_E_RING_RANGE;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->used_event = &q->avail->ring[size];
	/* avail_event follows ring[size]; 4 + 8 * size is 2-aligned as needed. */
	q->avail_event = (uint16_t *)(void *)&q->used->ring[size];
	return 0;
}
