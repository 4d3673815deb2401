/* SPDX-License-Identifier: MIT */
/* Guest memory of the conformance suite; see guest.h. */
#include "guest.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "findings.h"

static struct guest *fault_guest;

static const struct {
	const char *name;
	const char *clause;
	bool device_writable;
} kinds[GK_COUNT] = {
	[GK_FREE] = {"memory outside any ring part or buffer", "SPLIT-LAY-3", false},
	[GK_DESC] = {"descriptor table", "SPLIT-DESC-5", false},
	[GK_AVAIL_FLAGS] = {"avail flags", "SPLIT-LAY-3", false},
	[GK_AVAIL_IDX] = {"avail idx", "SPLIT-LAY-3", false},
	[GK_AVAIL_RING] = {"avail ring entry", "SPLIT-LAY-3", false},
	[GK_USED_EVENT] = {"used_event", "SPLIT-LAY-3", false},
	[GK_USED_FLAGS] = {"used flags", NULL, true},
	[GK_USED_IDX] = {"used idx", NULL, true},
	[GK_USED_ELEM] = {"used ring entry", NULL, true},
	[GK_AVAIL_EVENT] = {"avail_event", NULL, true},
	[GK_INDIRECT] = {"indirect table", "SPLIT-DESC-5", false},
	[GK_RBUF] = {"device-readable buffer", "SPLIT-DESC-2", false},
	[GK_WBUF] = {"device-writable buffer", NULL, true},
	[GK_GUARD_DESC] = {"guard bytes around the descriptor table", "SPLIT-DESC-5", false},
	[GK_GUARD_AVAIL] = {"guard bytes around the avail ring", "SPLIT-LAY-3", false},
	[GK_GUARD_USED] = {"guard bytes around the used ring", "SPLIT-USED-1", false},
	[GK_GUARD_IND] = {"guard bytes after an indirect table", "SPLIT-DESC-5", false},
	[GK_GUARD_RBUF] = {"guard bytes after a readable buffer", "SPLIT-DESC-2", false},
	[GK_GUARD_WBUF] = {"guard bytes after a writable buffer", "SPLIT-DESC-2", false},
	[GK_OLD_RING] = {"ring of the queue before re-initialisation", "VQ-RST-5", false},
};

bool gk_device_writable(enum gk k) { return kinds[k].device_writable; }
const char *gk_clause(enum gk k) { return kinds[k].clause ? kinds[k].clause : "SPLIT-LAY-3"; }
const char *gk_name(enum gk k) { return kinds[k].name; }

