/* SPDX-License-Identifier: MIT */
/*
 * The access monitor: the fuzzers' consumer of a device's access log
 * (virtq_dut/dut.h, VDUT_CAP_ACCESS_LOG).  The log is what the device reports
 * about itself; the monitor checks it against what the guest can see:
 *   - per pop window, the guest address of every descriptor fetch, so the
 *     harness can require exactly the fetches the model's walk makes (a
 *     second fetch of one descriptor within a hop is a double fetch);
 *   - the work of one pop stays within queue size + the declared indirect
 *     bound, so a missing loop bound is a crash, not a hang (oracle work-bound);
 *   - every ring store lands in the used ring (store-range), and used idx is
 *     stored only after the entries it publishes (store-order: W1,
 *     SPLIT-USED-5, USED-11);
 *   - a racing driver may act before a load (the race target).
 */
#ifndef VIRTQ_FUZZ_MONITOR_H
#define VIRTQ_FUZZ_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "virtq_dut/dut.h"

typedef void (*monitor_before_load_fn)(void *arg, enum vdut_access kind, const void *hva, size_t size);

struct monitor {
	const struct fz_image *im;
	bool on;              /* the device has an access log and it is attached */
	uint64_t *loads;      /* gpa of descriptor fetches in this window */
	uint32_t nloads, max_loads;
	uint64_t total_loads; /* descriptor fetches in the whole run */
	uint8_t *elem;        /* per used slot: 1 id stored, 2 len stored */
	bool idx_pending;
	uint16_t idx;         /* used idx as the device last stored it */
	monitor_before_load_fn before_load;
	void *arg;
	struct vg_store loads_store, elem_store; /* where loads and elem live */
};

/* Attach to the device's log (if it has one); @p max_indirect: its declared bound. */
void monitor_start(struct monitor *mon, const struct fz_image *im, const struct vdut_adapter *ad, void *q,
		   uint32_t max_indirect);
void monitor_stop(struct monitor *mon, const struct vdut_adapter *ad, void *q);
/* A new pop window: forget the fetch log. */
void monitor_window(struct monitor *mon);
/* Resolve a pending used idx check (call after each device call). */
void monitor_settle(struct monitor *mon);
/* The device's used idx starts over at @p idx (create, reset, restore). */
void monitor_sync_idx(struct monitor *mon, uint16_t idx);

#endif /* VIRTQ_FUZZ_MONITOR_H */
