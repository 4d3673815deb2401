/* SPDX-License-Identifier: MIT */
/*
 * The fuzzed driver: operations that write driver-owned guest memory, through
 * the guest's driver (vguest/driver.h).  They come first, in this order, in
 * the op tables of the rings, ops and race targets, so one implementation
 * serves all three.  Nothing here is checked: the point is to let the input
 * be any driver, well-behaved or not.
 */
#ifndef VIRTQ_FUZZ_DRIVER_OPS_H
#define VIRTQ_FUZZ_DRIVER_OPS_H

#include <stdbool.h>

#include "image.h"
#include "script.h"

enum driver_op {
	DOP_DESC,        /* desc idx off len flags next: buffer in the data window */
	DOP_DESC_RAW,    /* desc_raw idx addr len flags next: any address */
	DOP_IND,         /* ind table i off len flags next: entry i of a table in the data window */
	DOP_AVAIL,       /* avail slot head */
	DOP_AVAIL_IDX,   /* avail_idx delta: move avail idx by any amount */
	DOP_AVAIL_FLAGS, /* avail_flags v */
	DOP_USED_EVENT,  /* used_event v */
	DOP_ADD,         /* add nr nw mode len: a well-formed chain, not yet published */
	DOP_PUBLISH,     /* publish: avail idx = what add built */
	DOP_POKE,        /* poke off val: 8 bytes into the data window */
	DOP_USED_INIT,   /* used_init slot id len: the driver scribbles on the used ring */
	DRIVER_OPS
};

#define DRIVER_OP_TABLE                                                                      \
	{"desc", 5, {{"idx", 2}, {"off", 2}, {"len", 2}, {"flags", 1}, {"next", 2}},              \
	 "descriptor idx -> buffer at DATA+off"},                                                 \
	{"desc_raw", 5, {{"idx", 2}, {"addr", 8}, {"len", 4}, {"flags", 2}, {"next", 2}},         \
	 "descriptor idx, any address"},                                                          \
	{"ind", 6, {{"table", 2}, {"i", 1}, {"off", 2}, {"len", 2}, {"flags", 1}, {"next", 2}},    \
	 "entry i of an indirect table at DATA+table"},                                           \
	{"avail", 2, {{"slot", 2}, {"head", 2}}, "avail ring[slot] = head"},                     \
	{"avail_idx", 1, {{"delta", 2}}, "avail idx += delta (any amount)"},                     \
	{"avail_flags", 1, {{"v", 2}}, "avail flags = v"},                                       \
	{"used_event", 1, {{"v", 2}}, "used_event = v"},                                         \
	{"add", 4, {{"nr", 1}, {"nw", 1}, {"mode", 1}, {"len", 1}},                               \
	 "well-formed chain: nr%4 readable, nw%4 writable, mode%3 direct/indirect/mixed"},       \
	{"publish", 0, {{0}}, "avail idx = entries added"},                                      \
	{"poke", 2, {{"off", 2}, {"val", 8}}, "8 bytes at DATA+off"},                            \
	{"used_init", 3, {{"slot", 2}, {"id", 4}, {"len", 4}}, "driver writes used ring[slot]"}

struct fuzz_driver {
	struct fz_image *im;
	uint16_t next_desc;    /* where the next well-formed chain starts */
	uint32_t data_cursor;  /* where its buffers go in the data window */
	bool wrote_used;       /* a write landed in the used ring (cleared by the caller) */
};

void driver_init(struct fuzz_driver *drv, struct fz_image *im);
/* Apply driver op @op (< DRIVER_OPS). */
void driver_apply(struct fuzz_driver *drv, const struct script_vals *op);

#endif /* VIRTQ_FUZZ_DRIVER_OPS_H */
