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
 * mem.c: virtq_mem_translate() that also says which table region answered
 * (*region, NULL for the callback backend), so a walk can try it first.
 */
void *virtq__mem_lookup(const struct virtq_mem *m, uint64_t gpa, uint64_t len, uint64_t *contig,
			const struct virtq_mem_region **region);

/* chain.c: start walking the chain whose (validated) head is @head. */
void virtq__chain_start(struct virtq_chain *c, struct virtq_queue *q, uint16_t head);

#endif /* VIRTQ_SRC_INTERNAL_H */
