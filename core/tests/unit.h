/* SPDX-License-Identifier: MIT */
/* Shared fixture for the unit suites: an arena, a fake driver, a device queue. */
#ifndef VIRTQ_UNIT_H
#define VIRTQ_UNIT_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "virtq/virtq.h"
#include "virtq_testing/arena.h"
#include "virtq_testing/fake_driver.h"

#define ARENA_GPA 0x100000u
#define ARENA_SIZE (8u << 20)

#define F_INDIRECT VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC)
#define F_EVENT_IDX VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX)
#define F_V1 VIRTQ_FEATURE(VIRTQ_F_VERSION_1)

/* One queue under test: the driver side and the device side over one arena. */
struct tq {
	struct virtq_arena arena;
	struct virtq_fake *drv;
	struct virtq_queue q;
};

/* Build a queue of @size with @features; fails the test on any error. */
void tq_setup(struct tq *t, uint32_t size, uint64_t features);
void tq_teardown(struct tq *t);

/* Guards after every ring part and buffer are intact. */
void tq_assert_guards(struct tq *t);

/* Pop one chain, asserting the return code. */
void tq_pop_expect(struct tq *t, struct virtq_chain *c, int expect);

/* Publish a chain of readable lengths @rl[nr] and writable lengths @wl[nw]. */
int tq_publish(struct tq *t, const uint32_t *rl, unsigned nr, const uint32_t *wl, unsigned nw,
	       unsigned ndirect);

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
Suite *hostile_suite(void);
Suite *notify_suite(void);
Suite *wrap_suite(void);
Suite *seed_suite(void);
Suite *error_suite(void);

#endif /* VIRTQ_UNIT_H */
