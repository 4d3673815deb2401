/* SPDX-License-Identifier: MIT */
/*
 * The driver's reads and writes of guest memory (see vguest/mem.h): whole
 * or nothing across regions, each write kept in the shadow so that only a
 * device's writes differ from it, and the ring fields the driver and device
 * share read and written atomically where they are naturally aligned.
 */
#include <string.h>

#include "bulk.h"
#include "mem_internal.h"

/* Run @fn over every region piece of [gpa, gpa + len), all or nothing. */
bool vg__each_piece(const struct vg_mem *m, uint64_t gpa, uint64_t len,
		       void (*fn)(const struct vg_region *r, uint64_t off, uint64_t at, uint64_t n, void *arg),
		       void *arg)
{
	uint64_t done = 0, n, off;
	const struct vg_region *one = vg__prefix(m, gpa, len, &n, &off);

	/* Most accesses lie in one region: one lookup, not a mapping pass and a copy pass. */
	if (one && n == len) {
		fn(one, off, 0, n, arg);
		return true;
	}
	if (!vg_mem_mapped(m, gpa, len))
		return false;
	while (done < len) {
		const struct vg_region *r = vg__prefix(m, gpa + done, len - done, &n, &off);

		fn(r, off, done, n, arg);
		done += n;
	}
	return true;
}

static void copy_out(const struct vg_region *r, uint64_t off, uint64_t at, uint64_t n, void *dst)
{
	memcpy((unsigned char *)dst + at, r->drv + off, n);
}

static void copy_in(const struct vg_region *r, uint64_t off, uint64_t at, uint64_t n, void *src)
{
	memcpy(r->drv + off, (const unsigned char *)src + at, n);
	if (r->shadow)
		vg__shadow_write(r, off, (const unsigned char *)src + at, n);
}

static void fill_with(const struct vg_region *r, uint64_t off, uint64_t at, uint64_t n, void *byte)
{
	(void)at;
	vg__set(r->drv + off, *(const int *)byte, n);
	if (r->shadow)
		vg__shadow_fill(r, off, *(const int *)byte, n);
}

bool vg_mem_read(const struct vg_mem *m, uint64_t gpa, void *dst, uint64_t len)
{
	return vg__each_piece(m, gpa, len, copy_out, dst);
}

bool vg_mem_write(struct vg_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	return vg__each_piece(m, gpa, len, copy_in, (void *)(uintptr_t)src);
}

bool vg_mem_fill(struct vg_mem *m, uint64_t gpa, int byte, uint64_t len)
{
	return vg__each_piece(m, gpa, len, fill_with, &byte);
}

/* A naturally aligned field inside one region can be accessed atomically. */
static uint16_t *atomic16(const struct vg_mem *m, uint64_t gpa, const struct vg_region **rr)
{
	uint64_t n, off;
	const struct vg_region *r = vg__prefix(m, gpa, 2, &n, &off);

	*rr = r;
	if (!r || n != 2 || ((uintptr_t)(r->drv + off) & 1u))
		return NULL;
	return (uint16_t *)(void *)(r->drv + off);
}

uint16_t vg_mem_load16(const struct vg_mem *m, uint64_t gpa)
{
	const struct vg_region *r;
	uint16_t *p = atomic16(m, gpa, &r);
	uint8_t b[2] = {0, 0};

	if (p) {
		uint16_t v = __atomic_load_n(p, __ATOMIC_ACQUIRE);

		memcpy(b, &v, 2);
	} else {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		(void)vg_mem_read(m, gpa, b, 2);
	}
	return (uint16_t)(b[0] | b[1] << 8);
}

void vg_mem_store16(struct vg_mem *m, uint64_t gpa, uint16_t v, bool release)
{
	const struct vg_region *r;
	uint16_t *p = atomic16(m, gpa, &r);
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	uint16_t raw;

	if (!p) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		(void)vg_mem_write(m, gpa, b, 2);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return;
	}
	memcpy(&raw, b, 2);
	__atomic_store_n(p, raw, release ? __ATOMIC_RELEASE : __ATOMIC_RELAXED);
	if (r->shadow)
		vg__shadow_write(r, gpa - r->gpa, b, 2);
}

uint32_t vg_mem_load32(const struct vg_mem *m, uint64_t gpa)
{
	uint8_t b[4] = {0, 0, 0, 0};

	(void)vg_mem_read(m, gpa, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
