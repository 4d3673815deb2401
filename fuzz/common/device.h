/* SPDX-License-Identifier: MIT */
/*
 * The device side of a fuzz run: core serving one queue, checked step by step.
 *
 * Each step calls core and (with the differential oracle on) the reference
 * model, and requires the same return code, the same segments, the same
 * descriptor fetches, the same used ring bytes and the same notify decision.
 * Every step also checks the invariants that hold whatever the input:
 *   - the device wrote nothing but the used ring and the writable buffers of
 *     chains it was given (shadow compare of all guest memory, at every
 *     reset, restore and at the end of the run);
 *   - used idx moved by exactly the number of entries returned since the
 *     last flush; every returned head had been popped and is returned once;
 *   - a pop does at most queue-size + indirect-bound descriptor fetches;
 *   - at the end (dev_probe), the queue is either broken or serves a
 *     well-formed chain published next.
 */
#ifndef VIRTQ_FUZZ_DEVICE_H
#define VIRTQ_FUZZ_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "model.h"
#include "monitor.h"

#define DEV_MAX_RECS 64
/*
 * Pops per run.  One pop costs up to queue size + indirect bound fetches, so
 * draining a 32768-entry ring of looping chains would take seconds; past this
 * many pops a run stops serving (and skips the probe) to keep each input fast.
 */
#define DEV_MAX_POPS 512u
/* Descriptor fetches per run; past it no more chains are opened (or probed). */
#define DEV_MAX_FETCHES (256u * 1024u)
#define DEV_MAX_COPY (256u * 1024u) /* bytes a device copies each way per chain */

struct dev_rec {
	struct virtq_chain chain;
	uint16_t head;
	bool returned;
	uint64_t cap; /* writable bytes the walk yielded */
};

struct fuzz_dev {
	struct fuzz_guest *g;
	struct virtq_queue q;
	bool up;           /* virtq_init succeeded */
	bool differential; /* compare with the model */
	bool probed;       /* dev_probe ran: the final checks are done */
	uint32_t iov_cap;  /* segments per direction the device provides (dev_init: all) */
	struct model m;
	struct monitor mon;
	struct dev_rec rec[DEV_MAX_RECS];
	unsigned nrec;
	uint16_t exp_next, exp_published; /* used indices as the returns so far imply */
	struct fuzz_range *allowed; /* used ring + every writable buffer handed out */
	unsigned nallowed, cap_allowed;
	uint64_t unneeded_notifications;
};

/* Set up core (and the model); false if setup failed as the model predicted. */
bool dev_init(struct fuzz_dev *d, struct fuzz_guest *g, bool differential);
void dev_fini(struct fuzz_dev *d);

/* Record a writable buffer handed to the device (harnesses with their own pop loop). */
void dev_allow(struct fuzz_dev *d, uint64_t gpa, uint64_t len);
/* Pop one chain and walk it through the cursors.  Returns core's pop code. */
int dev_pop(struct fuzz_dev *d);
/* Re-open a head after restore (virtq_reopen), then walk it like a pop. */
int dev_reopen(struct fuzz_dev *d, uint16_t head);
/* Compare the used ring with the model now (before the driver scribbles on it). */
void dev_check_used(struct fuzz_dev *d);
/* The driver wrote the used ring: take its bytes as the new expectation. */
void dev_resync_used(struct fuzz_dev *d);
int dev_fill(struct fuzz_dev *d, unsigned pick, uint32_t written);
/* Flush and make the notify decision; returns the decision. */
bool dev_flush(struct fuzz_dev *d);
int dev_kicks(struct fuzz_dev *d, bool on);
void dev_reset(struct fuzz_dev *d);
int dev_restore(struct fuzz_dev *d, uint16_t last_avail, uint16_t used_idx);
/* Pop until empty or error, filling each chain with all it can hold; bounded. */
void dev_drain(struct fuzz_dev *d);
/* End of run: broken, or a fresh well-formed chain is served. */
void dev_probe(struct fuzz_dev *d);

#endif /* VIRTQ_FUZZ_DEVICE_H */
