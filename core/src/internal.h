/* SPDX-License-Identifier: MIT */
/* Calls between core's layers that are not public API. */
#ifndef VIRTQ_SRC_INTERNAL_H
#define VIRTQ_SRC_INTERNAL_H

#include "virtq/chain.h"
#include "virtq/queue.h"

/*
 * ring.c: validate the layout (@size entries, parts at the given guest
 * addresses in @mem) and map the three parts.  Fills the ring pointers of @q
 * only on success.
 */
int virtq__ring_map(struct virtq_queue *q, const struct virtq_mem *mem, uint32_t size, uint64_t desc_gpa,
		    uint64_t avail_gpa, uint64_t used_gpa);

/*
 * @gpa's host address if region @r holds it, and in *contig how much of @len
 * follows there; NULL if @r does not hold @gpa.  Inline: the walk's hint
 * check runs it once per buffer.
 */
static inline void *virtq__region_translate(const struct virtq_mem_region *r, uint64_t gpa, uint64_t len,
					    uint64_t *contig)
{
	uint64_t off = gpa - r->gpa;

	if (gpa < r->gpa || off >= r->size)
		return NULL;
	*contig = r->size - off < len ? r->size - off : len;
	return (unsigned char *)r->hva + off;
}

/*
 * mem.c: virtq_mem_translate() that also says which table region answered
 * (*region, NULL for the callback backend), so a walk can try it first.
 */
void *virtq__mem_lookup(const struct virtq_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig,
			const struct virtq_mem_region **region);

/*
 * virtq_mem_translate_all() that tries region @hint (may be NULL) first,
 * inline so that the walk's usual indirect table costs no call.  @len > 0:
 * its one caller refuses an empty indirect table first
 * (VIRTQ_E_INDIRECT_LEN), and an empty range would pass the hint where
 * virtq_mem_translate_all() refuses it.
 */
static inline void *virtq__mem_translate_all_hint(const struct virtq_mem *m,
						  const struct virtq_mem_region *hint, uint64_t gpa,
						  uint64_t len)
{
	uint64_t contig = 0;
	void *p = hint != NULL ? virtq__region_translate(hint, gpa, len, &contig) : NULL;

	return p != NULL && contig == len ? p : virtq_mem_translate_all(m, gpa, len);
}

/*
 * Start walking the chain whose (validated) head is @head.  Only what is
 * read before the walk begins: the walk itself starts from the head
 * (chain.c, walk_begin), so the direct table's bounds are not stored twice;
 * the count of descriptors read is first read once the walk has begun, the
 * error once it has ended (chain.h), and the walk stores both first.
 * writable is read by a return of a chain never walked.  Inline: once per
 * request, on virtq_pop()'s path.
 */
static inline void virtq__chain_start(struct virtq_chain *c, struct virtq_queue *q, uint16_t head)
{
	c->q = q;
	c->writable = 0;
	c->epoch = q->epoch;
	c->mem_gen = q->mem_gen;
	c->head = head;
	c->state = VIRTQ__WALK_NEW;
	c->returned = false;
}

#endif /* VIRTQ_SRC_INTERNAL_H */
