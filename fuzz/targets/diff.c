/* SPDX-License-Identifier: MIT */
/*
 * diff: one hostile guest image, two device implementations.  The input is
 * exactly the rings target's (header and driver ops); the image it builds is
 * served by core and by Linux's vringh (drivers/vhost/vringh.c, built in user
 * space by interop/, through virtq_interop/vringh_device.h), each on its own
 * copy of guest memory so that neither sees the other's writes.
 *
 * Both pop until empty, step by step.  For each pop they must agree on
 * whether a chain was served, its head, its segments (guest address, length,
 * direction) and, when it failed, the error class (enum diff_class: the
 * coarse set both can express).  For a chain both served, both read its
 * readable bytes (which must be equal) and write the same seed-chosen number
 * of bytes into its writable ones.  Then every chain is returned on both, in
 * a seed-chosen order and batches, with the same written counts; the notify
 * decisions after each batch, the used idx and finally all of guest memory
 * must be equal.
 *
 * Where the two disagree for a known, justified reason (a spec grey area, a
 * documented core policy, a vringh weakness) the commented allowlist below
 * says so.  Anything else aborts with both sides printed.  An allowlisted
 * divergence after which the two queues are no longer in step (different
 * avail position, or a head one side holds and the other does not) ends the
 * pops: later pops cannot be compared.  The chains served so far are still
 * returned and compared.
 */
#include <errno.h>
#include <string.h>

#include "run.h"
#include "fuzz.h"
#include "targets.h"
#include "virtq_interop/vringh_device.h"

static const struct script_op diff_ops[] = {DRIVER_OP_TABLE};
const struct script_def diff_def = {"diff", 5, FUZZ_HEADER_FIELDS, DRIVER_OPS, diff_ops};

/* Bytes each side reads from and writes to one chain. */
#define DIFF_COPY 2048u
/* Zero bytes after each run of regions in vringh's copy (vguest_init). */
#define VGUEST_PAD 16u
/* Steps vringh may take for one chain (vringh_walk_bounded). */
#define VRINGH_BUDGET (1u << 18)

/*
 * The tools/virtio shim's bounds of "user" memory (interop/src/
 * linux_globals.c), which its copy_from_user asserts as access_ok would.  The
 * wrapper widens them to every guest range it hands vringh; the pads after
 * the runs of vringh's copy are widened here.
 */
extern void *__user_addr_min, *__user_addr_max;

/* ---- the common error classes ---- */

/*
 * What a pop came to, coarse enough that both sides can say it.  Core names
 * exactly one class; vringh's -EINVAL names several, because vringh uses it
 * for every malformed descriptor (its vringh_bad() messages, which would tell
 * them apart, are compiled to nothing in user space).  Two outcomes agree
 * when their sets meet.
 */
enum diff_class {
	DC_NONE,         /* served: core 1, vringh 1 */
	DC_EMPTY,        /* nothing available: core 0, vringh 0 */
	DC_BAD_HEAD,     /* head >= size: core HEAD_RANGE; vringh -EINVAL, head = size */
	DC_HEAD_IN_USE,  /* head in flight: core HEAD_IN_USE; vringh has no such check */
	DC_LOOP,         /* walk bound hit: core CHAIN_LOOP, INDIRECT_LOOP; vringh -ELOOP */
	DC_BAD_NEXT,     /* next outside its table: core NEXT_RANGE; vringh -EINVAL */
	DC_BAD_INDIRECT, /* core INDIRECT_*; vringh -EINVAL (nested, len % 16, range) */
	DC_BAD_ORDER,    /* readable after writable: core READ_AFTER_WRITE; vringh -EINVAL */
	DC_BAD_ADDR,     /* buffer outside memory or wrapping: core ADDR_*; vringh -EINVAL */
	DC_TOO_BIG,      /* 2^32 bytes or more: core CHAIN_TOO_BIG; vringh has no such check */
	DC_BROKEN,       /* queue broken: core AVAIL_IDX, BROKEN; vringh never breaks */
	DC_OTHER,        /* anything else (core IOV_FULL, vringh -EPROTO, -ENOMEM): a bug here */
	DC_COUNT
};

#define DC(c) (1u << (c))
/* vringh's -EINVAL for a chain it took: any descriptor-level rejection. */
#define DC_VRINGH_EINVAL                                                                     \
	(DC(DC_BAD_NEXT) | DC(DC_BAD_INDIRECT) | DC(DC_BAD_ORDER) | DC(DC_BAD_ADDR))

