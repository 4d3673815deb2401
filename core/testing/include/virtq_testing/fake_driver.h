/* SPDX-License-Identifier: MIT */
/*
 * A fake virtio driver: the driver side of one split queue, in an arena.
 *
 * It lays out the three ring parts (each followed by guard bytes), allocates
 * descriptors from a free list the way Linux's virtio_ring.c does, builds
 * chains (readable then writable, direct, indirect, or direct followed by one
 * indirect), publishes them one at a time or in batches, reads used entries
 * back, drives both notification-suppression mechanisms, and counts
 * notifications.  Indirect tables are allocated once per head (room for
 * VIRTQ_FAKE_MAX_BUFS entries) and reused, so long runs do not exhaust the
 * arena; buffers are the caller's to reuse.  Corruption helpers write any field anywhere, so tests can
 * play the hostile driver.  Everything is written in little-endian order.
 */
#ifndef VIRTQ_TESTING_FAKE_DRIVER_H
#define VIRTQ_TESTING_FAKE_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "virtq/queue.h"
#include "virtq_testing/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTQ_FAKE_MAX_BUFS 64   /* buffers in one built chain */
#define VIRTQ_FAKE_POISON 0x5A   /* writable buffers are filled with this */

/** One buffer of a chain under construction. */
struct virtq_fake_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/** A chain under construction: the buffers in order, readable first.
 * Appends beyond VIRTQ_FAKE_MAX_BUFS are dropped (the chain stays shorter). */
struct virtq_fake_chain {
	struct virtq_fake_buf buf[VIRTQ_FAKE_MAX_BUFS];
	unsigned n;
};

/** Record kept per outstanding head (for checking used entries). */
struct virtq_fake_outstanding {
	bool live;
	uint16_t ndesc;        /* descriptors taken from the ring table */
	uint64_t token;        /* caller's cookie */
	uint32_t writable_len; /* sum of writable buffer lengths */
	uint64_t indirect_gpa; /* table, or 0 */
	uint64_t table_cache;  /* indirect table reused by chains with this head */
};

struct virtq_fake {
	struct virtq_arena *arena;
	uint32_t size;
	uint64_t features;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t avail_idx;      /* shadow of avail->idx: next slot to fill */
	uint16_t published_idx;  /* last value stored to avail->idx */
	uint16_t last_used;      /* next used slot to read */
	uint16_t free_head;      /* descriptor free list (linked through free_next) */
	uint32_t num_free;
	uint16_t *free_next;     /* [size] */
	struct virtq_fake_outstanding *out; /* [size], by head */
	uint64_t kicks;          /* kicks the driver decided to send */
	uint64_t notifications;  /* used-buffer notifications received */
};

/**
 * Create the driver side of a queue of @p size (power of two) in @p a, with
 * the ring parts at their minimum alignment, zeroed (SPLIT-ANS-1), each
 * followed by guard bytes.  @return the fake, or NULL (bad size, no memory).
 */
struct virtq_fake *virtq_fake_create(struct virtq_arena *a, uint32_t size, uint64_t features);

/** Same, with the ring parts at caller-chosen guest-physical addresses. */
struct virtq_fake *virtq_fake_create_at(struct virtq_arena *a, uint32_t size, uint64_t features,
					uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa);

void virtq_fake_destroy(struct virtq_fake *f);

/** The config a device needs to serve this queue (mem = &arena->mem). */
struct virtq_queue_config virtq_fake_config(const struct virtq_fake *f);

/* ---- building chains ---- */

void virtq_fake_chain_init(struct virtq_fake_chain *c);
/** Allocate a readable buffer holding @p data (@p len bytes); returns its gpa. */
uint64_t virtq_fake_chain_readable(struct virtq_fake *f, struct virtq_fake_chain *c,
				   const void *data, uint32_t len);
