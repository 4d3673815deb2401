/* SPDX-License-Identifier: MIT */
/* The black-box harness (see bb.h). */
#include "bb.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *bb_backend;
const struct bb_type *bb_type = &bb_type_blk;
const char *bb_tmp;

static const struct bb_type *const bb_types[] = {&bb_type_blk, &bb_type_net, &bb_type_fs};

const struct bb_type *bb_type_find(const char *name)
{
	for (size_t i = 0; i < sizeof(bb_types) / sizeof(bb_types[0]); i++)
		if (strcmp(bb_types[i]->name, name) == 0)
			return bb_types[i];
	return NULL;
}

const char *bb_type_names(void)
{
	static char names[64];

	if (!names[0])
		for (size_t i = 0; i < sizeof(bb_types) / sizeof(bb_types[0]); i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? "|" : "",
				 bb_types[i]->name);
	return names;
}

/* Findings carry the ring's indices as the driver sees them. */
static size_t ctx_of(void *opaque, char *buf, size_t n)
{
	const struct bb *b = opaque;
	struct vqc_sb s = {buf, n, 0};

	if (!b->drv)
		return 0;
	vqc_sb_str(&s, "\"q\":");
	vqc_sb_u64(&s, b->drv->size);
	vqc_sb_str(&s, ",\"avail\":");
	vqc_sb_u64(&s, b->drv->avail_pub);
	vqc_sb_str(&s, ",\"used\":");
	vqc_sb_u64(&s, vg_drv_used_idx(b->drv));
	return s.len;
}

static _Noreturn void setup_failed(struct bb *b, const char *step)
{
	char why[400] = "";

	if (!vhu_fe_alive(&b->fe, why, sizeof(why)))
		vqc_fatal(vqc_primary(), "adapter-error", "a back-end that is set up", why, "%s: %s", step, why);
	vqc_fatal(vqc_primary(), "adapter-error", "the back-end accepts a valid set-up", vhu_fe_error(&b->fe),
		  "%s: %s", step, vhu_fe_error(&b->fe));
}

/* The test's front-end while it is open: a test that ends early still stops its back-end. */
static struct bb *live;

static void cleanup(void)
{
	if (live)
		vhu_fe_close(&live->fe);
	live = NULL;
}

static void start_backend(struct bb *b)
{
	static bool registered;
	int rc;

	if (!registered) { /* a failed Check assertion _exits: main.c removes what that leaves */
		vqc_on_fatal(cleanup);
		registered = true;
	}
	live = b;
	vhu_fe_init(&b->fe);
	b->fe.timeout_ms = BB_ANSWER_MS;
	b->fe.tmp_root = bb_tmp;
	VQC_REQUIRE(bb_backend != NULL, "no back-end given (--backend COMMAND or @SOCKET)");
	rc = bb_backend[0] == '@' ? vhu_fe_connect(&b->fe, bb_backend + 1) : vhu_fe_spawn(&b->fe, bb_backend);
	if (rc != 0)
		setup_failed(b, "start");
}

void bb_ring_start(struct bb *b, unsigned idx, const struct vg_drv *d, uint16_t start)
{
	struct vhu_fe_ring_cfg rc = {d->size, d->desc, d->avail, d->used, start};

	if (vhu_fe_ring_start(&b->fe, idx, &b->mem, &rc) != 0)
		setup_failed(b, vqc_s("ring %u set-up", idx));
}

bool bb_open(struct bb *b, uint32_t size, uint64_t features)
{
	return bb_open_at(b, size, features, 0, BB_ONE_REGION);
}

/*
 * BB_SPLIT: writable buffers from the two adjacent regions, the first one
 * across their boundary; net's writable buffers are the receive ring's.
 * Every ring is in place by now: nothing else allocates from the cursor.
 */
