/* SPDX-License-Identifier: MIT */
/* The guest image of a fuzz input (see image.h). */
#include "image.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "vguest/layout.h"

static void say(const char *s) { (void)!write(2, s, strlen(s)); }

/*
 * The device touched a guard page or memory retired by a remap: an oracle
 * finding like any other (oracle guest-fault), said with async-signal-safe
 * writes only.  From the signal handler, abort() as every oracle; from
 * ASan's report (poisoned memory, vg_mem_fault_in_report), return: ASan
 * then ends the process through its death callbacks, libFuzzer's among
 * them, which write the crash file.  An abort() there would find
 * libFuzzer's handler shut out by ASan's report in progress, and the
 * finding would leave no file.
 */
static void on_fault(void *arg, uint64_t gpa, enum vg_kind kind, const char *what)
{
	char hex[19] = "0x";

	(void)arg;
	(void)kind;
	for (int i = 0; i < 16; i++)
		hex[2 + i] = "0123456789abcdef"[(gpa >> (60 - 4 * i)) & 15];
	hex[18] = '\0';
	say("FUZZ_ASSERT failed at " __FILE__ ": oracle guest-fault: the device faulted in guest memory\n  ");
	say(what);
	say(" (gpa ");
	say(hex);
	say(")\n");
	if (!vg_mem_fault_in_report())
		abort();
}

/* One guest memory for the process: its mappings are reused from input to input. */
static struct vg_mem *process_mem(void)
{
	static struct vg_mem m;
	static bool ready;

	if (!ready) {
		vg_mem_init(&m, VG_MEM_TIGHT | VG_MEM_REUSE | VG_MEM_SHADOW);
		vg_mem_on_fault(&m, on_fault, NULL);
		ready = true;
	}
	return &m;
}

/*
 * One driver for the process too: created by the first input, then reused,
 * its books grown to the largest queue seen.  Nothing is allocated per input.
 */
static struct vg_drv *process_drv(struct fz_image *im)
{
	static struct vg_drv *d;

	if (!d)
		return d = vg_drv_create_at(im->mem, im->size, im->features, im->desc, im->avail, im->used);
	return vg_drv_reuse(d, im->size, im->features, im->desc, im->avail, im->used) == 0 ? d : NULL;
}

/* Ring parts back to back; with min_align each sits at exactly its minimum alignment. */
static uint64_t place_rings(struct fz_image *im, uint64_t base, bool min_align)
{
	uint64_t p = base + (min_align ? 16 : 0);

	im->desc = p;
	p += vg_desc_bytes(im->size);
	im->avail = p + (min_align ? 2 : 0);
	p = im->avail + vg_avail_bytes(im->size);
	p = (p + 3) & ~UINT64_C(3);
	im->used = p + (min_align ? 4 : 0);
	return im->used + vg_used_bytes(im->size) - base;
}

/*
 * The parts the other way round, used ring first: legal (§2.7 fixes no order)
 * and the only placement where a part lies wholly below the one it is
 * compared with.
 */
static uint64_t place_rings_reversed(struct fz_image *im, uint64_t base, bool min_align)
{
	uint64_t p;

	im->used = base + (min_align ? 4 : 0);
	p = im->used + vg_used_bytes(im->size);
	im->avail = ((p + 1) & ~UINT64_C(1)) + (min_align ? 2 : 0);
	p = im->avail + vg_avail_bytes(im->size);
	im->desc = ((p + 15) & ~UINT64_C(15)) + (min_align ? 16 : 0);
	return im->desc + vg_desc_bytes(im->size) - base;
}

enum placement { P_USUAL, P_REVERSED, P_USED_ON_DESC, P_USED_ON_AVAIL };

/*
 * Seed bits 28-31 = 0xB: an odd placement, by seed bits 22-23.  Chosen by a
 * value no earlier input has there, so every seed and regression keeps its
 * layout.  The used ring may start on the descriptor table's last four bytes
 * or on the avail ring's last ones (SPLIT-LAY-3: a device must refuse both).
 */
