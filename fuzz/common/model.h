/* SPDX-License-Identifier: MIT */
/*
 * Reference model of a device-side split queue, for the differential oracle.
 *
 * Written from the spec (virtio 1.2/1.3 §2.7) and virtq's documented rules
 * (README "Rules that matter", error table), sharing no code with core/:
 * plain byte reads of guest memory, the chain collected into a list before
 * anything is derived from it, and the notification rule evaluated slot by
 * slot as the spec words it ("the slot the entry was written at equals
 * used_event") instead of core's windowed need_event arithmetic.  Slow and
 * obvious on purpose.  The model never writes guest memory: it keeps the used
 * ring it expects in its own buffer, which the harness compares.
 */
#ifndef VIRTQ_FUZZ_MODEL_H
#define VIRTQ_FUZZ_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

struct model_seg {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/* One popped chain, fully walked. */
struct model_walk {
	uint16_t head;
	int err;                 /* 0 or the chain error that ended the walk */
	uint32_t nseg;
	struct model_seg *seg;   /* caller storage, MODEL_MAX_SEGS */
	uint32_t nvisit;
	uint64_t *visit;         /* gpa of each descriptor read, in order; MODEL_MAX_VISITS */
	uint64_t writable;       /* writable bytes of the emitted segments */
	uint32_t cap;            /* segments per direction the device can hold; 0 = no limit */
	uint32_t nr, nw;         /* readable / writable segments emitted */
	/* Optional: where descriptor k of the walk is read from (race replay). */
	void (*read_desc)(void *arg, uint32_t k, uint64_t gpa, uint8_t raw[16]);
	void *arg;
};

#define MODEL_MAX_VISITS (VIRTQ_MAX_SIZE + 1024u + 256u)
/* A descriptor touches at most every region (1 ring + 4 data chunks). */
#define MODEL_MAX_SEGS (MODEL_MAX_VISITS * 5u)

struct model {
	const struct fuzz_guest *g;
	uint32_t size, imax;
	bool indirect, event_idx;
	int broken;
	uint16_t last_avail, seen_avail, next_used, published, signalled;
	bool signalled_valid, kicks_on, armed;
	uint32_t unsignalled;
	uint8_t inflight[VIRTQ_MAX_SIZE];
	unsigned char *used; /* expected used ring bytes (6 + 8 * size) */
};

/* Expected result of virtq_init() for the guest's config (0 or an error). */
int model_init_result(const struct fuzz_guest *g);

bool model_init(struct model *m, const struct fuzz_guest *g);
void model_free(struct model *m);

int model_pop(struct model *m, struct model_walk *w);
/* @returned: the harness already returned this chain record; @cap: its walk's writable bytes. */
int model_fill(struct model *m, uint16_t head, bool returned, uint64_t cap, uint32_t written);
int model_flush(struct model *m);
bool model_should_notify(struct model *m);
int model_disable_kicks(struct model *m);
int model_enable_kicks(struct model *m);
void model_reset(struct model *m);
int model_restore(struct model *m, uint16_t last_avail, uint16_t used_idx);
int model_reopen(struct model *m, uint16_t head, struct model_walk *w);

/* The walk alone, over any guest (race: a snapshot of what the device read). */
void model_walk_chain(const struct fuzz_guest *g, uint32_t size, uint32_t imax, bool indirect,
		      uint16_t head, struct model_walk *w);

#endif /* VIRTQ_FUZZ_MODEL_H */
