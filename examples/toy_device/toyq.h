/* SPDX-License-Identifier: MIT */
/*
 * toyq: a deliberately small device-side split virtqueue, standing in for a
 * user's own library in virtq's install test (examples/toy_device).  No
 * INDIRECT_DESC, no EVENT_IDX.  It carries one planted violation, which the
 * harness must find: toyq_write() lays the reply from the first segment of
 * the chain, not from the first device-writable one, so a reply overwrites
 * the request (SPLIT-DESC-2).
 */
#ifndef TOYQ_H
#define TOYQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOYQ_MAX_SEGS 64

struct toyq_region {
	uint64_t gpa, size;
	void *hva;
};

struct toyq_seg {
	void *hva;
	uint32_t len;
	bool writable;
};

enum toyq_rc { TOYQ_OK, TOYQ_EMPTY, TOYQ_BAD_ENTRY, TOYQ_BAD_CHAIN, TOYQ_BROKEN };

struct toyq {
	uint16_t size;
	volatile uint8_t *desc, *avail, *used;
	const struct toyq_region *regions;
	size_t nregions;
	uint16_t last_avail, used_idx;
	uint32_t unpublished; /* entries pushed, used idx not yet stored */
	bool news;            /* entries published since the last notification decision */
	bool broken;
	struct toyq_seg seg[2 * TOYQ_MAX_SEGS];
	unsigned nseg;
	size_t rd_off, wr_off; /* cursors of the chain walked last */
};

void toyq_init(struct toyq *q, uint16_t size, void *desc, void *avail, void *used,
	       const struct toyq_region *regions, size_t nregions);
enum toyq_rc toyq_pop(struct toyq *q, uint16_t *head);
enum toyq_rc toyq_walk(struct toyq *q, uint16_t head, uint64_t *readable, uint64_t *writable);
size_t toyq_read(struct toyq *q, void *dst, size_t n);
size_t toyq_write(struct toyq *q, const void *src, size_t n);
void toyq_push(struct toyq *q, uint16_t head, uint32_t len);
void toyq_publish(struct toyq *q);
bool toyq_should_notify(struct toyq *q);
void toyq_kicks(struct toyq *q, bool on);
bool toyq_pending(struct toyq *q);

#endif