static enum placement placement_of(uint32_t seed)
{
	static const enum placement odd[4] = {P_REVERSED, P_USED_ON_DESC, P_USED_ON_AVAIL, P_REVERSED};

	return (seed >> 28) == 0xB ? odd[(seed >> 22) % 4] : P_USUAL;
}

static void overlap_used(struct fz_image *im, enum placement pl)
{
	if (pl == P_USED_ON_DESC)
		im->used = im->desc + vg_desc_bytes(im->size) - 4;
	else if (pl == P_USED_ON_AVAIL)
		im->used = (im->avail + vg_avail_bytes(im->size) - 4) & ~UINT64_C(3);
}

/* The device's variant: callback translation, tiny segment arrays, the lazy walker, its indirect bound. */
static uint32_t variant_of(const struct script_vals *h)
{
	uint32_t seed = (uint32_t)h->v[H_SEED], v = 0;

	if (h->v[H_LAYOUT] & 0x80)
		v |= 0x1;
	if (seed & 0x1000000)
		v |= 0x2 | (((seed >> 25) % 4) << 2);
	if (seed & 0x8000000)
		v |= 0x10;
	return v | ((uint32_t)(h->v[H_IMAX] & 0xFF) << 8);
}

bool image_init(struct fz_image *im, const struct script_vals *h, uint64_t offered)
{
	uint8_t layout = (uint8_t)h->v[H_LAYOUT];
	bool rings_in_data = layout & 0x20;
	uint64_t ring_base, ring_len;
	enum placement pl;

	memset(im, 0, sizeof(*im));
	im->mem = process_mem();
	im->size = 1u << (h->v[H_SIZE] % 16);
	im->features = (h->v[H_FEAT] & 1 ? VG_FEATURE(VG_F_INDIRECT_DESC) : 0) |
		       (h->v[H_FEAT] & 2 ? VG_FEATURE(VG_F_EVENT_IDX) : 0);
	im->features = (im->features & offered) | VG_FEATURE(VG_F_VERSION_1);
	im->variant = variant_of(h);
	im->seed = (uint32_t)h->v[H_SEED];
	pl = placement_of(im->seed);
	ring_base = rings_in_data ? DATA_GPA + DATA_CHUNK - 0x100 : RING_GPA;
	ring_len = pl == P_REVERSED ? place_rings_reversed(im, ring_base, layout & 0x10)
				    : place_rings(im, ring_base, layout & 0x10);
	overlap_used(im, pl);
	if (layout & 0x40) {
		im->desc += 8;
		ring_len += 8;
	}
	/* Seed bits 28-29: ring parts that overlap (SPLIT-LAY-1) or leave the map. */
	switch ((im->seed >> 28) & 3) {
	case 1: /* the avail ring starts on the descriptor table's last two bytes */
		im->avail = im->desc + vg_desc_bytes(im->size) - 2;
		break;
	case 2: /* the used ring starts one page past the ring parts: outside their region */
		im->used += (ring_len + 0x1000) & ~UINT64_C(3);
		break;
	default:
		break;
	}
	if (!rings_in_data && vg_mem_add(im->mem, RING_GPA, ring_len) < 0)
		return false;
	for (unsigned i = 0; i < DATA_CHUNKS; i++)
		if (!(layout & (1u << i)) && vg_mem_add(im->mem, DATA_GPA + i * DATA_CHUNK, DATA_CHUNK) < 0)
			return false;
	im->drv = process_drv(im);
	return im->drv != NULL;
}

void image_fini(struct fz_image *im)
{
	im->drv = NULL;
	vg_mem_clear(im->mem);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

bool image_touches_used(const struct fz_image *im, uint64_t gpa, uint64_t len)
{
	return overlaps(gpa, len, im->used, vg_used_bytes(im->size));
}

bool image_touches_driver_parts(const struct fz_image *im, uint64_t gpa, uint64_t len)
{
	return overlaps(gpa, len, im->desc, vg_desc_bytes(im->size)) ||
	       overlaps(gpa, len, im->avail, vg_avail_bytes(im->size));
}
