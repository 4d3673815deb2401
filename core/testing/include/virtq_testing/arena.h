/* SPDX-License-Identifier: MIT */
/*
 * Guest memory arena for tests, fuzzers, conformance and benchmarks.
 *
 * An arena is a set of guest-physical regions, each backed by its own mmap
 * (so regions adjacent in guest-physical space are NOT adjacent in the host,
 * and a buffer that straddles them exercises the split path for real), plus a
 * bump allocator that puts VIRTQ_ARENA_GUARD_LEN guard bytes after every
 * allocation and remembers them, so that any stray write past an object is
 * found by virtq_arena_check_guards().  Regions are page-aligned in the host,
 * so an area placed on its own pages can be made read-only with mprotect
 * (virtq_arena_protect) while the device runs.
 */
#ifndef VIRTQ_TESTING_ARENA_H
#define VIRTQ_TESTING_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtq/mem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTQ_ARENA_MAX_REGIONS 16
#define VIRTQ_ARENA_MAX_GUARDS 8192
#define VIRTQ_ARENA_GUARD_LEN 32
#define VIRTQ_ARENA_GUARD_BYTE 0xA5

struct virtq_arena_guard {
	uint64_t gpa;
	uint32_t len;
};

struct virtq_arena {
	struct virtq_mem_region regions[VIRTQ_ARENA_MAX_REGIONS];
	size_t map_len[VIRTQ_ARENA_MAX_REGIONS]; /* mmap length (page-rounded) */
	size_t nregions;
	struct virtq_mem mem;   /* table backend over @regions; give &mem to queues */
	uint64_t next;          /* bump pointer (guest-physical) */
	uint64_t limit;         /* end of the region the bump pointer is in */
	struct virtq_arena_guard guards[VIRTQ_ARENA_MAX_GUARDS];
	size_t nguards;
};

/**
 * One region of @p size bytes at guest-physical @p gpa, zero-filled, with the
 * bump allocator at its start.  @return 0 or -1 (mmap failed / bad args).
 */
int virtq_arena_init(struct virtq_arena *a, uint64_t gpa, size_t size);

/**
 * Add another region (own mmap) at @p gpa.  Regions must not overlap.
 * @return 0 or -1.
 */
int virtq_arena_add_region(struct virtq_arena *a, uint64_t gpa, size_t size);

/** Unmap everything. */
void virtq_arena_destroy(struct virtq_arena *a);

/**
 * Allocate @p len bytes aligned to @p align (power of two) from the bump
 * pointer, followed by guard bytes.  Moves to the next region when the current
 * one is full.  @return guest-physical address, or 0 on exhaustion (0 is
 * never handed out: arenas are expected to start above 0).
 */
uint64_t virtq_arena_alloc(struct virtq_arena *a, uint32_t len, uint32_t align);

/** Allocate @p len bytes on pages of their own (for mprotect); guard page after. */
uint64_t virtq_arena_alloc_pages(struct virtq_arena *a, uint32_t len);

/** Record guard bytes at [gpa, gpa+len) and fill them (for hand-placed objects). */
void virtq_arena_add_guard(struct virtq_arena *a, uint64_t gpa, uint32_t len);

/** Host pointer for @p gpa, or NULL if it is not in any region. */
void *virtq_arena_hva(const struct virtq_arena *a, uint64_t gpa);

/** Copy into guest memory (may cross regions).  @return 0 or -1 if unmapped. */
int virtq_arena_write(struct virtq_arena *a, uint64_t gpa, const void *src, size_t len);

/** Copy out of guest memory (may cross regions).  @return 0 or -1 if unmapped. */
int virtq_arena_read(const struct virtq_arena *a, uint64_t gpa, void *dst, size_t len);

/** Fill guest memory with @p byte.  @return 0 or -1. */
int virtq_arena_fill(struct virtq_arena *a, uint64_t gpa, int byte, size_t len);

/**
 * Check every recorded guard.
 * @return true if intact; false and *bad_gpa = first damaged byte otherwise.
 */
bool virtq_arena_check_guards(const struct virtq_arena *a, uint64_t *bad_gpa);

/** mprotect the pages covering [gpa, gpa+len) read-only (@p ro) or read-write. */
int virtq_arena_protect(struct virtq_arena *a, uint64_t gpa, size_t len, bool ro);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_TESTING_ARENA_H */
