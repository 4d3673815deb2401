/* SPDX-License-Identifier: MIT */
/*
 * The reference model's stateless half (see vguest/model.h): the reasons in
 * the spec's vocabulary, the layout verdict, and the walk of one chain as
 * the spec reads it.  The queue state that judges a device step by step is
 * model.c's.
 */
#include "vguest/model.h"

#include <string.h>

#include "vguest/layout.h"

#define BIT(r) (UINT64_C(1) << (r))

const char *vg_reason_name(enum vg_reason r)
{
	static const char *const names[] = {
#define VG__REASON_NAME(name, text) "VG_R_" #name,
		VG_REASONS(VG__REASON_NAME)
#undef VG__REASON_NAME
	};

	return (unsigned)r < VG_R_COUNT ? names[r] : "VG_R_?";
}

const char *vg_reason_text(enum vg_reason r)
{
	static const char *const texts[] = {
#define VG__REASON_TEXT(name, text) text,
		VG_REASONS(VG__REASON_TEXT)
#undef VG__REASON_TEXT
	};

	return (unsigned)r < VG_R_COUNT ? texts[r] : "?";
}

/*
 * The driver broke a MUST, but the chain is finite and every byte of it is
 * guest memory, so a device that serves it anyway stays safe (catalogue §5.14:
 * accepting a forbidden chain is at most a warning).  Refusing is what the
 * model does.
 */
bool vg_reason_servable(enum vg_reason r)
{
	switch (r) {
	case VG_R_INDIRECT_NOT_NEGOTIATED:
	case VG_R_INDIRECT_NESTED:
	case VG_R_INDIRECT_WITH_NEXT:
	case VG_R_INDIRECT_LEN:
	case VG_R_READ_AFTER_WRITE:
	case VG_R_CHAIN_TOO_BIG:
	case VG_R_HEAD_IN_USE:
		return true;
	default:
		return false;
	}
}

/* ---- layout ---- */

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

enum vg_reason vg_model_layout(const struct vg_mem *mem, const struct vg_model_cfg *c)
{
	uint64_t d = vg_desc_bytes(c->size), a = vg_avail_bytes(c->size), u = vg_used_bytes(c->size);

	/* §2.7.1: each part at its minimum alignment (the device may insist, SPLIT-LAY-4). */
	if (c->desc % VG_DESC_ALIGN || c->avail % VG_AVAIL_ALIGN || c->used % VG_USED_ALIGN)
		return VG_R_RING_ALIGN;
	/* A part the device reads as an array must be one host range; none may overlap (SPLIT-LAY-3). */
	if (!vg_mem_in_one_region(mem, c->desc, d) || !vg_mem_in_one_region(mem, c->avail, a) ||
	    !vg_mem_in_one_region(mem, c->used, u))
		return VG_R_RING_RANGE;
	if (overlap(c->desc, d, c->avail, a) || overlap(c->desc, d, c->used, u) ||
	    overlap(c->avail, a, c->used, u))
		return VG_R_RING_RANGE;
	return VG_R_NONE;
}

/* ---- the walk ---- */

static void stop(struct vg_walk *w, enum vg_reason r, uint64_t also)
{
	w->reason = r;
	w->also = also | BIT(r);
	if (vg_reason_servable(r))
		w->latitude |= VG_WALK_SERVABLE;
}

/*
 * One segment.  A device whose segment array is full refuses the chain at the
 * segment that does not fit, which it has nonetheless been handed, so its
 * bytes count as handed out (the used len cap).
 */
static bool emit(const struct vg_model_cfg *c, struct vg_walk *w, uint64_t gpa, uint32_t len, bool wr)
{
	uint32_t *n = wr ? &w->nw : &w->nr;

	if (wr)
		w->writable += len;
	else
		w->readable += len;
	if (c->max_segs != 0 && *n == c->max_segs) {
		stop(w, VG_R_SEGS_FULL, 0);
		return false;
	}
	(*n)++;
	if (w->nseg == w->seg_cap) {
		w->latitude |= VG_WALK_TRUNCATED;
		stop(w, VG_R_OTHER, 0);
		return false;
	}
	w->seg[w->nseg++] = (struct vg_seg){gpa, len, wr};
	return true;
}