static const char *const class_names[DC_COUNT] = {
	"NONE", "EMPTY", "BAD_HEAD", "HEAD_IN_USE", "LOOP", "BAD_NEXT",
	"BAD_INDIRECT", "BAD_ORDER", "BAD_ADDR", "TOO_BIG", "BROKEN", "OTHER",
};

static unsigned core_class(int rc)
{
	switch (rc) {
	case 1:
		return DC(DC_NONE);
	case 0:
		return DC(DC_EMPTY);
	case VIRTQ_E_HEAD_RANGE:
		return DC(DC_BAD_HEAD);
	case VIRTQ_E_HEAD_IN_USE:
		return DC(DC_HEAD_IN_USE);
	case VIRTQ_E_CHAIN_LOOP:
	case VIRTQ_E_INDIRECT_LOOP:
		return DC(DC_LOOP);
	case VIRTQ_E_NEXT_RANGE:
		return DC(DC_BAD_NEXT);
	case VIRTQ_E_INDIRECT_NOT_NEGOTIATED:
	case VIRTQ_E_INDIRECT_NESTED:
	case VIRTQ_E_INDIRECT_WITH_NEXT:
	case VIRTQ_E_INDIRECT_LEN:
	case VIRTQ_E_INDIRECT_TOO_LONG:
	case VIRTQ_E_INDIRECT_RANGE:
		return DC(DC_BAD_INDIRECT);
	case VIRTQ_E_READ_AFTER_WRITE:
		return DC(DC_BAD_ORDER);
	case VIRTQ_E_ADDR_OVERFLOW:
	case VIRTQ_E_ADDR_RANGE:
		return DC(DC_BAD_ADDR);
	case VIRTQ_E_CHAIN_TOO_BIG:
		return DC(DC_TOO_BIG);
	case VIRTQ_E_AVAIL_IDX:
	case VIRTQ_E_BROKEN:
		return DC(DC_BROKEN);
	default:
		return DC(DC_OTHER);
	}
}

/* vringh_getdesc_user() sets the head to the queue size when the avail ring itself was bad. */
static unsigned vringh_class(int rc, uint16_t head, uint32_t size)
{
	if (rc == 1)
		return DC(DC_NONE);
	if (rc == 0)
		return DC(DC_EMPTY);
	if (rc == -EINVAL)
		return head >= size ? DC(DC_BAD_HEAD) : DC_VRINGH_EINVAL;
	if (rc == -ELOOP)
		return DC(DC_LOOP);
	return DC(DC_OTHER);
}

/* ---- the situation an allowlist entry judges ---- */

struct outcome {
	int rc;        /* core: 1 served, 0 empty, or its error; vringh: getdesc's return */
	unsigned cls;  /* DC() bits */
	int head;      /* head this side now holds and must return, or -1 */
	bool advanced; /* the avail entry was consumed */
};

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct situation {
	bool setup;               /* virtq_init vs virtq_vringh_create; else a pop */
	bool vringh_unbounded;    /* vringh was not run: see vringh_walk_bounded() */
	struct outcome core, vr;
	const struct fuzz_guest *g; /* core's memory, as the walk read it */
	bool have_last;
	struct desc last;         /* the descriptor core fetched last in this pop */
	bool zero_len_unmapped;   /* core fetched a zero-length buffer outside memory */
};

/*
 * Both sides will look at the same avail entry next and hold the same head:
 * the pops can go on.  A broken core serves nothing more, and vringh, after a
 * bad head, fails on it again forever.
 */
static bool in_step(const struct situation *s)
{
	return s->core.advanced == s->vr.advanced && s->core.head == s->vr.head &&
	       !(s->core.cls & DC(DC_BROKEN)) && !(s->vr.cls & DC(DC_BAD_HEAD));
}

static bool core_failed(const struct situation *s, int err)
{
	return !s->setup && s->core.rc == err;
}

/*
 * The allowlist.  Each entry: a predicate on the situation, and why the
 * difference is expected.  IDs are the clause catalogue's
 * (/work/shared/reference/virtio-spec-clauses.md), "peer study" is
 * peer-implementations.md.
 */

/*
 * SPLIT-LAY-4, §2.7.1: each ring part starts at its minimum alignment (a
 * driver MUST).  Core refuses a misaligned part at setup (README error table,
 * RING_ALIGN); vringh_init_user() checks only the size.  Nothing to serve.
 */
