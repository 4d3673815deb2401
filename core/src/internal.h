/* SPDX-License-Identifier: MIT */
/* Calls between core's layers that are not public API. */
#ifndef VIRTQ_SRC_INTERNAL_H
#define VIRTQ_SRC_INTERNAL_H

#include "virtq/chain.h"
#include "virtq/queue.h"

/*
 * ring.c: validate the layout of @cfg and map the three parts.  Fills the
 * ring pointers of @q only on success.
 */
int virtq__ring_map(struct virtq_queue *q, const struct virtq_queue_config *cfg);

/* chain.c: start walking the chain whose (validated) head is @head. */
void virtq__chain_start(struct virtq_chain *c, struct virtq_queue *q, uint16_t head);

#endif /* VIRTQ_SRC_INTERNAL_H */