/*
 * A store into a read-only range (or any access to a sealed one) by the
 * implementation under test.  Only async-signal-safe work: name the clause
 * from the kind of the byte hit and end the test child.  Faults elsewhere
 * are not ours: restore the default action so the re-executed access kills
 * the child and Check reports a crash.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct guest *g = fault_guest;
	uintptr_t a = (uintptr_t)si->si_addr;
	char buf[512];
	struct vqc_sb b = {buf, sizeof(buf), 0};
	enum gk k;

	(void)uc;
	if (!g || a < (uintptr_t)g->hva || a - (uintptr_t)g->hva >= g->size) {
		signal(sig, SIG_DFL);
		return;
	}
	k = (enum gk)g->kind[a - (uintptr_t)g->hva];
	vqc_sb_str(&b, k == GK_OLD_RING ? "device accessed " : "device wrote to ");
	vqc_sb_str(&b, kinds[k].name);
	vqc_sb_str(&b, " at gpa ");
	vqc_sb_hex(&b, g->gpa + (a - (uintptr_t)g->hva));
	vqc_sb_str(&b, k == GK_OLD_RING ? " (pages sealed after re-initialisation)"
				      : " (page read-only in the device's view: the store faulted)");
	vqc_fault(g->override_clause && k != GK_OLD_RING ? g->override_clause : gk_clause(k),
		  k == GK_OLD_RING ? "old-ring-access" : "stray-write", buf);
}

int guest_init(struct guest *g, uint64_t gpa, size_t size)
{
	struct sigaction sa;
	long pg = sysconf(_SC_PAGESIZE);
	void *a, *b;
	int fd;

	memset(g, 0, sizeof(*g));
	g->page = pg > 0 ? (size_t)pg : 4096;
	size = (size + g->page - 1) & ~(g->page - 1);
	fd = memfd_create("vqc-guest", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		if (a != MAP_FAILED)
			munmap(a, size);
		if (b != MAP_FAILED)
			munmap(b, size);
		return -1;
	}
	g->hva = a;
	g->drv = b;
	g->gpa = gpa;
	g->size = size;
	g->kind = calloc(size, 1);
	g->shadow = calloc(size, 1);
	if (!g->kind || !g->shadow) {
		guest_destroy(g);
		return -1;
	}
	fault_guest = g;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	return 0;
}

void guest_destroy(struct guest *g)
{
	if (fault_guest == g)
		fault_guest = NULL;
	if (g->hva)
		munmap(g->hva, g->size);
	if (g->drv)
		munmap(g->drv, g->size);
	free(g->kind);
	free(g->shadow);
	memset(g, 0, sizeof(*g));
}

static size_t off_of(const struct guest *g, uint64_t gpa, size_t len)
{
	if (gpa < g->gpa || gpa - g->gpa > g->size || len > g->size - (gpa - g->gpa))
		ck_abort_msg("suite bug: guest range 0x%llx+%zu outside the region",
			     (unsigned long long)gpa, len);
	return (size_t)(gpa - g->gpa);
}

enum gk guest_kind(const struct guest *g, uint64_t gpa)
{
	if (gpa < g->gpa || gpa - g->gpa >= g->size)
		return GK_FREE;
	return (enum gk)g->kind[gpa - g->gpa];
}

uint64_t guest_gpa(const struct guest *g, const void *hva)
{
	uintptr_t a = (uintptr_t)hva;

	if (a < (uintptr_t)g->hva || a - (uintptr_t)g->hva >= g->size)
		return 0;
	return g->gpa + (a - (uintptr_t)g->hva);
}

void *guest_hva(const struct guest *g, uint64_t gpa)
{
	return g->hva + off_of(g, gpa, 0);
}

unsigned char *guest_ptr(const struct guest *g, uint64_t gpa)
{
	return g->drv + off_of(g, gpa, 0);
}

void guest_mark(struct guest *g, uint64_t gpa, size_t len, enum gk k)
{
	memset(g->kind + off_of(g, gpa, len), (int)k, len);
}

void guest_guard(struct guest *g, uint64_t gpa, size_t len, enum gk k)
{
	guest_mark(g, gpa, len, k);
	guest_fill(g, gpa, GUARD_BYTE, len);
}

static void add_range(struct guest *g, uint64_t gpa, size_t len, bool none)
{
	size_t off = off_of(g, gpa, len);

	VQC_REQUIRE(g->npr < sizeof(g->pr) / sizeof(g->pr[0]), "suite bug: too many protected ranges");
	VQC_REQUIRE(off % g->page == 0, "suite bug: range not page-aligned");
	len = (len + g->page - 1) & ~(g->page - 1);
	g->pr[g->npr++] = (struct prange){off, len, none};
	if (mprotect(g->hva + off, len, none ? PROT_NONE : PROT_READ) != 0)
		ck_abort_msg("mprotect failed");
}

void guest_protect(struct guest *g, uint64_t gpa, size_t len) { add_range(g, gpa, len, false); }

void guest_seal(struct guest *g, uint64_t gpa, size_t len) { add_range(g, gpa, len, true); }

void guest_write(struct guest *g, uint64_t gpa, const void *src, size_t len)
{
	size_t off = off_of(g, gpa, len);

	memcpy(g->drv + off, src, len);
	memcpy(g->shadow + off, src, len);
}

void guest_fill(struct guest *g, uint64_t gpa, int byte, size_t len)
{
	size_t off = off_of(g, gpa, len);

	memset(g->drv + off, byte, len);
	memset(g->shadow + off, byte, len);
}

void guest_write_raw(struct guest *g, uint64_t gpa, const void *src, size_t len)
{
	guest_write(g, gpa, src, len);
}

void guest_fill_raw(struct guest *g, uint64_t gpa, int byte, size_t len)
{
	guest_fill(g, gpa, byte, len);
}

void guest_read(const struct guest *g, uint64_t gpa, void *dst, size_t len)
{
	memcpy(dst, g->drv + off_of(g, gpa, len), len);
}

/* Guest memory is little-endian (virtio 1.x); so is every host we build on. */
uint16_t guest_ld16(const struct guest *g, uint64_t gpa)
{
	uint16_t v;

	guest_read(g, gpa, &v, 2);
	return v;
}

uint32_t guest_ld32(const struct guest *g, uint64_t gpa)
{
	uint32_t v;

	guest_read(g, gpa, &v, 4);
	return v;
}

void guest_st16(struct guest *g, uint64_t gpa, uint16_t v)
{
	guest_write(g, gpa, &v, 2);
}

uint64_t guest_alloc(struct guest *g, struct gzone *z, size_t len, size_t align, enum gk kind,
		     enum gk gkind, size_t guard)
{
	size_t start = (z->next + align - 1) & ~(align - 1);
	uint64_t gpa;

	if (start > z->end || z->end - start < len + guard)
		ck_abort_msg("suite bug: guest zone full (%zu bytes wanted, %zu left)", len + guard,
			     z->end > start ? z->end - start : 0);
	z->next = start + len + guard;
	gpa = g->gpa + start;
	guest_mark(g, gpa, len, kind);
	if (guard)
		guest_guard(g, gpa + len, guard, gkind);
	return gpa;
}

static bool sealed(const struct guest *g, size_t off)
{
	for (unsigned i = 0; i < g->npr; i++)
		if (g->pr[i].none && off >= g->pr[i].off && off < g->pr[i].off + g->pr[i].len)
			return true;
	return false;
}

void guest_compare(struct guest *g)
{
	for (size_t off = 0; off < g->size; off += g->page) {
		if (sealed(g, off) || memcmp(g->drv + off, g->shadow + off, g->page) == 0)
			continue;
		for (size_t i = off; i < off + g->page; i++) {
			enum gk k = (enum gk)g->kind[i];

			if (g->drv[i] == g->shadow[i])
				continue;
			/* The device's own areas: accept, so unchanged pages compare fast. */
			if (gk_device_writable(k)) {
				g->shadow[i] = g->drv[i];
				continue;
			}
			vqc_find(VQC_FAIL, g->override_clause ? g->override_clause : gk_clause(k),
				 "stray-write",
				 vqc_s("0x%02x", g->shadow[i]), vqc_s("0x%02x", g->drv[i]),
				 "device changed %s at gpa 0x%llx", gk_name(k),
				 (unsigned long long)(g->gpa + i));
			g->shadow[i] = g->drv[i];
		}
	}
}
