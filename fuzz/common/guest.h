/* SPDX-License-Identifier: MIT */
/*
 * Guest memory for fuzz targets, laid out from the input header.
 *
 * Unlike the test arena (page-granular mmaps), every region here is a heap
 * buffer of exactly its size, so ASan reports a read or write one byte past
 * any region.  Layout:
 *
 *   RING_GPA   one region holding descriptor table, avail ring, used ring
 *              (at page-like or at minimum alignment, from `layout` bit 4)
 *   DATA_GPA   64 KiB in four 16 KiB chunks; `layout` bits 0..3 punch holes
 *              (bit set = chunk absent).  Present chunks are separate heap
 *              buffers, so a buffer crossing a chunk boundary straddles two
 *              host-discontiguous regions, and one crossing into a hole faults.
 *   layout bit 5 puts the rings in the data window instead (at a chunk
 *              boundary), to exercise setup-time range errors.
 *   layout bit 6 moves the descriptor table 8 bytes off its alignment.
 *   layout bit 7 serves translation through a virtq_translate_fn callback
 *              (over the same regions) instead of the region table.
 */
#ifndef VIRTQ_FUZZ_GUEST_H
#define VIRTQ_FUZZ_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "script.h"
#include "virtq/virtq.h"

#define RING_GPA 0x10000u
#define DATA_GPA 0x100000u
#define DATA_CHUNK 0x4000u
#define DATA_CHUNKS 4u
#define DATA_LEN (DATA_CHUNK * DATA_CHUNKS)

/* Header fields shared by rings, ops and race (indices into script_vals). */
enum { H_SIZE, H_FEAT, H_LAYOUT, H_IMAX, H_SEED };

#define FUZZ_HEADER_FIELDS                                                                   \
	{{"size", 1}, {"feat", 1}, {"layout", 1}, {"imax", 1}, {"seed", 4}}

struct fuzz_region {
	uint64_t gpa;
	uint32_t len;
	unsigned char *host;
	unsigned char *shadow; /* copy taken by guest_snapshot() */
};

struct fuzz_guest {
	struct virtq_queue_config cfg; /* as the driver set it up */
	struct fuzz_region r[1 + DATA_CHUNKS];
	struct virtq_mem_region table[1 + DATA_CHUNKS];
	unsigned nr;
	struct virtq_mem mem;   /* what the device uses */
	struct virtq_mem table_mem; /* the region table, behind the callback */
};

/* Allocate regions and ring placement from the header; returns false only on OOM. */
bool guest_init(struct fuzz_guest *g, const struct script_vals *h);
void guest_free(struct fuzz_guest *g);

/* Deep copy (regions and contents), for snapshot models. */
bool guest_clone(struct fuzz_guest *dst, const struct fuzz_guest *src);

/* The region holding gpa, or NULL. */
struct fuzz_region *guest_region(const struct fuzz_guest *g, uint64_t gpa);
/* Host pointer for [gpa, gpa+len) if it lies in one region, else NULL. */
void *guest_hva(const struct fuzz_guest *g, uint64_t gpa, uint64_t len);
/* Guest address of a host pointer into a region. */
bool guest_gpa(const struct fuzz_guest *g, const void *hva, uint64_t *gpa);
/* Copy across regions; false (and nothing partial) if any byte is unmapped. */
bool guest_read(const struct fuzz_guest *g, uint64_t gpa, void *dst, uint64_t len);
bool guest_write(struct fuzz_guest *g, uint64_t gpa, const void *src, uint64_t len);
uint16_t guest_le16(const struct fuzz_guest *g, uint64_t gpa); /* 0 if unmapped */
void guest_put_le16(struct fuzz_guest *g, uint64_t gpa, uint16_t v);

/*
 * Stray-write oracle: snapshot once, then check that only allowed bytes
 * changed.  guest_write() (the driver's and the harness's writes) updates the
 * snapshot too, so what differs was written by the device.
 */
struct fuzz_range {
	uint64_t gpa;
	uint64_t len;
};
void guest_snapshot(struct fuzz_guest *g);
void guest_check_writes(const struct fuzz_guest *g, const struct fuzz_range *allowed, unsigned n);

#endif /* VIRTQ_FUZZ_GUEST_H */
