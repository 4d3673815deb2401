/* SPDX-License-Identifier: MIT */
/*
 * The access monitor: the fuzzers' hook on core's shared-memory seam
 * (virtq/shm_hook.h).  It
 *   - logs, per pop window, the guest address of every descriptor fetch, so
 *     the harness can require exactly the fetches the model's walk makes
 *     (a second fetch of one slot within a hop is a double fetch);
 *   - bounds the work of one pop (size + indirect bound fetches) and aborts
 *     past it, so a missing loop bound is a crash, not a hang;
 *   - checks every store lands in the used ring, and that used idx is only
 *     stored after the entries it publishes (SPLIT-USED-5, USED-11);
 *   - lets the race target run code before a load (the racing driver).
 */
#ifndef VIRTQ_FUZZ_MONITOR_H
#define VIRTQ_FUZZ_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "virtq/shm_hook.h"

typedef void (*monitor_before_load_fn)(void *arg, enum virtq_shm_what what, const void *addr,
				       size_t size);

struct monitor {
	const struct fuzz_guest *g;
	const struct virtq_queue *q; /* its published idx is the device's last store */
	uint64_t *loads;     /* gpa of descriptor fetches in this window */
	uint32_t nloads, max_loads;
	uint64_t total_loads; /* descriptor fetches in the whole run */
	uint32_t ring_loads; /* avail ring entry fetches in this window */
	uint8_t *elem;       /* per used slot: 1 id stored, 2 len stored */
	bool idx_pending;
	uint16_t idx_before;
	monitor_before_load_fn before_load;
	void *arg;
};

/* Install the hook for queue @q over @g. */
void monitor_start(struct monitor *mon, const struct fuzz_guest *g, const struct virtq_queue *q);
void monitor_stop(struct monitor *mon);
/* A new pop window: forget the fetch log. */
void monitor_window(struct monitor *mon);
/* Resolve a pending used idx check (call after each device call). */
void monitor_settle(struct monitor *mon);

#endif /* VIRTQ_FUZZ_MONITOR_H */
