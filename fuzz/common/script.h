/* SPDX-License-Identifier: MIT */
/*
 * Fuzz input format: a fixed header, then a stream of operations.
 *
 * Every target's input is   header fields | op | op | ...
 * where an op is one opcode byte (taken modulo the number of ops, so every
 * byte value means something) followed by that op's fields, each a
 * little-endian integer of 1, 2, 4 or 8 bytes.  Bytes missing at the end
 * read as 0: any byte string is a valid input, and a seed stays meaningful
 * when ops are appended to the vocabulary (new opcodes go at the end).
 *
 * The same schema gives the readable form used by the seed generator and the
 * decoder:
 *     header size=3 feat=0x1 layout=0x0f imax=0 seed=7
 *     add nr=1 nw=2 mode=0 len=16
 *     publish
 * one line per op, fields by name (missing fields are 0), `#` comments.
 * fuzz/README.md documents each target's header and ops.
 */
#ifndef VIRTQ_FUZZ_SCRIPT_H
#define VIRTQ_FUZZ_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SCRIPT_MAX_FIELDS 6

struct script_field {
	const char *name;
	uint8_t width; /* bytes: 1, 2, 4 or 8 */
};

struct script_op {
	const char *name;
	uint8_t nfields;
	struct script_field f[SCRIPT_MAX_FIELDS];
	const char *doc;
};

struct script_def {
	const char *target;
	uint8_t nheader;
	struct script_field header[SCRIPT_MAX_FIELDS];
	uint8_t nops;
	const struct script_op *ops;
};

/* A decoded op or header: values in field order. */
struct script_vals {
	unsigned op; /* opcode index (ops only) */
	uint64_t v[SCRIPT_MAX_FIELDS];
};

/* Cursor over an input. */
struct script_in {
	const uint8_t *p;
	size_t n, off;
};

void script_in_init(struct script_in *in, const uint8_t *p, size_t n);
bool script_in_done(const struct script_in *in);
void script_read_header(struct script_in *in, const struct script_def *d, struct script_vals *h);
/* Read the next op; false at the end of input. */
bool script_read_op(struct script_in *in, const struct script_def *d, struct script_vals *op);

/* Text form: print the whole input; parse text into bytes (returns length or -1). */
void script_describe(const struct script_def *d, const uint8_t *p, size_t n, FILE *out);
long script_encode_text(const struct script_def *d, const char *text, uint8_t *out, size_t cap,
			char *err, size_t errlen);

/* Field value by name from a decoded op (for readable target code). */
#define SV(vals, i) ((vals)->v[(i)])

#endif /* VIRTQ_FUZZ_SCRIPT_H */
