/* SPDX-License-Identifier: MIT */
/*
 * Why a queue, an avail entry, a chain or a return is refused: one
 * vocabulary for the reference model and for every device behind the device
 * interface (virtq_dut/dut.h), so that a device that says why it refused
 * something can be held to the model's reason.  The names follow the spec's
 * rules (clause IDs of the catalogue), not any implementation's error codes.
 */
#ifndef VGUEST_REASON_H
#define VGUEST_REASON_H

#define VG_REASONS(X)                                                                        \
	X(NONE, "not refused")                                                               \
	X(OTHER, "refused, for a reason outside this list or not given")                     \
	X(RING_ALIGN, "a ring part is not at its minimum alignment (SPLIT-LAY-4)")           \
	X(RING_RANGE, "a ring part is not inside guest memory, or parts overlap")            \
	X(AVAIL_IDX, "avail idx more than Q ahead or moved back (SPLIT-AV-3, AV-6)")         \
	X(BROKEN, "the queue is broken until reset")                                         \
	X(HEAD_RANGE, "avail entry names a head >= Q")                                       \
	X(HEAD_IN_USE, "avail entry names a head already in flight")                         \
	X(NEXT_RANGE, "next index outside its table")                                        \
	X(CHAIN_LOOP, "more descriptors than the queue size (a loop)")                       \
	X(INDIRECT_NOT_NEGOTIATED, "INDIRECT without VIRTIO_F_INDIRECT_DESC (SPLIT-IND-3)") \
	X(INDIRECT_NESTED, "INDIRECT inside an indirect table (SPLIT-IND-4)")                \
	X(INDIRECT_WITH_NEXT, "INDIRECT and NEXT on one descriptor (SPLIT-IND-6)")           \
	X(INDIRECT_LEN, "indirect table length 0 or not a multiple of 16 (SPLIT-IND-2)")     \
	X(INDIRECT_TOO_LONG, "indirect table longer than the device's declared bound")       \
	X(INDIRECT_LOOP, "indirect chain longer than its table (a loop)")                    \
	X(INDIRECT_RANGE, "indirect table not inside one guest memory region")               \
	X(READ_AFTER_WRITE, "readable descriptor after a writable one (SPLIT-FRM-3)")       \
	X(ADDR_OVERFLOW, "addr + len wraps 2^64")                                            \
	X(ADDR_RANGE, "buffer outside guest memory")                                         \
	X(CHAIN_TOO_BIG, "chain of 2^32 bytes or more (SPLIT-DESC-6)")                       \
	X(SEGS_FULL, "more segments than the device's declared bound (SPLIT-FRM-2)")         \
	X(MEM_CHANGED, "guest memory map changed while the chain was walked")                \
	X(NOT_IN_FLIGHT, "return of a chain not in flight (twice, or never taken)")          \
	X(STALE_CHAIN, "return of a chain taken before a reset or restore")                  \
	X(RESTORE, "restored indices more than Q apart")

enum vg_reason {
#define VG__REASON_ENUM(name, text) VG_R_##name,
	VG_REASONS(VG__REASON_ENUM)
#undef VG__REASON_ENUM
	VG_R_COUNT
};

/** "VG_R_CHAIN_LOOP" */
const char *vg_reason_name(enum vg_reason r);
/** One line of what it means. */
const char *vg_reason_text(enum vg_reason r);

#endif /* VGUEST_REASON_H */
