/* SPDX-License-Identifier: MIT */
/*
 * virtq error codes.
 *
 * Every fallible call returns an int: 0 (or a positive count where the
 * function says so) on success, one of the negative VIRTQ_E_* codes below on
 * failure.  Each hostile-driver condition has its own code so that a device,
 * a fuzzer oracle or a conformance report can tell them apart.
 *
 * Scope of an error (see README "Errors"):
 *   queue   the queue is now broken; every later call returns VIRTQ_E_BROKEN
 *           until virtq_reset() (the spec's DEVICE_NEEDS_RESET, §2.1.2).
 *   chain   only the chain being walked failed; the queue stays usable.
 *   call    the caller passed bad arguments or the setup is invalid.
 */
#ifndef VIRTQ_ERROR_H
#define VIRTQ_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, scope, message) -- the single table behind the enum,
 * virtq_strerror() and virtq_err_name(). */
#define VIRTQ_ERRNO_MAP(X)                                                                  \
	X(INVAL, -1, call, "invalid argument")                                                  \
	X(QUEUE_SIZE, -2, call, "queue size is not a power of two in 1..32768")                 \
	X(RING_ALIGN, -3, call, "ring part misaligned (descriptor table 16, avail 2, used 4)") \
	X(RING_RANGE, -4, call, "ring part is not inside one guest memory region")             \
	X(MEM_REGIONS, -5, call, "guest memory region table is invalid")                       \
	X(RESTORE, -6, call, "restored indices are inconsistent with the queue size")          \
	X(BROKEN, -7, queue, "queue is broken; reset required")                                \
	X(AVAIL_IDX, -8, queue, "avail idx moved more than the queue size from last_avail")    \
	X(HEAD_RANGE, -9, chain, "avail ring names a head index >= queue size")                \
	X(HEAD_IN_USE, -10, chain, "avail ring names a head that is already in flight")        \
	X(NEXT_RANGE, -11, chain, "descriptor next index is outside its table")               \
	X(CHAIN_LOOP, -12, chain, "descriptor chain is longer than the queue size (loop)")    \
	X(INDIRECT_NOT_NEGOTIATED, -13, chain, "INDIRECT descriptor without VIRTIO_F_INDIRECT_DESC") \
	X(INDIRECT_NESTED, -14, chain, "INDIRECT descriptor inside an indirect table")         \
	X(INDIRECT_WITH_NEXT, -15, chain, "descriptor has both INDIRECT and NEXT set")         \
	X(INDIRECT_LEN, -16, chain, "indirect table length is 0 or not a multiple of 16")      \
	X(INDIRECT_TOO_LONG, -17, chain, "indirect table has more entries than the bound")     \
	X(INDIRECT_LOOP, -18, chain, "indirect chain is longer than its table (loop)")        \
	X(INDIRECT_RANGE, -19, chain, "indirect table is not inside one guest memory region")  \
	X(READ_AFTER_WRITE, -20, chain, "device-readable descriptor after a writable one")     \
	X(ADDR_OVERFLOW, -21, chain, "descriptor addr + len wraps around 2^64")                 \
	X(ADDR_RANGE, -22, chain, "buffer is not inside guest memory")                         \
	X(CHAIN_TOO_BIG, -23, chain, "total chain length is 2^32 bytes or more")              \
	X(NOT_IN_FLIGHT, -24, call, "chain is not in flight (returned twice or never popped)") \
	X(IOV_FULL, -25, chain, "segment array too small for the chain")                     \
	X(STALE_CHAIN, -26, call, "chain was taken before a reset or restore of its queue")    \
	X(MEM_CHANGED, -27, chain, "guest memory map changed while the chain was walked")

/** Error codes; all negative so that `rc < 0` tests for failure. */
enum virtq_error {
	VIRTQ_OK = 0,
#define VIRTQ__ERR_ENUM(name, val, scope, msg) VIRTQ_E_##name = (val),
	VIRTQ_ERRNO_MAP(VIRTQ__ERR_ENUM)
#undef VIRTQ__ERR_ENUM
};

/** Lowest (most negative) error code; VIRTQ_E_LAST <= every code < 0. */
#define VIRTQ_E_LAST VIRTQ_E_MEM_CHANGED

/**
 * Human-readable text for an error code.
 * @param err  0 or a VIRTQ_E_* code.
 * @return a static string; "unknown error" for values outside the table.
 */
const char *virtq_strerror(int err);

/**
 * Symbolic name of an error code ("VIRTQ_E_CHAIN_LOOP"), for logs and reports.
 * @return a static string; "VIRTQ_OK" for 0, "VIRTQ_E_UNKNOWN" outside the table.
 */
const char *virtq_err_name(int err);

/**
 * Whether an error leaves the queue broken (scope "queue" in the table).
 * @return 1 for VIRTQ_E_AVAIL_IDX and VIRTQ_E_BROKEN, 0 otherwise.
 */
int virtq_err_is_fatal(int err);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_ERROR_H */