/* A buffer's pieces, one per region it touches; an unmapped byte ends the chain. */
static bool emit_buffer(const struct vg_mem *mem, const struct vg_model_cfg *c, struct vg_walk *w,
			uint64_t addr, uint32_t len, bool wr)
{
	uint64_t done = 0;

	while (done < len) {
		const struct vg_region *r = vg_mem_find(mem, addr + done);
		uint64_t room;

		if (!r) {
			stop(w, VG_R_ADDR_RANGE, 0);
			return false;
		}
		room = r->size - (addr + done - r->gpa);
		if (room > len - done)
			room = len - done;
		if (!emit(c, w, addr + done, (uint32_t)room, wr))
			return false;
		done += room;
	}
	return true;
}

static bool wraps(uint64_t addr, uint32_t len) { return len != 0 && addr + (len - 1) < addr; }

/*
 * An INDIRECT descriptor: every rule of §2.7.5.3 it breaks, the first one in
 * the model's order as the reason, all of them as what a device may say.
 */
static uint64_t indirect_faults(const struct vg_mem *mem, const struct vg_model_cfg *c,
				const struct vg_desc *d, bool in_table, uint32_t imax)
{
	uint64_t f = 0;

	if (!(c->features & VG_FEATURE(VG_F_INDIRECT_DESC)))
		f |= BIT(VG_R_INDIRECT_NOT_NEGOTIATED);
	if (in_table)
		f |= BIT(VG_R_INDIRECT_NESTED);
	if (d->flags & VG_DESC_F_NEXT)
		f |= BIT(VG_R_INDIRECT_WITH_NEXT);
	if (d->len == 0 || d->len % VG_DESC_SIZE != 0)
		f |= BIT(VG_R_INDIRECT_LEN);
	/* A table of no entries: reading entry 0 exceeds it, which a device may call a loop. */
	if (d->len == 0)
		f |= BIT(VG_R_INDIRECT_LOOP) | BIT(VG_R_CHAIN_LOOP);
	if (imax != 0 && d->len / VG_DESC_SIZE > imax)
		f |= BIT(VG_R_INDIRECT_TOO_LONG);
	if (wraps(d->addr, d->len))
		f |= BIT(VG_R_ADDR_OVERFLOW);
	else if (d->len != 0 && !vg_mem_in_one_region(mem, d->addr, d->len))
		f |= BIT(VG_R_INDIRECT_RANGE);
	return f;
}

static const enum vg_reason indirect_order[] = {
	VG_R_INDIRECT_NOT_NEGOTIATED, VG_R_INDIRECT_NESTED, VG_R_INDIRECT_WITH_NEXT,
	VG_R_INDIRECT_LEN,            VG_R_INDIRECT_TOO_LONG, VG_R_ADDR_OVERFLOW,
	VG_R_INDIRECT_RANGE,
};

static enum vg_reason first_of(uint64_t faults, const enum vg_reason *order, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (faults & BIT(order[i]))
			return order[i];
	return VG_R_NONE;
}

/*
 * A buffer descriptor's faults: ordering, wrap, the 2^32 total, and, when
 * one of those stops the walk, whether it is mapped too (what a device may
 * say instead).  A buffer with none of them is mapped or not as emit_buffer
 * finds it, piece by piece: one lookup per piece, not a second pass.
 */