static bool misaligned_ring(const struct situation *s)
{
	return s->setup && s->core.rc == VIRTQ_E_RING_ALIGN && s->vr.rc == 0;
}

/*
 * SPLIT-AV-3 / SPLIT-AV-6: avail idx never moves back and is never more than
 * the queue size ahead.  Core breaks the queue when it is (queue.c
 * refresh_avail; peer study bug class 1, stale-entry replay); vringh tests
 * avail idx only for equality with its position (peer study table, "Avail-idx
 * distance check": N in __vringh_get_head) and serves the stale entries.
 * Core stops here.
 */
static bool avail_idx_distance(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_AVAIL_IDX);
}

/*
 * A head >= queue size (SPLIT-USED-2: an id is a head the driver could
 * place).  Both reject it, but vringh returns -EINVAL without moving past the
 * entry, so every later getdesc fails on it again (peer study bug class 8:
 * stall instead of rejection); core consumes and skips it (queue.h).
 */
static bool bad_head_not_skipped(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_HEAD_RANGE) && s->vr.cls == DC(DC_BAD_HEAD);
}

/*
 * SPLIT-USED-2: each head is returned once.  Core refuses a head that is
 * already in flight (peer study bug class 2, CVE-2016-5403 shape); vringh has
 * no in-flight tracking and hands the chain out a second time.
 */
static bool head_in_use(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_HEAD_IN_USE);
}

/*
 * SPLIT-IND-3: INDIRECT only when VIRTIO_F_INDIRECT_DESC was negotiated.
 * Core rejects the chain; vringh never looks at the feature and follows the
 * table.
 */
static bool indirect_not_negotiated(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_INDIRECT_NOT_NEGOTIATED);
}

/*
 * SPLIT-IND-6: INDIRECT and NEXT never on one descriptor.  Core rejects it;
 * vringh walks the table and then continues the outer chain at next (peer
 * study table: "can return to the outer chain after the table"), except that
 * next = 0 ends the chain instead (its up_next > 0 test).
 */
static bool indirect_with_next(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_INDIRECT_WITH_NEXT);
}

/*
 * SPLIT-FRM-2 (the device MAY limit chain length), catalogue §5 item 3.
 * Core bounds an indirect table by indirect_max (as QEMU does, 1024 by
 * default); vringh takes any len / 16 entries.
 */
static bool indirect_too_long(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_INDIRECT_TOO_LONG);
}

/*
 * Catalogue §5 item 3: the spec does not cover an indirect len of 0.  Core
 * rejects it (INDIRECT_LEN); vringh checks only len % 16, then reads entry 0
 * of the empty table (16 bytes past its end: vguest_init pads for it) and
 * fails with -ELOOP, since one entry exceeds a table of none.  Both failed
 * the same head: the queues stay in step.
 */
static bool indirect_len_zero(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_INDIRECT_LEN) && s->have_last && s->last.len == 0 &&
	       s->vr.cls == DC(DC_LOOP);
}

/*
 * Peer study bug class 6.  Core reads an indirect table as an array, so it
 * must lie inside one guest memory region (README "Rules"; INDIRECT_RANGE);
 * vringh copies it descriptor by descriptor through its range check, so a
 * table straddling two regions is served, and one running into a hole fails
 * only if an entry it actually reads is outside memory.  (vringh keeps the
 * first range's host pointer across ranges in slow_copy(): right only when
 * adjacent guest ranges are adjacent in host memory, as in a process address
 * space, which is how vguest_init lays out vringh's copy.)
 */
static bool indirect_table_straddles(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_INDIRECT_RANGE) && s->have_last &&
	       guest_region(s->g, s->last.addr) != NULL;
}

/*
 * Catalogue §5 item 2: zero-length descriptors are implementation-defined.
 * Core accepts them and never translates their address (README "Rules");
 * vringh range-checks every descriptor's address, so a zero-length one
 * outside guest memory fails the chain with -EINVAL.  (Every descriptor the
 * driver never wrote is one: addr 0, len 0.)  Both took the same head.
 */
static bool zero_length_unmapped(const struct situation *s)
{
	return !s->setup && s->vr.rc == -EINVAL && s->vr.head >= 0 && s->zero_len_unmapped;
}

/*
 * SPLIT-DESC-6: a chain's total length stays below 2^32.  Core refuses a
 * chain that reaches it (CHAIN_TOO_BIG, so a used len always fits); vringh
 * has no total, only a wrap check per range (peer study table, "Chain byte
 * total").
 */
