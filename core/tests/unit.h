/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture for the unit suites: the hostile guest (guest/: its memory
 * and its driver) on one side, a device queue of the core on the other.
 *
 * The guest knows nothing of the core, so the fixture is the glue: it hands
 * the core a region table copied from the guest's regions (their device
 * views).  Everything a test expects about guest memory comes from the guest
 * (its walker, its layout and constants), never from the core's own
 * translation or headers: the core is what is under test.
 */
#ifndef VIRTQ_UNIT_H
#define VIRTQ_UNIT_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "virtq/virtq.h"
#include "vguest/driver.h"
#include "vguest/layout.h"
#include "vguest/mem.h"

#define ARENA_GPA 0x100000u
#define ARENA_SIZE (8u << 20)

#define F_INDIRECT VG_FEATURE(VG_F_INDIRECT_DESC)
#define F_EVENT_IDX VG_FEATURE(VG_F_EVENT_IDX)
#define F_V1 VG_FEATURE(VG_F_VERSION_1)

/*
 * The core's view of guest memory: a region table over the guest's device
 * views.  The core references the table, so it lives as long as the queue.
 */
struct core_mem {
	struct virtq_mem_region table[VG_MAX_REGIONS];
	struct virtq_mem mem;
};

/* (Re)build @cm from @m's regions; again after every vg_mem_add(), or the core misses them. */
void core_mem_sync(struct core_mem *cm, const struct vg_mem *m);
/* The config a device needs to serve @drv's queue over @cm. */
struct virtq_queue_config core_config(const struct vg_drv *drv, const struct core_mem *cm);

/*
 * A queue of 8 over @a (initialised here), its rings in one region beside
 * two adjacent 4 KiB regions at 0x200000 and 0x201000 for buffers and
 * tables; @q set up over @cm.  @return the driver.
 */
struct vg_drv *three_regions(struct vg_mem *a, struct core_mem *cm, struct virtq_queue *q,
			     uint64_t features);

/* One queue under test: the guest driver and the device side over one guest memory. */
struct tq {
	struct vg_mem mem;
	struct vg_drv *drv;
	struct core_mem cm;
	struct virtq_queue q;
};

/* Build a queue of @size with @features; fails the test on any error. */
void tq_setup(struct tq *t, uint32_t size, uint64_t features);
void tq_teardown(struct tq *t);
/* core_config() for @t's queue. */
struct virtq_queue_config tq_config(const struct tq *t);

/* Guards after every ring part and buffer are intact. */
void tq_assert_guards(struct tq *t);

/* Pop one chain, asserting the return code. */
void tq_pop_expect(struct tq *t, struct virtq_chain *c, int expect);

/* Publish a chain of readable lengths @rl[nr] and writable lengths @wl[nw]. */
int tq_publish(struct tq *t, const uint32_t *rl, unsigned nr, const uint32_t *wl, unsigned nw,
	       unsigned ndirect);

/*
 * A queue of 2 whose used ring is full of unpublished entries: a driver that
 * re-posts a head it has not yet seen used, the device filling it twice
 * without a flush; the head is popped a third time into @c and returned.
 */
int tq_setup_full_used_ring(struct tq *t, struct virtq_chain *c);

/* Walk a chain to its end; returns the terminal code (0 or an error). */
int tq_walk(struct virtq_chain *c, uint64_t *readable, uint64_t *writable, unsigned *nseg);

#define ck_assert_rc(expr, want)                                                              \
	do {                                                                                  \
		int rc_ = (expr);                                                             \
		int want_ = (want);                                                           \
		ck_assert_msg(rc_ == want_, "%s: got %d (%s), want %d (%s)", #expr, rc_,       \
			      virtq_err_name(rc_), want_, virtq_err_name(want_));             \
	} while (0)

Suite *mem_suite(void);
Suite *ring_suite(void);
Suite *queue_suite(void);
Suite *chain_suite(void);
Suite *fast_suite(void);
Suite *hostile_suite(void);
Suite *notify_suite(void);
Suite *wrap_suite(void);
Suite *seed_suite(void);
Suite *error_suite(void);

#endif /* VIRTQ_UNIT_H */
