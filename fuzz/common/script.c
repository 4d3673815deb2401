/* SPDX-License-Identifier: MIT */
/* The fuzz input format: reader, printer and text encoder (see script.h). */
#include "script.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void script_in_init(struct script_in *in, const uint8_t *p, size_t n)
{
	in->p = p;
	in->n = n;
	in->off = 0;
}

bool script_in_done(const struct script_in *in)
{
	return in->off >= in->n;
}

/* Little-endian field; bytes past the end read as 0 (any input is valid). */
static uint64_t read_field(struct script_in *in, uint8_t width)
{
	uint64_t v = 0;

	for (uint8_t i = 0; i < width; i++) {
		uint64_t b = in->off < in->n ? in->p[in->off] : 0;

		in->off++;
		v |= b << (8 * i);
	}
	return v;
}

void script_read_header(struct script_in *in, const struct script_def *d, struct script_vals *h)
{
	memset(h, 0, sizeof(*h));
	for (uint8_t i = 0; i < d->nheader; i++)
		h->v[i] = read_field(in, d->header[i].width);
}

bool script_read_op(struct script_in *in, const struct script_def *d, struct script_vals *op)
{
	const struct script_op *o;

	if (script_in_done(in))
		return false;
	memset(op, 0, sizeof(*op));
	op->op = in->p[in->off++] % d->nops;
	o = &d->ops[op->op];
	for (uint8_t i = 0; i < o->nfields; i++)
		op->v[i] = read_field(in, o->f[i].width);
	return true;
}

static void print_fields(const struct script_field *f, uint8_t n, const struct script_vals *v,
			 FILE *out)
{
	for (uint8_t i = 0; i < n; i++)
		fprintf(out, " %s=0x%" PRIx64, f[i].name, v->v[i]);
}

void script_describe(const struct script_def *d, const uint8_t *p, size_t n, FILE *out)
{
	struct script_in in;
	struct script_vals v;

	script_in_init(&in, p, n);
	script_read_header(&in, d, &v);
	fprintf(out, "# target %s, %zu bytes\nheader", d->target, n);
	print_fields(d->header, d->nheader, &v, out);
	fputc('\n', out);
	while (script_read_op(&in, d, &v)) {
		fputs(d->ops[v.op].name, out);
		print_fields(d->ops[v.op].f, d->ops[v.op].nfields, &v, out);
		fputc('\n', out);
	}
}

/* ---- text to bytes ---- */

static int emit(uint8_t *out, size_t cap, size_t *len, uint64_t v, uint8_t width)
{
	for (uint8_t i = 0; i < width; i++) {
		if (*len >= cap)
			return -1;
		out[(*len)++] = (uint8_t)(v >> (8 * i));
	}
	return 0;
}

/* Parse "name=value ..." into @vals by field name; unknown names are errors. */
static int parse_fields(char *rest, const struct script_field *f, uint8_t n,
			struct script_vals *vals, char *err, size_t errlen)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		uint8_t i;

		if (eq == NULL) {
			snprintf(err, errlen, "expected name=value, got '%s'", tok);
			return -1;
		}
		*eq = '\0';
		for (i = 0; i < n && strcmp(f[i].name, tok) != 0; i++)
			;
		if (i == n) {
			snprintf(err, errlen, "unknown field '%s'", tok);
			return -1;
		}
		vals->v[i] = strtoull(eq + 1, NULL, 0);
	}
	return 0;
}

long script_encode_text(const struct script_def *d, const char *text, uint8_t *out, size_t cap,
			char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	size_t len = 0;
	int lineno = 0, rc = 0;
	bool have_header = false;

	for (line = strtok_r(copy, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *word;
		struct script_vals v;
		unsigned op;

		lineno++;
		if (hash)
			*hash = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0')
			continue;
		word = line;
		line += strcspn(line, " \t");
		if (*line)
			*line++ = '\0';
		memset(&v, 0, sizeof(v));
		if (strcmp(word, "header") == 0) {
			rc = have_header || len != 0 ? -1 : 0;
			if (rc == 0)
				rc = parse_fields(line, d->header, d->nheader, &v, err, errlen);
			for (uint8_t i = 0; rc == 0 && i < d->nheader; i++)
				rc = emit(out, cap, &len, v.v[i], d->header[i].width);
			have_header = true;
			continue;
		}
		if (!have_header) {
			snprintf(err, errlen, "line %d: the first line must be 'header ...'", lineno);
			rc = -1;
			break;
		}
		for (op = 0; op < d->nops && strcmp(d->ops[op].name, word) != 0; op++)
			;
		if (op == d->nops) {
			snprintf(err, errlen, "line %d: unknown op '%s' for target %s", lineno, word,
				 d->target);
			rc = -1;
			break;
		}
		rc = parse_fields(line, d->ops[op].f, d->ops[op].nfields, &v, err, errlen);
		if (rc == 0)
			rc = emit(out, cap, &len, op, 1);
		for (uint8_t i = 0; rc == 0 && i < d->ops[op].nfields; i++)
			rc = emit(out, cap, &len, v.v[i], d->ops[op].f[i].width);
		if (rc != 0 && err[0] == '\0')
			snprintf(err, errlen, "line %d: output buffer full", lineno);
	}
	free(copy);
	if (rc == 0 && !have_header) {
		snprintf(err, errlen, "no 'header' line");
		rc = -1;
	}
	return rc == 0 ? (long)len : -1;
}