static bool chain_too_big(const struct situation *s)
{
	return core_failed(s, VIRTQ_E_CHAIN_TOO_BIG);
}

/*
 * SPLIT-DESC-6, SPLIT-IND-5: a chain is bounded.  vringh counts only buffer
 * descriptors against the queue size, and bounds each indirect table by its
 * claimed length (len / 16, up to 2^28 entries; vhost.c stops at 65536, core
 * at indirect_max).  The INDIRECT descriptors themselves are not counted, so
 * two INDIRECT|NEXT descriptors naming each other loop for ever, and a looping
 * table claiming 2^28 entries loops that long.  Either way vringh grows its
 * iov arrays without end, and once their capacity reaches 2^27 entries it
 * aliases VRINGH_IOV_ALLOCATED, resize_iovec() stops growing them and vringh
 * writes past the array (heap overflow at vringh.c:409; in the kernel kmalloc
 * fails first, with -ENOMEM).  Core rejects both shapes (INDIRECT_WITH_NEXT,
 * INDIRECT_TOO_LONG).  vringh is not run on such a chain: the pops end.
 */
static bool vringh_unbounded(const struct situation *s)
{
	return s->vringh_unbounded;
}

struct allowance {
	const char *name;
	bool (*match)(const struct situation *s);
};

/* In order; the first that matches names the divergence. */
static const struct allowance allowlist[] = {
	{"vringh-unbounded-walk", vringh_unbounded},
	{"misaligned-ring", misaligned_ring},
	{"avail-idx-distance", avail_idx_distance},
	{"bad-head-not-skipped", bad_head_not_skipped},
	{"head-in-use", head_in_use},
	{"indirect-not-negotiated", indirect_not_negotiated},
	{"indirect-with-next", indirect_with_next},
	{"indirect-too-long", indirect_too_long},
	{"indirect-len-zero", indirect_len_zero},
	{"indirect-table-straddles", indirect_table_straddles},
	{"zero-length-unmapped", zero_length_unmapped},
	{"chain-too-big", chain_too_big},
};

static const struct allowance *allowed(const struct situation *s)
{
	for (size_t i = 0; i < sizeof(allowlist) / sizeof(allowlist[0]); i++)
		if (allowlist[i].match(s))
			return &allowlist[i];
	return NULL;
}

/* ---- vringh's copy of guest memory ---- */

/*
 * Laid out as in a process address space, which is what vringh's user
 * flavour assumes: regions adjacent in guest-physical space are adjacent in
 * one host allocation (see indirect_table_straddles), and every such run is
 * followed by VGUEST_PAD zero bytes (see indirect_len_zero), inside the
 * shim's bounds.  Core's copy keeps a heap buffer of exactly each region's
 * size, so ASan still catches any overread of core's.
 */
struct vguest {
	struct fuzz_guest g;
	unsigned char *block;
};

static void *vguest_translate(void *opaque, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	return virtq_mem_translate(opaque, gpa, len, contig);
}

static bool run_ends(const struct fuzz_guest *g, unsigned i)
{
	return i + 1 == g->nr || g->r[i + 1].gpa != g->r[i].gpa + g->r[i].len;
}

static void widen_user_bounds(unsigned char *lo, unsigned char *hi)
{
	if (__user_addr_min == NULL || (unsigned char *)__user_addr_min > lo)
		__user_addr_min = lo;
	if (__user_addr_max == NULL || (unsigned char *)__user_addr_max < hi)
		__user_addr_max = hi;
}

static bool vguest_init(struct vguest *v, const struct fuzz_guest *src, bool callback)
{
	size_t total = 0, at = 0;

	v->g = *src;
	for (unsigned i = 0; i < src->nr; i++)
		total += src->r[i].len + (run_ends(src, i) ? VGUEST_PAD : 0);
	v->block = calloc(1, total ? total : 1);
	if (v->block == NULL)
		return false;
	for (unsigned i = 0; i < src->nr; i++) {
		v->g.r[i].host = v->block + at;
		v->g.r[i].shadow = NULL;
		memcpy(v->g.r[i].host, src->r[i].host, src->r[i].len);
		v->g.table[i].hva = v->g.r[i].host;
		at += src->r[i].len + (run_ends(src, i) ? VGUEST_PAD : 0);
	}
	virtq_mem_init(&v->g.table_mem, v->g.table, v->g.nr);
	if (callback)
		virtq_mem_init_callback(&v->g.mem, vguest_translate, &v->g.table_mem);
	else
		v->g.mem = v->g.table_mem;
	v->g.cfg.mem = &v->g.mem;
	widen_user_bounds(v->block, v->block + total);
	return true;
}

