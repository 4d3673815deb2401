/* SPDX-License-Identifier: MIT */
/*
 * What the guest's memory tells about a device: what the driver put at each
 * byte, its guard bytes, the device view's protection and the faults on it,
 * and the shadow that shows every byte only a device can have written.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bulk.h"
#include "mem_internal.h"

static const struct {
	const char *name;
	bool device_writable;
} kinds[VG_K_COUNT] = {
	[VG_K_FREE] = {"memory outside any ring part or buffer", false},
	[VG_K_DESC] = {"descriptor table", false},
	[VG_K_AVAIL_FLAGS] = {"avail flags", false},
	[VG_K_AVAIL_IDX] = {"avail idx", false},
	[VG_K_AVAIL_RING] = {"avail ring entry", false},
	[VG_K_USED_EVENT] = {"used_event", false},
	[VG_K_USED_FLAGS] = {"used flags", true},
	[VG_K_USED_IDX] = {"used idx", true},
	[VG_K_USED_ELEM] = {"used ring entry", true},
	[VG_K_AVAIL_EVENT] = {"avail_event", true},
	[VG_K_INDIRECT] = {"indirect table", false},
	[VG_K_RBUF] = {"device-readable buffer", false},
	[VG_K_WBUF] = {"device-writable buffer", true},
	[VG_K_GUARD_DESC] = {"guard bytes around the descriptor table", false},
	[VG_K_GUARD_AVAIL] = {"guard bytes around the avail ring", false},
	[VG_K_GUARD_USED] = {"guard bytes around the used ring", false},
	[VG_K_GUARD_IND] = {"guard bytes after an indirect table", false},
	[VG_K_GUARD_RBUF] = {"guard bytes after a readable buffer", false},
	[VG_K_GUARD_WBUF] = {"guard bytes after a writable buffer", false},
	[VG_K_GUARD] = {"guard bytes", false},
	[VG_K_OLD_RING] = {"ring of the queue before re-initialisation", false},
};

const char *vg_kind_name(enum vg_kind k) { return k < VG_K_COUNT ? kinds[k].name : "?"; }
bool vg_kind_device_writable(enum vg_kind k) { return k < VG_K_COUNT && kinds[k].device_writable; }
bool vg_kind_is_guard(enum vg_kind k)
{
	return k == VG_K_FREE || (k >= VG_K_GUARD_DESC && k <= VG_K_GUARD);
}

/* ---- kinds, guards, allocation ---- */

static void mark_piece(const struct vg_region *r, uint64_t off, uint64_t at, uint64_t n, void *k)
{
	(void)at;
	if (r->kind)
		memset(r->kind + off, *(const int *)k, n);
}

void vg_mem_mark(struct vg_mem *m, uint64_t gpa, uint64_t len, enum vg_kind k)
{
	int v = (int)k;

	(void)vg__each_piece(m, gpa, len, mark_piece, &v);
}

enum vg_kind vg_mem_kind(const struct vg_mem *m, uint64_t gpa)
{
	const struct vg_region *r = vg_mem_find(m, gpa);

	return r && r->kind ? (enum vg_kind)r->kind[gpa - r->gpa] : VG_K_FREE;
}

void vg_mem_guard(struct vg_mem *m, uint64_t gpa, uint64_t len, enum vg_kind k)
{
	if (len == 0 || !vg_mem_fill(m, gpa, VG_GUARD_BYTE, len))
		return;
	vg_mem_mark(m, gpa, len, k);
	if (m->nguards == m->capguards) {
		size_t cap = m->capguards ? 2 * m->capguards : 64;
		struct vg_guard *g = realloc(m->guards, cap * sizeof(*g));

		if (!g)
			abort(); /* the guest cannot keep its own books: no result is sound */
		m->guards = g;
		m->capguards = cap;
	}
	m->guards[m->nguards++] = (struct vg_guard){gpa, len};
}

static void check_piece(const struct vg_region *r, uint64_t off, uint64_t at, uint64_t n, void *bad)
{
	uint64_t *first = bad;

	for (uint64_t i = 0; i < n && *first == UINT64_MAX; i++)
		if (r->drv[off + i] != VG_GUARD_BYTE)
			*first = r->gpa + off + i;
	(void)at;
}

bool vg_mem_guards_intact(const struct vg_mem *m, uint64_t *bad_gpa)
{
	for (size_t i = 0; i < m->nguards; i++) {
		uint64_t first = UINT64_MAX;

		if (!vg__each_piece(m, m->guards[i].gpa, m->guards[i].len, check_piece, &first))
			first = m->guards[i].gpa;
		if (first != UINT64_MAX) {
			if (bad_gpa)
				*bad_gpa = first;
			return false;
		}
	}
	return true;
}

/* ---- protection ---- */

static int prot_flags(enum vg_prot p)
{
	return p == VG_PROT_RW ? PROT_READ | PROT_WRITE : p == VG_PROT_RO ? PROT_READ : PROT_NONE;
}