/** Allocate a writable buffer of @p len bytes filled with VIRTQ_FAKE_POISON. */
uint64_t virtq_fake_chain_writable(struct virtq_fake *f, struct virtq_fake_chain *c, uint32_t len);
/** Append a buffer by raw address (possibly bogus); nothing allocated. */
void virtq_fake_chain_ref(struct virtq_fake_chain *c, uint64_t gpa, uint32_t len, bool writable);

/* ---- publishing ---- */

/**
 * Write the chain's descriptors and its avail ring entry, without moving avail
 * idx.  @p ndirect: how many buffers go in direct descriptors; the rest go in
 * one indirect table allocated in the arena.  ndirect >= c->n means all
 * direct; 0 means a single INDIRECT descriptor.
 * @return head index (>= 0), or -1 if descriptors ran out or the chain is empty.
 */
int virtq_fake_add(struct virtq_fake *f, const struct virtq_fake_chain *c, unsigned ndirect,
		   uint64_t token);

/**
 * Publish everything added: release-store avail idx, full fence, then decide
 * whether to kick (used flags or avail_event, SPLIT-ANS-4/6).
 * @return true if the driver would kick (also counted in f->kicks).
 */
bool virtq_fake_publish(struct virtq_fake *f);

/** virtq_fake_add() of an all-direct chain followed by virtq_fake_publish(). */
int virtq_fake_add_publish(struct virtq_fake *f, const struct virtq_fake_chain *c, uint64_t token);

/* ---- completions ---- */

/**
 * Take the next used entry if used idx moved (acquire).  Frees the chain's
 * descriptors.  @return 1 and *id, *len (and *token if non-NULL); 0 if none;
 * -1 if the id is not an outstanding head (the entry is still consumed).
 */
int virtq_fake_get_used(struct virtq_fake *f, uint32_t *id, uint32_t *len, uint64_t *token);

/** Count one used-buffer notification (what a test calls when the device says notify). */
void virtq_fake_notify(struct virtq_fake *f);

/* ---- suppression fields ---- */

void virtq_fake_set_avail_flags(struct virtq_fake *f, uint16_t flags);
void virtq_fake_set_used_event(struct virtq_fake *f, uint16_t v);
uint16_t virtq_fake_used_flags(const struct virtq_fake *f);
uint16_t virtq_fake_avail_event(const struct virtq_fake *f);
uint16_t virtq_fake_used_idx(const struct virtq_fake *f);
uint16_t virtq_fake_avail_idx(const struct virtq_fake *f);

/* ---- corruption helpers (the hostile driver) ---- */

/** Write descriptor @p idx of the ring table (no bounds check beyond the table). */
void virtq_fake_write_desc(struct virtq_fake *f, uint16_t idx, uint64_t addr, uint32_t len,
			   uint16_t flags, uint16_t next);
/** Write entry @p i of a descriptor table at @p table_gpa (indirect tables). */
void virtq_fake_write_table_desc(struct virtq_fake *f, uint64_t table_gpa, uint32_t i,
				 uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
/** Read descriptor @p idx of the ring table into host order. */
void virtq_fake_read_desc(const struct virtq_fake *f, uint16_t idx, uint64_t *addr,
			  uint32_t *len, uint16_t *flags, uint16_t *next);
/** Store @p v into avail->idx (release) and the shadow: move it anywhere. */
void virtq_fake_set_avail_idx(struct virtq_fake *f, uint16_t v);
/** Write avail->ring[slot % size] = head. */
void virtq_fake_set_avail_ring(struct virtq_fake *f, uint16_t slot, uint16_t head);
/** Read used->ring[slot % size]. */
void virtq_fake_read_used_elem(const struct virtq_fake *f, uint16_t slot, uint32_t *id,
			       uint32_t *len);
/** Make a direct loop: descriptors a -> b -> a, both readable, 16 bytes each. */
void virtq_fake_make_loop(struct virtq_fake *f, uint16_t a, uint16_t b, uint64_t buf_gpa);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_TESTING_FAKE_DRIVER_H */
