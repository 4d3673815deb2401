/* SPDX-License-Identifier: MIT */
/*
 * The guest image of a fuzz input: guest memory laid out from the header,
 * and the guest's driver over it (vguest/).
 *
 *   RING_GPA   one region holding descriptor table, avail ring, used ring
 *              (page-like or minimum alignment, from `layout` bit 4)
 *   DATA_GPA   64 KiB in four 16 KiB chunks; `layout` bits 0..3 punch holes
 *              (bit set = chunk absent).  Chunks are separate host mappings,
 *              so a buffer crossing a chunk boundary straddles two regions,
 *              and one crossing into a hole faults.
 *   layout bit 5 puts the rings in the data window instead (at a chunk
 *              boundary), to exercise setup-time range errors.
 *   layout bit 6 moves the descriptor table 8 bytes off its alignment.
 *   layout bit 7 asks the device for its translation-by-callback variant.
 *
 * Every region ends at a guard page (VG_MEM_TIGHT; under ASan the few slack
 * bytes are poisoned), and the mappings live across inputs (VG_MEM_REUSE).
 * The header's imax and the seed's bit 24 (tiny segment arrays) go to the
 * device as its variant; the bounds it then declares are what the oracles use.
 */
#ifndef VIRTQ_FUZZ_IMAGE_H
#define VIRTQ_FUZZ_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "script.h"
#include "vguest/driver.h"
#include "vguest/mem.h"

#define RING_GPA 0x10000u
#define DATA_GPA 0x100000u
#define DATA_CHUNK 0x4000u
#define DATA_CHUNKS 4u
#define DATA_LEN (DATA_CHUNK * DATA_CHUNKS)

/* Header fields shared by rings, ops and race (indices into script_vals). */
enum { H_SIZE, H_FEAT, H_LAYOUT, H_IMAX, H_SEED };

#define FUZZ_HEADER_FIELDS                                                                   \
	{{"size", 1}, {"feat", 1}, {"layout", 1}, {"imax", 1}, {"seed", 4}}

struct fz_image {
	struct vg_mem *mem;   /* the process's guest memory, laid out anew per input */
	struct vg_drv *drv;   /* the driver of the queue */
	uint32_t size;
	uint64_t features;
	uint64_t desc, avail, used;
	uint32_t variant;     /* for the device's adapter (vdut_queue_params.variant) */
	uint32_t seed;
};

/*
 * Lay out guest memory and the driver from the header; false only when out of
 * memory.  The header's ring features are kept only where @p offered has
 * them: a transport negotiates nothing the device did not offer.
 */
bool image_init(struct fz_image *im, const struct script_vals *h, uint64_t offered);
void image_fini(struct fz_image *im);

/* Whether [gpa, gpa + len) overlaps the used ring (a driver write the model must follow). */
bool image_touches_used(const struct fz_image *im, uint64_t gpa, uint64_t len);
/* Whether [gpa, gpa + len) overlaps the descriptor table or the avail ring. */
bool image_touches_driver_parts(const struct fz_image *im, uint64_t gpa, uint64_t len);

#endif /* VIRTQ_FUZZ_IMAGE_H */