int vg_mem_protect(struct vg_mem *m, uint64_t gpa, uint64_t len, enum vg_prot prot)
{
	const struct vg_region *r = vg_mem_find(m, gpa);
	struct vg_backing *b;
	size_t first, end;

	if (!r || len == 0 || (m->flags & VG_MEM_TIGHT) || len > r->size - (gpa - r->gpa))
		return -1;
	b = r->b;
	first = (size_t)(r->dev - b->body) + (size_t)(gpa - r->gpa);
	end = vg__round_up(first + len, m->page);
	first &= ~(m->page - 1);
	if (b->nprot == MAX_PROT || end > b->body_len)
		return -1;
	if (mprotect(b->body + first, end - first, prot_flags(prot)) != 0)
		return -1;
	b->prot[b->nprot].off = first;
	b->prot[b->nprot].len = end - first;
	b->prot[b->nprot++].prot = prot;
	return 0;
}

enum vg_prot vg__prot_of(const struct vg_backing *b, size_t off)
{
	enum vg_prot p = VG_PROT_RW;

	for (unsigned i = 0; i < b->nprot; i++) /* later calls win, as mprotect does */
		if (off >= b->prot[i].off && off - b->prot[i].off < b->prot[i].len)
			p = b->prot[i].prot;
	return p;
}

enum vg_prot vg_mem_prot_at(const struct vg_mem *m, uint64_t gpa)
{
	const struct vg_region *r = vg_mem_find(m, gpa);

	if (!r)
		return VG_PROT_NONE;
	return vg__prot_of(r->b, (size_t)(r->dev - r->b->body) + (size_t)(gpa - r->gpa));
}

/* ---- faults ---- */

static struct vg_mem *fault_mem;
static vg_fault_fn fault_fn;
static void *fault_arg;

/* Which part of the guest's mappings @a is in; false if none (not our fault). */
static bool classify(const struct vg_mem *m, uintptr_t a, uint64_t *gpa, enum vg_kind *k,
		     const char **what)
{
	for (unsigned i = 0; i < m->nr; i++) {
		const struct vg_region *r = &m->r[i];
		const struct vg_backing *b = r->b;
		uintptr_t lo = (uintptr_t)b->resv, hi = (uintptr_t)b->body + b->body_len + m->page;

		if (a < lo || a >= hi)
			continue;
		if (a >= (uintptr_t)r->dev && a - (uintptr_t)r->dev < r->size) {
			enum vg_prot p = vg__prot_of(b, a - (uintptr_t)b->body);

			*gpa = r->gpa + (a - (uintptr_t)r->dev);
			*k = r->kind ? (enum vg_kind)r->kind[*gpa - r->gpa] : VG_K_FREE;
			*what = p == VG_PROT_RO ? "store to a page that is read-only in the device's view"
						: "access to a page that is inaccessible in the device's view";
			return true;
		}
		*what = "access past the end of a region (guard page)";
		return true;
	}
	for (const struct vg_backing *b = m->retired; b; b = b->next)
		if (a >= (uintptr_t)b->body && a - (uintptr_t)b->body < b->body_len) {
			*what = "access to guest memory retired by a memory-map change (stale translation)";
			return true;
		}
	return false;
}

/* The handler hears of an access at host address @a if it is in the guest's device view; false if not. */
static bool tell_fault(uintptr_t a)
{
	uint64_t gpa = 0;
	enum vg_kind k = VG_K_FREE;
	const char *what = NULL;

	if (!a || !fault_mem || !fault_fn || !classify(fault_mem, a, &gpa, &k, &what))
		return false;
	fault_fn(fault_arg, gpa, k, what);
	return true;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* Not ours, or a handler that returned: the re-executed access kills the process. */
	(void)tell_fault((uintptr_t)si->si_addr);
	signal(sig, SIG_DFL);
}

static volatile sig_atomic_t in_report; /* the handler runs from ASan's report */

bool vg_mem_fault_in_report(void) { return in_report != 0; }

#ifdef VG_ASAN
/*
 * ASan found an access to poisoned memory: if it is in the guest's device
 * view (memory a remap retired, a region's slack bytes), the fault handler
 * says so as for a fault; anything else is left to ASan's own report.  An
 * access that starts inside a region and runs into its slack is reported
 * at its start, so the address judged is the access's first poisoned byte.
 */
static void on_asan_report(const char *report)
{
	uintptr_t a = (uintptr_t)__asan_get_report_address();
	size_t n = __asan_get_report_access_size();
	void *bad = a && n ? __asan_region_is_poisoned((void *)a, n) : NULL;

	(void)report;
	in_report = 1;
	(void)tell_fault(bad ? (uintptr_t)bad : a);
	in_report = 0;
}
#endif

void vg_mem_on_fault(struct vg_mem *m, vg_fault_fn fn, void *arg)
{
	struct sigaction sa;

	fault_mem = fn ? m : NULL;
	fault_fn = fn;
	fault_arg = arg;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (fn) {
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO;
	} else {
		sa.sa_handler = SIG_DFL;
	}
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
#ifdef VG_ASAN
	__asan_set_error_report_callback(fn ? on_asan_report : NULL);
#endif
}

