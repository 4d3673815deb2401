/* SPDX-License-Identifier: MIT */
/*
 * The black-box harness: a vhost-user back-end in its own process, judged
 * only by what a VMM and its guest can see (design: README "vhost-user").
 * The hostile guest (vguest/) owns memory and plays the driver; the front-end
 * (vhost_user/frontend.h) hands both to the back-end; the oracles here read
 * the used ring as the driver reaps it, every byte of guest memory against
 * its shadow, the call eventfd, and the process's life.  Nothing here asks the
 * back-end what it did.
 */
#ifndef VHU_BB_H
#define VHU_BB_H

#include <stdbool.h>
#include <stdint.h>

#include "findings.h"
#include "vguest/driver.h"
#include "vhost_user/frontend.h"

#define BB_GPA 0x100000ull   /* guest memory starts here */
#define BB_MEM (1ull << 20)  /* one region of 1 MiB: rings, tables and buffers */
#define BB_GPA_W (BB_GPA + BB_MEM + 0x10000) /* BB_SPLIT: the writable regions, after a 64 KiB hole */
#define BB_MEM_W 0x10000     /* each of the two */
#define BB_WAIT_MS 1000      /* how long a back-end may take to answer a kick */
#define BB_ANSWER_MS 5000    /* and to start, or answer a message (1 MiB of memory to map) */

#define F_VERSION_1 (1ull << 32)
#define F_INDIRECT (1ull << 28)
#define F_EVENT_IDX (1ull << 29)

struct bb;

/*
 * A device type: which ring the suite drives, what else the back-end needs
 * before it serves, and a valid request of its kind.  Adding one: a
 * type_NAME.c defining a struct bb_type, listed in bb_types (bb.c).
 */
struct bb_type {
	const char *name;
	unsigned q; /* the ring the suite drives (blk: requestq, 0; net: transmitq1, 1; fs: requestq1, 1) */
	/* Make the drivers of the type's other rings, before buffers are laid out (NULL: none). */
	void (*create)(struct bb *b);
	/* Start those rings once the one under test is (NULL: none). */
	void (*start)(struct bb *b);
	/* A small valid request, added to the ring under test, not published.  @return its head. */
	int (*post)(struct bb *b, uint64_t token);
	/* Judge and tear down the other rings (NULL: none). */
	void (*close)(struct bb *b);
};
extern const struct bb_type bb_type_blk, bb_type_net, bb_type_fs;
/** The type called @p name, or NULL. */
const struct bb_type *bb_type_find(const char *name);
/** The type names, for a usage line ("blk|net"). */
const char *bb_type_names(void);

/* The runner's options (main.c). */
extern const char *bb_backend;          /* command with {socket}, or @PATH of a running back-end */
extern const struct bb_type *bb_type;   /* the device type (--type; blk by default) */
extern const char *bb_tmp;              /* the run's folder for back-end sockets and logs (main.c removes it) */

struct bb {
	struct vg_mem mem;
	struct vg_drv *drv; /* the ring under test, bb_type->q */
	struct vg_drv *rx;  /* net: the receive ring the back-end forwards packets into */
	struct vg_drv *idle; /* fs: hiprio, set up and left empty */
	struct vhu_fe fe;
	uint64_t calls;     /* used-buffer notifications counted on the ring under test's call eventfd */
};

/**
 * Guest memory, a driver with a queue of @p size, and a back-end set up on
 * it with @p features (VERSION_1 always).  false: the back-end does not offer
 * a feature asked for (the test is then n/a).  A back-end that cannot be set
 * up ends the test with a fatal finding.
 */
bool bb_open(struct bb *b, uint32_t size, uint64_t features);
/** Guest memory layouts. */
enum bb_layout {
	BB_ONE_REGION, /* rings and buffers in one region */
	/*
	 * Three regions: rings and readable buffers in the first; a hole; then
	 * two adjacent regions for the writable buffers, the first of which
	 * straddles them (two host mappings for one buffer).
	 */
	BB_SPLIT,
};

/**
 * The same with the ring started at avail and used idx @p start
 * (SET_VRING_BASE), as after a migration, and memory laid out as @p layout.
 */
bool bb_open_at(struct bb *b, uint32_t size, uint64_t features, uint16_t start, enum bb_layout layout);
/** Stop the ring (it must answer), check memory and the process, tear everything down. */
void bb_close(struct bb *b);

/** Publish what was added and kick if the driver decides to (suppression honoured). */
void bb_publish(struct bb *b);
/** Kick whatever the driver decided (a hostile driver kicks anyway). */
void bb_kick(struct bb *b);
/** Wait until @p n used entries are pending or the bound passes; @return entries pending. */
uint16_t bb_wait_used(struct bb *b, uint16_t n);
/**
 * Reap every pending used entry into @p u (at most @p max), judging each:
 * id a head the driver exposed, returned once (SPLIT-USED-2), len at most
 * its writable bytes (SPLIT-USED-3).  @return entries reaped.
 */
unsigned bb_reap(struct bb *b, struct vg_used *u, unsigned max);
/** The same judgement of one used entry of any ring (@p ring prefixes the finding's text). @return it is sound. */
bool bb_judge_used(const struct vg_used *e, const char *ring);
/** Start ring @p idx of driver @p d, or end the test: a back-end that refuses a valid ring is broken. */
void bb_ring_start(struct bb *b, unsigned idx, const struct vg_drv *d, uint16_t start);
/**
 * Stop ring @p idx: it must answer GET_VRING_BASE within the bound, whatever
 * it holds (no hang); ending the connection is an answer too.
 */
void bb_ring_stop(struct bb *b, unsigned idx);
/**
 * Retire a ring of the type's own (not the one under test): every used entry
 * left on it judged (@p name prefixes the findings), the ring stopped like the
 * one under test unless the connection has ended, its driver destroyed.
 */
void bb_ring_retire(struct bb *b, unsigned idx, struct vg_drv **d, const char *name);
/** Wait until ring @p idx (driver @p d) has @p n used entries pending or the bound passes; @return pending. */
uint16_t bb_wait_ring(struct bb *b, struct vg_drv *d, unsigned idx, uint16_t n);
/** Every byte the back-end changed lies in the used ring or a writable buffer (shadow compare). */
void bb_check_memory(struct bb *b);
/** The back-end is still running; if not, a fatal finding under @p clause with its status and log. */
void bb_check_alive(struct bb *b, const char *clause);
/** Whether the back-end has ended the connection (its way of saying the device needs a reset). */
bool bb_closed(struct bb *b);
/** Calls seen so far (counted, never coalesced: eventfd counts). */
uint64_t bb_calls(struct bb *b);

/** A small valid request of the device type, added to the ring under test (not published).  @return its head. */
static inline int bb_post_request(struct bb *b, uint64_t token) { return bb_type->post(b, token); }

#endif /* VHU_BB_H */