static void vguest_free(struct vguest *v)
{
	free(v->block);
}

/* ---- one run ---- */

struct pair {
	struct virtq_chain chain; /* core's */
	uint16_t head;
	uint32_t written;         /* both sides return the head with this length */
};

struct diff {
	struct fuzz_guest *g;  /* core's memory: the run's guest */
	struct fuzz_guest *vg; /* vringh's copy */
	struct virtq_queue q;
	struct virtq_vringh *v;
	struct monitor mon;
	uint32_t s;            /* xorshift: the device's choices follow from the seed */
	unsigned pops;
	struct pair pair[DEV_MAX_RECS];
	unsigned npairs;
	const char *ended;     /* why the pops stopped before both sides were empty */
};

static struct diff D;
static struct virtq_seg rseg[MODEL_MAX_SEGS], wseg[MODEL_MAX_SEGS];

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void describe(const struct situation *s, char *buf, size_t len)
{
	char cls[96] = "";

	for (unsigned c = 0; c < DC_COUNT; c++)
		if (s->vr.cls & DC(c))
			snprintf(cls + strlen(cls), sizeof(cls) - strlen(cls), "%s%s",
				 cls[0] ? "|" : "", class_names[c]);
	if (s->vringh_unbounded)
		snprintf(cls, sizeof(cls), "not run (walk bounded only past %u steps)", VRINGH_BUDGET);
	snprintf(buf, len,
		 "core: rc %d (%s) class %s head %d advanced %d; "
		 "vringh: rc %d (%s) class %s head %d advanced %d",
		 s->core.rc, s->core.rc < 0 ? virtq_err_name(s->core.rc) : "ok",
		 class_names[__builtin_ctz(s->core.cls)], s->core.head, s->core.advanced, s->vr.rc,
		 s->vr.rc < 0 ? strerror(-s->vr.rc) : "ok", cls, s->vr.head, s->vr.advanced);
}

static struct desc read_desc(const struct fuzz_guest *g, uint64_t gpa)
{
	uint8_t b[16] = {0};
	struct desc d = {0, 0, 0, 0};

	guest_read(g, gpa, b, sizeof(b));
	for (int i = 0; i < 8; i++)
		d.addr |= (uint64_t)b[i] << (8 * i);
	d.len = (uint32_t)(b[8] | b[9] << 8 | b[10] << 16 | (uint32_t)b[11] << 24);
	d.flags = (uint16_t)(b[12] | b[13] << 8);
	d.next = (uint16_t)(b[14] | b[15] << 8);
	return d;
}

/* What the allowlist may ask about the descriptors core fetched in this pop. */
static void gather_facts(struct situation *s, const struct monitor *mon)
{
	for (uint32_t i = 0; i < mon->nloads; i++) {
		struct desc d = read_desc(s->g, mon->loads[i]);

		if (!(d.flags & VIRTQ_DESC_F_INDIRECT) && d.len == 0 &&
		    guest_region(s->g, d.addr) == NULL)
			s->zero_len_unmapped = true;
		s->last = d;
		s->have_last = true;
	}
}

/* Judge a disagreement: allowlisted, or a failure.  Returns whether the sides are still in step. */
static bool judge(struct situation *s)
{
	const struct allowance *a;
	char buf[512];

	if (!s->setup)
		gather_facts(s, &D.mon);
	a = allowed(s);
	describe(s, buf, sizeof(buf));
	FUZZ_ASSERT(a != NULL, "core and vringh disagree (%s %u) and no allowlist entry says why: %s",
		    s->setup ? "setup" : "pop", D.pops, buf);
	FUZZ_TRACE("diff: %s %u: allowlisted %s: %s\n", s->setup ? "setup" : "pop", D.pops, a->name,
		   buf);
	if (s->setup || s->vringh_unbounded || !in_step(s)) {
		D.ended = a->name;
		return false;
	}
	return true;
}

static uint64_t gpa_of(const struct fuzz_guest *g, const void *p, const char *who)
{
	uint64_t gpa = 0;

	FUZZ_ASSERT(guest_gpa(g, p, &gpa), "pop %u: %s handed out a segment outside guest memory",
		    D.pops, who);
	return gpa;
}

