/* SPDX-License-Identifier: MIT */
/* The access monitor (see monitor.h). */
#include "monitor.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static bool in_range(const void *p, size_t n, const void *base, uint64_t len)
{
	const unsigned char *a = p, *b = base;

	return b != NULL && a >= b && (uint64_t)(a - b) <= len && n <= len - (uint64_t)(a - b);
}

static uint16_t used_idx_now(const struct monitor *mon)
{
	return guest_le16(mon->g, mon->g->cfg.used_gpa + 2);
}

/*
 * The idx store itself happens after the hook returns, so it is checked at
 * the next hook call or settle(): every slot it publishes must have had its
 * id and len stored first (W1).
 */
void monitor_settle(struct monitor *mon)
{
	uint16_t now, size = (uint16_t)mon->g->cfg.size;

	if (!mon->idx_pending)
		return;
	mon->idx_pending = false;
	now = used_idx_now(mon);
	for (uint16_t s = mon->idx_before; s != now; s++) {
		FUZZ_ASSERT(mon->elem[s % size] == 3,
			    "used idx %u -> %u published slot %u before its id and len were stored",
			    mon->idx_before, now, s);
		mon->elem[s % size] = 0;
	}
}

static void on_store(struct monitor *mon, enum virtq_shm_what what, const void *addr, size_t size)
{
	const struct virtq_queue_config *c = &mon->g->cfg;
	const unsigned char *used = guest_hva(mon->g, c->used_gpa, virtq_used_bytes(c->size));

	FUZZ_ASSERT(in_range(addr, size, used, virtq_used_bytes(c->size)),
		    "device store (what %d, %zu bytes) outside the used ring", what, size);
	if (what == VIRTQ_SHM_USED_ELEM) {
		size_t off = (size_t)((const unsigned char *)addr - used) - 4;

		mon->elem[(off / 8) % c->size] |= off % 8 == 0 ? 1 : 2;
	} else if (what == VIRTQ_SHM_USED_IDX) {
		/* Not the ring's idx field: the driver (or stray data) may have written it. */
		mon->idx_pending = true;
		mon->idx_before = mon->q->published;
	}
}

static void on_load(struct monitor *mon, enum virtq_shm_what what, const void *addr, size_t size)
{
	uint64_t gpa = 0;

	if (mon->before_load != NULL)
		mon->before_load(mon->arg, what, addr, size);
	if (what == VIRTQ_SHM_AVAIL_RING)
		mon->ring_loads++;
	if (what != VIRTQ_SHM_DESC)
		return;
	FUZZ_ASSERT(mon->nloads < mon->max_loads,
		    "one pop fetched more than %u descriptors (queue size + indirect bound): "
		    "unbounded walk", mon->max_loads);
	guest_gpa(mon->g, addr, &gpa);
	mon->loads[mon->nloads++] = gpa;
	mon->total_loads++;
}

static void hook(void *opaque, enum virtq_shm_op op, enum virtq_shm_what what, const void *addr,
		 size_t size)
{
	struct monitor *mon = opaque;

	monitor_settle(mon);
	if (op == VIRTQ_SHM_STORE)
		on_store(mon, what, addr, size);
	else if (op == VIRTQ_SHM_LOAD)
		on_load(mon, what, addr, size);
}

void monitor_start(struct monitor *mon, const struct fuzz_guest *g, const struct virtq_queue *q)
{
	uint32_t imax = g->cfg.indirect_max ? g->cfg.indirect_max : VIRTQ_DEFAULT_INDIRECT_MAX;

	memset(mon, 0, sizeof(*mon));
	mon->g = g;
	mon->q = q;
	mon->max_loads = g->cfg.size + imax;
	mon->loads = malloc(sizeof(*mon->loads) * mon->max_loads);
	mon->elem = calloc(g->cfg.size, 1);
	FUZZ_ASSERT(mon->loads && mon->elem, "out of memory");
	virtq_shm_set_hook(hook, mon);
}

void monitor_stop(struct monitor *mon)
{
	monitor_settle(mon);
	virtq_shm_set_hook(NULL, NULL);
	free(mon->loads);
	free(mon->elem);
}

void monitor_window(struct monitor *mon)
{
	mon->nloads = 0;
	mon->ring_loads = 0;
}