static void split_memory(struct bb *b)
{
	struct vg_zone w = {BB_GPA_W + BB_MEM_W - 256, BB_GPA_W + 2 * BB_MEM_W}, none = {0, 0};

	VQC_REQUIRE(vg_mem_add(&b->mem, BB_GPA_W, BB_MEM_W) >= 0, "guest memory region");
	VQC_REQUIRE(vg_mem_add(&b->mem, BB_GPA_W + BB_MEM_W, BB_MEM_W) >= 0, "guest memory region");
	vg_drv_use_zones(b->drv, b->mem.cursor, b->rx ? none : w);
	if (b->rx)
		vg_drv_use_zones(b->rx, none, w);
}

bool bb_open_at(struct bb *b, uint32_t size, uint64_t features, uint16_t start, enum bb_layout layout)
{
	memset(b, 0, sizeof(*b));
	features |= F_VERSION_1;
	VQC_REQUIRE(vg_mem_init(&b->mem, VG_MEM_SHADOW | VG_MEM_KINDS) == 0, "guest memory");
	VQC_REQUIRE(vg_mem_add(&b->mem, BB_GPA, BB_MEM) == 0, "guest memory region");
	b->drv = vg_drv_create(&b->mem, size, features);
	VQC_REQUIRE(b->drv != NULL, "driver for a queue of %u", size);
	if (bb_type->create)
		bb_type->create(b);
	if (layout == BB_SPLIT)
		split_memory(b);
	if (start) { /* as after a migration: both indices at @start, nothing in flight */
		vg_drv_start_at(b->drv, start);
		vg_mem_store16(&b->mem, b->drv->used + VG_USED_IDX, start, true);
		vg_mem_store16(&b->mem, vg_drv_avail_event_gpa(b->drv), start, true); /* the old device's */
	}
	vqc_set_ctx(ctx_of, b);
	vqc_param(vqc_s("\"q\":%u,\"features\":\"%s%s\"%s", size, (features & F_EVENT_IDX) ? "EVENT_IDX " : "",
			(features & F_INDIRECT) ? "INDIRECT_DESC" : "",
			layout == BB_SPLIT ? ",\"relocated\":true" : ""));
	start_backend(b);
	if (vhu_fe_negotiate(&b->fe, features) != 0)
		setup_failed(b, "negotiation");
	if ((b->fe.features & features) != features) {
		vqc_set_status("na", vqc_s("the back-end does not offer features 0x%llx",
					   (unsigned long long)(features & ~b->fe.features)));
		cleanup();
		return false;
	}
	if (vhu_fe_set_mem(&b->fe, &b->mem) != 0)
		setup_failed(b, "memory table");
	bb_ring_start(b, bb_type->q, b->drv, start);
	if (bb_type->start)
		bb_type->start(b);
	/*
	 * The shadow holds what the driver wrote: a back-end that "initialises"
	 * the table or the avail ring as its ring starts is a finding, not the
	 * baseline (SPLIT-DESC-5, SPLIT-LAY-3 by the kind of byte).
	 */
	bb_check_memory(b);
	/* A call the back-end sends while starting the ring is not about any used entry: set aside. */
	if (vhu_fe_wait_call(&b->fe, bb_type->q, 20))
		vqc_find(VQC_INFO, vqc_primary(), "call-at-setup", "no call before a used entry", "a call",
			 "the back-end called while the ring was being set up");
	return true;
}

void bb_check_alive(struct bb *b, const char *clause)
{
	char why[400];

	if (!vhu_fe_alive(&b->fe, why, sizeof(why)))
		vqc_fatal(clause, "backend-died", "the back-end survives a hostile driver", why, "%s", why);
}