/* ---- the device-write oracle ---- */

void vg_mem_snapshot(struct vg_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++)
		if (m->r[i].shadow)
			vg__shadow_take(&m->r[i]);
}

/* Who hears of the differences: per byte (was, now) or per run of bytes. */
struct diff_sink {
	void (*byte)(void *arg, uint64_t gpa, uint8_t was, uint8_t now);
	void (*run)(void *arg, uint64_t gpa, uint64_t len);
	void *arg;
};

/* A run [off, off + n) of @r that differs: told, then taken into the shadow. */
static void diff_emit(struct vg_region *r, uint64_t off, uint64_t n, const struct diff_sink *k)
{
	size_t base = (size_t)(r->dev - r->b->body);

	for (uint64_t i = off; i < off + n; i++) {
		/* Inaccessible pages: not the device's doing (vg_mem_protect; rare, so per byte). */
		if (r->b->nprot && vg__prot_of(r->b, base + i) == VG_PROT_NONE)
			continue;
		if (k->byte)
			k->byte(k->arg, r->gpa + i, r->shadow[i], r->drv[i]);
		else if (!r->b->nprot) {
			k->run(k->arg, r->gpa + off, n);
			break;
		} else {
			k->run(k->arg, r->gpa + i, 1);
		}
	}
	vg__copy(r->shadow + off, r->drv + off, n);
}

/* The run of differing bytes being gathered: [start, start + n) of the region. */
struct diff_run {
	uint64_t start, n;
};

/* Add differing bytes [i, i + len): they extend the run, or it is emitted and they start the next. */
static void run_add(struct vg_region *r, const struct diff_sink *k, struct diff_run *run, uint64_t i,
		    uint64_t len)
{
	if (run->n && run->start + run->n == i) {
		run->n += len;
		return;
	}
	if (run->n)
		diff_emit(r, run->start, run->n, k);
	*run = (struct diff_run){i, len};
}

/* How many of the 8 bytes at @i differ from the shadow: 0, 8, or -1 for some. */
static int word_differs(const struct vg_region *r, uint64_t i)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
	uint64_t a, b, x;

	memcpy(&a, r->drv + i, 8);
	memcpy(&b, r->shadow + i, 8);
	x = a ^ b;
	if (x == 0)
		return 0;
	return ((x - ones) & ~x & highs) == 0 ? 8 : -1; /* no zero byte in x: all 8 differ */
}

/* Bytes [off, end) of a line that differs: by words, and byte by byte in a word that differs in part. */
static void diff_line(struct vg_region *r, const struct diff_sink *k, struct diff_run *run, uint64_t off,
		      uint64_t end)
{
	for (uint64_t i = off; i < end;) {
		int w = end - i >= 8 ? word_differs(r, i) : -1;

		if (w >= 0) {
			if (w)
				run_add(r, k, run, i, 8);
			i += 8;
			continue;
		}
		if (r->drv[i] != r->shadow[i])
			run_add(r, k, run, i, 1);
		i++;
	}
}

/*
 * One region: a device writes a few bytes of a region that may be a megabyte,
 * so compare in pages, then in cache lines where a page differs, then words,
 * then bytes only in a word that differs in part, joining differing bytes
 * into runs across word, line and page edges.  A device that fills a 64 KiB
 * buffer costs an eighth of the byte-by-byte loop it took before.
 */
static void diff_region(struct vg_region *r, const struct diff_sink *k)
{
	const uint64_t page = VG_SHADOW_PAGE, line = 64;
	struct diff_run run = {0, 0};

	for (uint64_t p = 0; p < r->size; p += page) {
		uint64_t pend = r->size - p < page ? r->size : p + page;
		/* A page whose shadow is all zero is compared with the one page of zeros (mem_shadow.c). */
		const unsigned char *was = r->shadow_zero[p / page] ? vg__zero_page : r->shadow + p;

		if (vg__same(r->drv + p, was, pend - p))
			continue;
		vg__shadow_open_page(r, p / page); /* its bytes are compared one by one below */
		for (uint64_t off = p; off < pend; off += line) {
			uint64_t end = pend - off < line ? pend : off + line;

			if (!vg__same(r->drv + off, r->shadow + off, end - off))
				diff_line(r, k, &run, off, end);
		}
	}
	if (run.n)
		diff_emit(r, run.start, run.n, k);
}

void vg_mem_diff(struct vg_mem *m, void (*visit)(void *arg, uint64_t gpa, uint8_t was, uint8_t now),
		 void *arg)
{
	const struct diff_sink k = {visit, NULL, arg};

	for (unsigned i = 0; i < m->nr; i++)
		if (m->r[i].shadow)
			diff_region(&m->r[i], &k);
}

void vg_mem_diff_runs(struct vg_mem *m, void (*visit)(void *arg, uint64_t gpa, uint64_t len), void *arg)
{
	const struct diff_sink k = {NULL, visit, arg};

	for (unsigned i = 0; i < m->nr; i++)
		if (m->r[i].shadow)
			diff_region(&m->r[i], &k);
}