static uint64_t buffer_faults(const struct vg_mem *mem, const struct vg_desc *d, bool wrote,
			      uint64_t total)
{
	uint64_t f = 0;

	if (!(d->flags & VG_DESC_F_WRITE) && wrote)
		f |= BIT(VG_R_READ_AFTER_WRITE);
	if (wraps(d->addr, d->len))
		f |= BIT(VG_R_ADDR_OVERFLOW);
	if (total + d->len >= (UINT64_C(1) << 32))
		f |= BIT(VG_R_CHAIN_TOO_BIG);
	if (f && !wraps(d->addr, d->len) && !vg_mem_mapped(mem, d->addr, d->len))
		f |= BIT(VG_R_ADDR_RANGE);
	return f;
}

static const enum vg_reason buffer_order[] = {
	VG_R_READ_AFTER_WRITE, VG_R_ADDR_OVERFLOW, VG_R_CHAIN_TOO_BIG,
};

static void read_desc(const struct vg_mem *mem, struct vg_walk *w, uint64_t gpa, uint8_t raw[16])
{
	if (w->read_desc)
		w->read_desc(w->arg, w->nvisit - 1, gpa, raw);
	else if (!vg_mem_read(mem, gpa, raw, VG_DESC_SIZE))
		memset(raw, 0, VG_DESC_SIZE);
}

static void walk_reset(struct vg_walk *w, uint16_t head)
{
	w->head = head;
	w->reason = VG_R_NONE;
	w->also = 0;
	w->latitude = 0;
	w->nseg = w->nvisit = w->nr = w->nw = 0;
	w->readable = w->writable = 0;
}

void vg_model_walk(const struct vg_mem *mem, const struct vg_model_cfg *c, uint16_t head,
		   struct vg_walk *w)
{
	uint32_t imax = c->max_indirect;
	uint64_t table = c->desc, total = 0;
	uint32_t entries = c->size, limit = c->size, taken = 0, i = head;
	bool in_table = false, wrote = false;

	walk_reset(w, head);
	for (;;) {
		uint8_t raw[VG_DESC_SIZE];
		struct vg_desc d;
		uint64_t f;

		if (i >= entries)
			return stop(w, VG_R_NEXT_RANGE, 0);
		/* §2.7.5.2: no chain is longer than its table; a longer walk is a loop (either name). */
		if (taken == limit)
			return stop(w, in_table ? VG_R_INDIRECT_LOOP : VG_R_CHAIN_LOOP,
				    BIT(VG_R_INDIRECT_LOOP) | BIT(VG_R_CHAIN_LOOP));
		if (w->nvisit == w->visit_cap) {
			w->latitude |= VG_WALK_TRUNCATED;
			return stop(w, VG_R_OTHER, 0);
		}
		taken++;
		w->visit[w->nvisit++] = table + (uint64_t)VG_DESC_SIZE * i;
		read_desc(mem, w, table + (uint64_t)VG_DESC_SIZE * i, raw);
		d = vg_desc_decode(raw);
		if (d.flags & VG_DESC_F_INDIRECT) {
			f = indirect_faults(mem, c, &d, in_table, imax);
			if (f) {
				stop(w, first_of(f, indirect_order, 7), f);
				/* Mapped across regions: a device copying it entry by entry may serve it. */
				if (w->reason == VG_R_INDIRECT_RANGE && vg_mem_mapped(mem, d.addr, d.len))
					w->latitude |= VG_WALK_SERVABLE;
				return;
			}
			table = d.addr;
			entries = limit = d.len / VG_DESC_SIZE;
			taken = 0;
			i = 0;
			in_table = true;
			continue;
		}
		f = buffer_faults(mem, &d, wrote, total);
		if (f)
			return stop(w, first_of(f, buffer_order, 3), f);
		/* §5 item 2: zero-length buffers are never translated by the model. */
		if (d.len == 0 && !vg_mem_find(mem, d.addr))
			w->latitude |= VG_WALK_ZERO_OUTSIDE;
		total += d.len;
		wrote |= (d.flags & VG_DESC_F_WRITE) != 0;
		if (!emit_buffer(mem, c, w, d.addr, d.len, d.flags & VG_DESC_F_WRITE))
			return;
		if (!(d.flags & VG_DESC_F_NEXT))
			return;
		i = d.next;
	}
}