void bb_ring_stop(struct bb *b, unsigned idx)
{
	uint16_t last;

	if (vhu_fe_ring_stop(&b->fe, idx, &last) == 0)
		return;
	bb_check_alive(b, vqc_primary());
	/* libvhost-user drops the front-end on any ring error it detects: its way of asking for a reset. */
	if (b->fe.closed)
		vqc_find(VQC_INFO, vqc_primary(), "connection-closed", "GET_VRING_BASE answered",
			 "the connection ended", "the back-end ended the connection: %s", vhu_fe_error(&b->fe));
	else
		vqc_find(VQC_FAIL, vqc_primary(), "no-stop", "GET_VRING_BASE answered", vhu_fe_error(&b->fe),
			 "stopping ring %u: %s", idx, vhu_fe_error(&b->fe));
}

void bb_ring_retire(struct bb *b, unsigned idx, struct vg_drv **d, const char *name)
{
	struct vg_used u;

	while (vg_drv_reap(*d, &u) == 1)
		bb_judge_used(&u, name);
	if (!b->fe.closed)
		bb_ring_stop(b, idx);
	vg_drv_destroy(*d);
	*d = NULL;
}

void bb_close(struct bb *b)
{
	bb_check_memory(b);
	bb_check_alive(b, vqc_primary());
	bb_ring_stop(b, bb_type->q);
	if (bb_type->close)
		bb_type->close(b);
	cleanup();
	vg_drv_destroy(b->drv);
	b->drv = NULL;
	vg_mem_destroy(&b->mem);
}

void bb_kick(struct bb *b)
{
	VQC_REQUIRE(vhu_fe_kick(&b->fe, bb_type->q) == 0, "kick: %s", vhu_fe_error(&b->fe));
}

/* Whether the back-end has ended the connection (probed without blocking). */
bool bb_closed(struct bb *b)
{
	struct pollfd p = {b->fe.sock, POLLIN | POLLRDHUP, 0};

	if (b->fe.sock >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR)))
		b->fe.closed = true;
	return b->fe.closed;
}

void bb_publish(struct bb *b)
{
	if (vg_drv_publish(b->drv))
		bb_kick(b);
}

uint64_t bb_calls(struct bb *b)
{
	b->calls += vhu_fe_calls(&b->fe, bb_type->q);
	return b->calls;
}

/* Used entries are read from the ring, not inferred from calls: a call may be suppressed. */
uint16_t bb_wait_ring(struct bb *b, struct vg_drv *d, unsigned idx, uint16_t n)
{
	int64_t deadline = vhu_now_ms() + BB_WAIT_MS;
	uint16_t got;

	while ((got = vg_drv_used_pending(d)) < n && vhu_now_ms() < deadline) {
		uint64_t c;

		bb_check_alive(b, vqc_primary());
		c = vhu_fe_wait_call(&b->fe, idx, 5);
		if (idx == bb_type->q)
			b->calls += c;
	}
	return got;
}

uint16_t bb_wait_used(struct bb *b, uint16_t n) { return bb_wait_ring(b, b->drv, bb_type->q, n); }

bool bb_judge_used(const struct vg_used *e, const char *ring)
{
	if (e->verdict == VG_USED_BAD_ID || e->verdict == VG_USED_NOT_EXPOSED)
		vqc_find(VQC_FAIL, "SPLIT-USED-2", "bad-used-id", "a head the driver exposed, once",
			 vqc_s("id %u", e->id), "%sused entry %u: id %u is no chain in flight", ring, e->idx, e->id);
	else if (e->verdict == VG_USED_LEN_OVER)
		vqc_find(VQC_FAIL, "SPLIT-USED-3", "len-over-writable", "at most the writable bytes",
			 vqc_s("%u", e->len), "%sused entry %u (head %u): len %u", ring, e->idx, e->id, e->len);
	return e->verdict == VG_USED_OK;
}

unsigned bb_reap(struct bb *b, struct vg_used *u, unsigned max)
{
	unsigned n = 0;

	while (n < max && vg_drv_reap(b->drv, &u[n]) == 1)
		bb_judge_used(&u[n++], "");
	return n;
}

void bb_check_memory(struct bb *b) { vqc_check_memory(&b->mem, NULL); }