/* One direction: core's segments against vringh's (whose zero-length ones carry nothing). */
static void compare_segs(const struct virtq_iov *c, const struct virtq_vringh_seg *v, unsigned nv,
			 uint16_t head, const char *dir)
{
	uint32_t k = 0;

	for (unsigned i = 0; i < nv; i++) {
		uint64_t cg, vgpa;

		if (v[i].len == 0)
			continue;
		FUZZ_ASSERT(k < c->n, "pop %u head %u: vringh has more %s segments than core's %u",
			    D.pops, head, dir, c->n);
		cg = gpa_of(D.g, c->seg[k].addr, "core");
		vgpa = gpa_of(D.vg, v[i].addr, "vringh");
		FUZZ_ASSERT(cg == vgpa && c->seg[k].len == v[i].len,
			    "pop %u head %u: %s segment %u differs: core 0x%llx+%u, vringh 0x%llx+%zu",
			    D.pops, head, dir, k, (unsigned long long)cg, c->seg[k].len,
			    (unsigned long long)vgpa, v[i].len);
		k++;
	}
	FUZZ_ASSERT(k == c->n, "pop %u head %u: core has %u %s segments, vringh %u", D.pops, head,
		    c->n, dir, k);
}

/*
 * A chain both served: the same bytes come out of the readable segments, and
 * the same seed-chosen count goes into the writable ones.  Returns the count.
 */
static uint32_t exchange_data(struct virtq_iov *rd, struct virtq_iov *wr, uint16_t head)
{
	static uint8_t a[DIFF_COPY], b[DIFF_COPY], pat[DIFF_COPY];
	size_t n = rd->bytes < DIFF_COPY ? (size_t)rd->bytes : DIFF_COPY;
	size_t room = wr->bytes < DIFF_COPY ? (size_t)wr->bytes : DIFF_COPY;
	uint32_t w = next_rand(&D.s) % (uint32_t)(room + 1);
	size_t got = virtq_iov_read(rd, a, n), put;
	ssize_t vgot = virtq_vringh_pull(D.v, b, n), vput;

	FUZZ_ASSERT(got == n && vgot == (ssize_t)n && memcmp(a, b, n) == 0,
		    "pop %u head %u: readable bytes differ (core %zu, vringh %zd of %zu)", D.pops,
		    head, got, vgot, n);
	for (uint32_t k = 0; k < w; k++)
		pat[k] = (uint8_t)(head * 31u + k);
	put = virtq_iov_write(wr, pat, w);
	vput = virtq_vringh_push(D.v, pat, w);
	FUZZ_ASSERT(put == w && vput == (ssize_t)w,
		    "pop %u head %u: writing %u bytes: core %zu, vringh %zd", D.pops, head, w, put,
		    vput);
	return w;
}

static void core_pop(struct outcome *o, struct pair *p, struct virtq_iov *rd, struct virtq_iov *wr)
{
	int rc = virtq_pop(&D.q, &p->chain);

	o->head = -1;
	o->advanced = rc == 1 || rc == VIRTQ_E_HEAD_RANGE || rc == VIRTQ_E_HEAD_IN_USE;
	if (rc == 1) {
		o->head = virtq_chain_head(&p->chain);
		virtq_iov_init(rd, rseg, MODEL_MAX_SEGS);
		virtq_iov_init(wr, wseg, MODEL_MAX_SEGS);
		rc = virtq_chain_collect(&p->chain, rd, wr);
		rc = rc == 0 ? 1 : rc;
	}
	o->rc = rc;
	o->cls = core_class(rc);
	FUZZ_ASSERT(rc != VIRTQ_E_IOV_FULL, "pop %u: core's segment arrays are too small", D.pops);
}

static void vringh_pop(struct outcome *o, struct virtq_vringh_chain *c)
{
	int rc = virtq_vringh_getdesc(D.v, c);
	bool took = rc == 1 || (rc < 0 && c->head < D.g->cfg.size);

	o->rc = rc;
	o->cls = vringh_class(rc, c->head, D.g->cfg.size);
	o->head = took ? c->head : -1;
	o->advanced = took;
}

/*
 * An upper bound on the steps vringh's next getdesc takes (see
 * vringh_unbounded): its walk of the direct table from the next head, one
 * step per buffer descriptor until count passes the queue size, claimed
 * entries + 1 per indirect table, on to next after a table only with NEXT and
 * next != 0 (its up_next > 0 test).  Chains core can accept take at most
 * size + indirect_max steps, far below the budget.
 */
