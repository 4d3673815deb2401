/* SPDX-License-Identifier: MIT */
/* The access monitor (see monitor.h). */
#include "monitor.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vguest/layout.h"

static uint16_t used_idx_now(const struct monitor *mon)
{
	return vg_mem_load16(mon->im->mem, mon->im->used + VG_USED_IDX);
}

/*
 * The idx store happens after the log call returns, so it is judged at the
 * next log call or settle(): every slot it publishes must have had its id
 * and len stored first (W1).  The old idx is the device's own last store, not
 * the guest field, which the driver may scribble on.
 */
void monitor_settle(struct monitor *mon)
{
	uint16_t now, size = (uint16_t)mon->im->size;

	if (!mon->idx_pending)
		return;
	mon->idx_pending = false;
	now = used_idx_now(mon);
	for (uint16_t s = mon->idx; s != now; s++) {
		FUZZ_ORACLE("store-order", mon->elem[s % size] == 3,
			    "used idx %u -> %u published slot %u before its id and len were stored", mon->idx,
			    now, s);
		mon->elem[s % size] = 0;
	}
	mon->idx = now;
}

static void on_store(struct monitor *mon, const void *hva, size_t size)
{
	const struct fz_image *im = mon->im;
	uint64_t gpa = 0, off;

	FUZZ_ORACLE("store-range",
		    vg_mem_gpa_of(im->mem, hva, &gpa) && image_touches_used(im, gpa, size) &&
			    gpa >= im->used && gpa - im->used + size <= vg_used_bytes(im->size),
		    "device ring store (%zu bytes at gpa 0x%llx) outside the used ring", size,
		    (unsigned long long)gpa);
	off = gpa - im->used;
	if (off >= 4 && off < 4 + 8ull * im->size)
		mon->elem[((off - 4) / 8) % im->size] |= (off - 4) % 8 == 0 ? 1 : 2;
	else if (off == VG_USED_IDX)
		mon->idx_pending = true;
}

static void on_load_desc(struct monitor *mon, const void *hva)
{
	uint64_t gpa = 0;

	FUZZ_ORACLE("work-bound", mon->nloads < mon->max_loads,
		    "one pop fetched more than %u descriptors (queue size + indirect bound): unbounded walk",
		    mon->max_loads);
	vg_mem_gpa_of(mon->im->mem, hva, &gpa);
	mon->loads[mon->nloads++] = gpa;
	mon->total_loads++;
}

static void on_access(void *opaque, enum vdut_access kind, const void *hva, size_t size)
{
	struct monitor *mon = opaque;

	monitor_settle(mon);
	if ((kind == VDUT_ACC_LOAD || kind == VDUT_ACC_LOAD_DESC) && mon->before_load)
		mon->before_load(mon->arg, kind, hva, size);
	if (kind == VDUT_ACC_STORE)
		on_store(mon, hva, size);
	else if (kind == VDUT_ACC_LOAD_DESC)
		on_load_desc(mon, hva);
}

void monitor_start(struct monitor *mon, const struct fz_image *im, const struct vdut_adapter *ad, void *q,
		   uint32_t max_indirect)
{
	struct vg_store loads = mon->loads_store, elem = mon->elem_store;

	memset(mon, 0, sizeof(*mon));
	mon->loads_store = loads; /* kept from input to input */
	mon->elem_store = elem;
	mon->im = im;
	mon->idx = 0; /* the device's used idx starts at 0, whatever the guest's field holds */
	if (!(ad->caps & VDUT_CAP_ACCESS_LOG) || !ad->set_access_log)
		return;
	mon->max_loads = im->size + (max_indirect ? max_indirect : 65536u);
	mon->loads = vg_store_get(&mon->loads_store, sizeof(*mon->loads) * mon->max_loads, false);
	mon->elem = vg_store_get(&mon->elem_store, im->size, true);
	FUZZ_ASSERT(mon->loads && mon->elem, "out of memory");
	mon->on = ad->set_access_log(q, on_access, mon) == VDUT_OK;
}

void monitor_stop(struct monitor *mon, const struct vdut_adapter *ad, void *q)
{
	if (mon->on) {
		monitor_settle(mon);
		ad->set_access_log(q, NULL, NULL);
	}
	mon->on = false;
	mon->loads = NULL;
	mon->elem = NULL;
}

void monitor_window(struct monitor *mon) { mon->nloads = 0; }

void monitor_sync_idx(struct monitor *mon, uint16_t idx)
{
	monitor_settle(mon);
	mon->idx = idx;
	if (mon->elem)
		memset(mon->elem, 0, mon->im->size);
}
