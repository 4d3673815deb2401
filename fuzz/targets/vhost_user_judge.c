/* SPDX-License-Identifier: MIT */
/* The vhost_user target's oracles on guest memory and the used ring after a window (vhost_user_judge.h). */
#include "vhost_user_judge.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vguest/mem.h"
#include "vguest/model.h"

#define SEG_CAP 1024u /* segments kept per walk */
#define VISIT_CAP 4096u

/* Writable ranges of every chain some avail slot names: grown once, kept across inputs. */
static struct {
	struct vg_seg *seg;
	size_t n, cap;
} allowed;

static void allow(const struct vg_seg *s)
{
	if (allowed.n == allowed.cap) {
		size_t cap = allowed.cap ? allowed.cap * 2 : 1024;
		struct vg_seg *p = realloc(allowed.seg, cap * sizeof(*p));

		FUZZ_ASSERT(p != NULL, "out of memory");
		allowed.seg = p;
		allowed.cap = cap;
	}
	allowed.seg[allowed.n++] = *s;
}

static struct vg_model_cfg walk_cfg(const struct fz_image *im)
{
	return (struct vg_model_cfg){im->size, VHU_WANT, im->desc, im->avail, im->used, 0, 0};
}

/* Walk @head; its writable segments become allowed.  @return the walk's writable bytes, or -1 if invalid. */
static int64_t walk_head(const struct fz_image *im, uint16_t head)
{
	static struct vg_seg seg[SEG_CAP];
	static uint64_t visit[VISIT_CAP];
	struct vg_model_cfg cfg = walk_cfg(im);
	struct vg_walk w = {.seg = seg, .seg_cap = SEG_CAP, .visit = visit, .visit_cap = VISIT_CAP};

	vg_model_walk(im->mem, &cfg, head, &w);
	for (uint32_t i = 0; i < w.nseg && i < SEG_CAP; i++)
		if (seg[i].writable)
			allow(&seg[i]);
	return w.reason == VG_R_NONE && !(w.latitude & VG_WALK_TRUNCATED) ? (int64_t)w.writable : -1;
}

/* No head named, nothing allowed: a window's start. */
static void heads_reset(const struct fz_image *im, struct vhu_heads *h)
{
	static struct vhu_heads store;
	static uint32_t store_n;

	if (store_n < im->size) {
		free(store.named);
		free(store.cap);
		store.named = malloc(im->size);
		store.cap = malloc(im->size * sizeof(*store.cap));
		FUZZ_ASSERT(store.named && store.cap, "out of memory");
		store_n = im->size;
	}
	*h = store;
	memset(h->named, 0, im->size);
	allowed.n = 0;
}

/* A head walked twice keeps the laxer cap of the two walks. */
static int64_t laxer(int64_t a, int64_t b) { return a < 0 || b < 0 ? -1 : a > b ? a : b; }

/*
 * Name the heads the avail slots hold now and allow their writable buffers.
 * A window does it twice: as the driver published the rings, and as the
 * window left them.  A driver may hand out a writable buffer that covers
 * its own rings; a back-end that writes there rewrites the avail ring and
 * the table, and after that only the first reading still names the chain
 * it wrote for (corpus/regressions/ops/buffer-over-rings-rewrites-avail-*).
 * The second covers a back-end that read the table its writes changed.
 */
static void heads_name(const struct fz_image *im, struct vhu_heads *h)
{
	const uint8_t earlier = 1, this_pass = 2; /* h->named[] bits */

	for (uint32_t slot = 0; slot < im->size; slot++) {
		uint64_t gpa = im->avail + vg_avail_slot(im->size, (uint16_t)slot);
		uint16_t head;
		int64_t cap;

		if (!vg_mem_mapped(im->mem, gpa, 2))
			continue;
		head = vg_mem_load16(im->mem, gpa);
		if (head >= im->size || (h->named[head] & this_pass))
			continue;
		cap = walk_head(im, head);
		h->cap[head] = h->named[head] ? laxer(h->cap[head], cap) : cap;
		h->named[head] |= earlier | this_pass;
	}
	for (uint32_t i = 0; i < im->size; i++)
		h->named[i] &= earlier;
}

static bool in_range(uint64_t gpa, uint64_t base, uint64_t len) { return gpa >= base && gpa - base < len; }

/* The end of the allowed range holding @gpa, or 0. */
static uint64_t allowed_end(const struct fz_image *im, bool side, uint64_t gpa)
{
	uint64_t ub = vg_used_bytes(im->size);

	if (in_range(gpa, im->used, ub))
		return im->used + ub;
	if (side && in_range(gpa, SIDE_GPA + 0x200, vg_used_bytes(SIDE_SIZE)))
		return SIDE_GPA + 0x200 + vg_used_bytes(SIDE_SIZE);
	for (size_t i = 0; i < allowed.n; i++)
		if (in_range(gpa, allowed.seg[i].gpa, allowed.seg[i].len))
			return allowed.seg[i].gpa + allowed.seg[i].len;
	return 0;
}

/* What visit_changed judges a changed run against. */
struct stray {
	const struct fz_image *im;
	bool side;
};

static void visit_changed(void *arg, uint64_t gpa, uint64_t len)
{
	const struct stray *st = arg;
	uint64_t end = gpa + len;

	while (gpa < end) {
		uint64_t e = allowed_end(st->im, st->side, gpa);

		FUZZ_ORACLE("vhu-stray-write", e != 0,
			    "the back-end changed guest memory at 0x%llx (%llu bytes changed from 0x%llx), "
			    "outside the used ring and every writable buffer an avail slot names",
			    (unsigned long long)gpa, (unsigned long long)len, (unsigned long long)(end - len));
		gpa = e < end ? e : end;
	}
}

static void judge_used(const struct fz_image *im, const struct vhu_heads *h, uint16_t used_start)
{
	uint16_t now, n;

	if (!vg_mem_mapped(im->mem, im->used, vg_used_bytes(im->size)))
		return; /* a ring it should have refused; it cannot have written there either */
	now = vg_mem_load16(im->mem, im->used + VG_USED_IDX);
	n = (uint16_t)(now - used_start);
	FUZZ_ORACLE("vhu-used-count", n <= im->size,
		    "used idx moved by %u (from %u to %u) on a queue of %u in one window", n, used_start, now,
		    im->size);
	for (uint16_t k = 0; k < n; k++) {
		uint64_t e = im->used + vg_used_slot(im->size, (uint16_t)(used_start + k));
		uint32_t id = vg_mem_load32(im->mem, e), len = vg_mem_load32(im->mem, e + 4);

		FUZZ_ORACLE("vhu-used-id", id < im->size && h->named[id],
			    "used entry %u: id %u, which no avail slot names (queue of %u)",
			    (uint16_t)(used_start + k), id, im->size);
		FUZZ_ORACLE("vhu-used-len", h->cap[id] < 0 || len <= h->cap[id],
			    "used entry %u: head %u returned with len %u, its writable part is %lld bytes",
			    (uint16_t)(used_start + k), id, len, (long long)h->cap[id]);
	}
}

void vhu_heads_start(const struct fz_image *im, struct vhu_heads *h)
{
	heads_reset(im, h);
	heads_name(im, h);
}

void vhu_judge(const struct fz_image *im, struct vhu_heads *h, uint16_t used_start, bool side)
{
	struct stray st = {im, side};

	heads_name(im, h);
	judge_used(im, h, used_start);
	vg_mem_diff_runs(im->mem, visit_changed, &st);
}