static bool vringh_walk_bounded(void)
{
	const struct fuzz_guest *g = D.vg;
	const struct virtq_queue_config *c = &g->cfg;
	uint16_t last = virtq_vringh_last_avail(D.v), i;
	uint64_t steps = 0;
	uint32_t count = 0;

	if (guest_le16(g, c->avail_gpa + 2) == last)
		return true;
	i = guest_le16(g, c->avail_gpa + 4 + 2ull * (last & (c->size - 1)));
	while (i < c->size && steps <= VRINGH_BUDGET) {
		struct desc d = read_desc(g, c->desc_gpa + 16ull * i);

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			steps += d.len / 16 + 1;
			if (!(d.flags & VIRTQ_DESC_F_NEXT) || d.next == 0)
				break;
		} else {
			steps++;
			if (++count > c->size || !(d.flags & VIRTQ_DESC_F_NEXT))
				break;
		}
		i = d.next;
	}
	return steps <= VRINGH_BUDGET;
}

/* One pop on each side.  Returns false when the pops are over. */
static bool pop_both(void)
{
	struct situation s = {.g = D.g};
	struct pair *p = &D.pair[D.npairs];
	struct virtq_vringh_chain vc;
	struct virtq_iov rd, wr;
	uint16_t idx = guest_le16(D.g, D.g->cfg.avail_gpa + 2);

	monitor_window(&D.mon);
	core_pop(&s.core, p, &rd, &wr);
	if (!vringh_walk_bounded()) {
		s.vringh_unbounded = true;
		s.vr = (struct outcome){0, 0, -1, false};
		return judge(&s);
	}
	vringh_pop(&s.vr, &vc);
	if ((!(s.core.cls & s.vr.cls) || !in_step(&s)) && !judge(&s))
		return false;
	if (s.core.cls == DC(DC_EMPTY))
		return false;
	if (s.core.head < 0)
		return true;
	p->head = (uint16_t)s.core.head;
	p->written = 0;
	if (s.core.rc == 1 && s.vr.rc == 1) {
		compare_segs(&rd, vc.rd, vc.nrd, p->head, "readable");
		compare_segs(&wr, vc.wr, vc.nwr, p->head, "writable");
		p->written = exchange_data(&rd, &wr, p->head);
		FUZZ_TRACE("diff: pop %u: head %u served by both, %u + %u segments, %u written\n",
			   D.pops, p->head, rd.n, wr.n, p->written);
	} else if (s.core.cls & s.vr.cls) {
		FUZZ_TRACE("diff: pop %u: head %u failed on both: core %s, vringh %d\n", D.pops,
			   p->head, virtq_err_name(s.core.rc), s.vr.rc);
	}
	D.npairs++;
	/*
	 * The driver may point a writable buffer at the avail ring (SPLIT-LAY-3
	 * says only the driver writes it).  Core reads avail idx once per batch
	 * (queue.c refresh_avail), vringh on every getdesc, so after the device
	 * has rewritten it the two see different rings: stop here.
	 */
	if (guest_le16(D.g, D.g->cfg.avail_gpa + 2) != idx) {
		D.ended = "device-wrote-avail-idx";
		FUZZ_TRACE("diff: pop %u: the device's write changed avail idx: pops end\n", D.pops);
		return false;
	}
	return true;
}

/* Return every chain on both sides, in seed-chosen order and batches. */
static void return_all(uint32_t seed)
{
	uint32_t order[DEV_MAX_RECS], batch = 1 + (seed >> 8) % 8;
	struct virtq_used_elem elems[8];

	for (uint32_t i = 0; i < D.npairs; i++)
		order[i] = i;
	for (uint32_t i = D.npairs; i > 1; i--) { /* Fisher-Yates */
		uint32_t j = next_rand(&D.s) % i, t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < D.npairs; i += batch) {
		uint32_t k = D.npairs - i < batch ? D.npairs - i : batch;
		bool cn;
		int rc, vn;

		for (uint32_t j = 0; j < k; j++) {
			struct pair *p = &D.pair[order[i + j]];

			rc = virtq_fill(&D.q, &p->chain, p->written);
			FUZZ_ASSERT(rc == 0, "core refused to return head %u: %s", p->head,
				    virtq_err_name(rc));
			elems[j] = (struct virtq_used_elem){p->head, p->written};
		}
		FUZZ_ASSERT(virtq_flush(&D.q) == 0, "core flush failed");
		monitor_settle(&D.mon);
		rc = virtq_vringh_complete_multi(D.v, elems, k);
		FUZZ_ASSERT(rc == 0, "vringh refused to return %u chains: %d", k, rc);
		cn = virtq_should_notify(&D.q);
		vn = virtq_vringh_need_notify(D.v);
		FUZZ_ASSERT(vn >= 0 && cn == (vn == 1),
			    "notify decision after used idx %u: core %d, vringh %d",
			    virtq_used_idx(&D.q), cn, vn);
	}
}

/*
 * All of guest memory must be equal: the used ring and every byte written
 * into buffers.  Except avail_event under EVENT_IDX: core re-arms it when it
 * finds the ring empty (queue.h, virtq_pop), vringh only when kicks are
 * re-enabled, which this target does not do.
 */
static void compare_memory(void)
{
	const struct virtq_queue_config *c = &D.g->cfg;
	uint64_t avail_event = c->used_gpa + 4 + 8ull * c->size;
	bool skip_event = c->features & VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX);

	FUZZ_ASSERT(virtq_used_idx(&D.q) == virtq_vringh_used_idx(D.v), "used idx: core %u, vringh %u",
		    virtq_used_idx(&D.q), virtq_vringh_used_idx(D.v));
	for (unsigned i = 0; i < D.g->nr; i++) {
		const struct fuzz_region *a = &D.g->r[i], *b = &D.vg->r[i];

		if (memcmp(a->host, b->host, a->len) == 0)
			continue;
		for (uint32_t k = 0; k < a->len; k++) {
			uint64_t gpa = a->gpa + k;

			if (skip_event && gpa - avail_event < 2)
				continue;
			FUZZ_ASSERT(a->host[k] == b->host[k],
				    "guest byte 0x%llx differs after both served: core 0x%02x, "
				    "vringh 0x%02x (used ring at 0x%llx)",
				    (unsigned long long)gpa, a->host[k], b->host[k],
				    (unsigned long long)c->used_gpa);
		}
	}
}

static void serve(uint32_t seed)
{
	for (D.pops = 0; D.pops < 2 * D.g->cfg.size + 2 && D.pops < DEV_MAX_POPS &&
			 D.npairs < DEV_MAX_RECS;
	     D.pops++)
		if (!pop_both())
			break;
	if (D.ended)
		FUZZ_TRACE("diff: pops ended after %u (%s); returning %u chains\n", D.pops, D.ended,
			   D.npairs);
	if (virtq_broken(&D.q) == 0)
		return_all(seed);
	compare_memory();
}

/* Set up both sides; false if there is nothing to compare. */
static bool setup(struct fuzz_run *r, struct vguest *vg)
{
	struct situation s = {.setup = true, .g = &r->g};
	uint32_t seed = (uint32_t)r->h.v[H_SEED];
	/* Small iov arrays make vringh grow them (resize_iovec), as tiny arrays do core's. */
	unsigned cap = seed & 0x1000000 ? 1 + (seed >> 25) % 4 : 16;
	int verr = 0;

	D.g = &r->g;
	D.vg = &vg->g;
	D.s = seed | 1;
	D.pops = 0;
	D.npairs = 0;
	D.ended = NULL;
	s.core.rc = virtq_init(&D.q, &r->g.cfg);
	s.core.cls = core_class(s.core.rc == 0 ? 1 : s.core.rc);
	D.v = virtq_vringh_create(&vg->g.cfg, cap, &verr);
	s.vr.rc = verr;
	s.vr.cls = verr == 0 ? DC(DC_NONE) : DC(DC_OTHER);
	s.core.head = s.vr.head = -1;
	if (s.core.rc == 0 && D.v != NULL)
		return true;
	if (s.core.rc != 0 && D.v == NULL)
		return false; /* both refuse the rings */
	judge(&s);
	virtq_vringh_destroy(D.v);
	return false;
}

int fuzz_diff_run(const uint8_t *data, size_t size)
{
	struct fuzz_run r;
	struct script_vals op;
	struct vguest vg;

	if (!run_begin(&r, &diff_def, data, size))
		return 0;
	while (script_read_op(&r.in, &diff_def, &op))
		driver_apply(&r.drv, &r.g, &op);
	if (vguest_init(&vg, &r.g, r.h.v[H_LAYOUT] & 0x80)) {
		if (setup(&r, &vg)) {
			monitor_start(&D.mon, &r.g, &D.q);
			serve((uint32_t)r.h.v[H_SEED]);
			monitor_stop(&D.mon);
			virtq_vringh_destroy(D.v);
		}
		vguest_free(&vg);
	}
	run_end(&r);
	return 0;
}

FUZZ_ENTRY(fuzz_diff_run)
