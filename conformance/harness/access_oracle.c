/* SPDX-License-Identifier: MIT */
/*
 * What the implementation's access log shows (VDUT_CAP_ACCESS_LOG): every
 * load, store and fence it reports about itself, in program order, judged
 * against the kind of guest byte it touches.  This is self-reported
 * evidence: a log that leaves an access out hides it (the report says so).
 *
 *   ORD-R1  ring entries, descriptors, tables and buffers are read after an
 *           acquire that covers the avail idx load;
 *   ORD-W1  used entries and reply data are released before the used idx store;
 *   ORD-F1  a full fence between the used idx store and the read of the
 *           driver's suppression fields (lost notification);
 *   ORD-F2  a full fence between re-enabling kicks and re-reading avail idx
 *           (lost kick);
 *   SPLIT-USED-5/6/11  what a used idx store publishes is complete at that
 *           moment: ids, lens and the reply data;
 *   SPLIT-DESC-3  no loads from device-writable buffers (SHOULD NOT);
 *   SPLIT-DESC-1  no loads outside described buffers and ring parts;
 *   GEN-RST-2, VQ-RST-5  no access during reset, none of the old rings.
 */
#include "cq.h"

static uint64_t used_elem_gpa(const struct cq *c, uint16_t i) { return vg_drv_used_elem_gpa(c->drv, i); }

/*
 * Judge the entries a used idx store just published, at that moment
 * (SPLIT-USED-5/6/11): everything before the idx must already be there.
 */
static void judge_published(struct cq *c, uint16_t from, uint16_t to)
{
	if ((uint16_t)(to - from) > c->size)
		return; /* moved back or too far: the observer reports it (SPLIT-USED-4) */
	for (uint16_t i = from; i != to; i++) {
		uint64_t e = used_elem_gpa(c, i);
		uint32_t id = vg_mem_load32(&c->mem, e), len = vg_mem_load32(&c->mem, e + 4);
		const struct vg_head *h;
		bool poison = false;
		long bad;

		if (id == CQ_POISON_ID)
			vqc_find(VQC_FAIL, "SPLIT-USED-11", "id-after-idx", "id written before used idx",
				 "poison id 0xffffffff", "used idx store published slot %u (entry %u) "
				 "before its id was written", i & (c->size - 1), i);
		if (len == CQ_POISON_LEN)
			vqc_find(VQC_FAIL, "SPLIT-USED-5", "len-after-idx", "len written before used idx",
				 "poison len 0xdeadbeef", "used idx store published slot %u (entry %u) "
				 "before its len was written", i & (c->size - 1), i);
		if (id >= c->size || len == CQ_POISON_LEN)
			continue;
		h = &c->drv->head[id];
		if (h->state != VG_HEAD_EXPOSED || h->hostile || c->rec[id].outcome != CQ_O_ACCEPTED ||
		    len > h->wcap)
			continue;
		bad = cq_first_bad_reply(c, (uint16_t)id, len, &poison);
		if (bad >= 0 && poison)
			vqc_find(VQC_FAIL, "SPLIT-USED-6", "data-after-idx",
				 vqc_s("%u reply bytes written before used idx", len),
				 vqc_s("byte %ld still poison", bad),
				 "head %u: used idx published before the reply data", id);
	}
}

/* A store seen by the log has happened by the next event: judge it now. */
void cq_settle(struct cq *c)
{
	if (c->al.pend_idx) {
		uint16_t now = cq_mem_used_idx(c);

		c->al.pend_idx = false;
		judge_published(c, c->al.idx_seen, now);
		c->al.idx_seen = now;
		c->al.f1 = true;
	}
	if (c->al.pend_flags) {
		c->al.pend_flags = false;
		if ((cq_mem_used_flags(c) & VG_USED_F_NO_NOTIFY) == 0)
			c->al.f2 = true; /* kicks enabled */
	}
}

void cq_inject(struct cq *c, enum cq_inj where)
{
	if (c->inject)
		c->inject(c, where);
}

/* Bytes just before or after a ring part: reading them means a miscomputed part size or offset. */
static bool ring_guard(enum vg_kind k)
{
	return k == VG_K_GUARD_DESC || k == VG_K_GUARD_AVAIL || k == VG_K_GUARD_USED;
}

static void on_load(struct cq *c, enum vg_kind k, uint64_t gpa, size_t size)
{
	enum vg_kind last = size > 1 ? vg_mem_kind(&c->mem, gpa + size - 1) : k;

	switch (k) {
	case VG_K_AVAIL_IDX:
		if (c->al.in_enable)
			cq_inject(c, CQ_INJ_RECHECK);
		if (c->al.f2)
			vqc_find(VQC_FAIL, "ORD-F2", "no-fence-after-enable", "full fence", "avail idx load",
				 "avail idx re-read after enabling kicks with no full fence in between "
				 "(lost-kick race)");
		c->al.r1_seen = vg_mem_load16(&c->mem, gpa);
		break;
	case VG_K_AVAIL_RING:
	case VG_K_DESC:
	case VG_K_INDIRECT:
	case VG_K_RBUF:
		if (c->al.r1_seen != c->al.r1_acq)
			vqc_find(VQC_FAIL, "ORD-R1", "no-acquire-after-idx", "acquire or full fence",
				 vqc_s("load of %s", vg_kind_name(k)),
				 "%s at gpa 0x%llx read after avail idx %u was loaded, with no acquire "
				 "between", vg_kind_name(k), (unsigned long long)gpa, c->al.r1_seen);
		break;
	case VG_K_AVAIL_FLAGS:
	case VG_K_USED_EVENT:
		if (c->al.f1)
			vqc_find(VQC_FAIL, "ORD-F1", "no-fence-before-suppression-read", "full fence",
				 vqc_s("load of %s", vg_kind_name(k)),
				 "%s read after a used idx store with no full fence in between "
				 "(lost-notification race)", vg_kind_name(k));
		break;
	case VG_K_WBUF:
		vqc_find(VQC_WARN, "SPLIT-DESC-3", "read-writable-buffer", "no load", vqc_s("%zu-byte load", size),
			 "device read a device-writable buffer at gpa 0x%llx", (unsigned long long)gpa);
		break;
	case VG_K_OLD_RING:
		vqc_find(VQC_FAIL, "VQ-RST-5", "old-ring-access", "no access", "load",
			 "device read the old ring at gpa 0x%llx", (unsigned long long)gpa);
		break;
	default:
		break;
	}
	if (vg_kind_is_guard(k) || vg_kind_is_guard(last))
		vqc_find(VQC_FAIL, ring_guard(k) || ring_guard(last) ? "SPLIT-LAY-1" : "SPLIT-DESC-1",
			 "read-outside-buffer",
			 "loads inside the described buffers and ring parts",
			 vqc_s("%zu-byte load at gpa 0x%llx", size, (unsigned long long)gpa), "device read %s",
			 vg_kind_name(vg_kind_is_guard(k) ? k : last));
}

static void on_store(struct cq *c, enum vg_kind k, uint64_t gpa, size_t size)
{
	switch (k) {
	case VG_K_USED_IDX:
		if (c->al.dirty)
			vqc_find(VQC_FAIL, "ORD-W1", "no-release-before-idx", "release fence", "used idx store",
				 "used idx stored after used entries or reply data with no release fence "
				 "in between");
		c->al.pend_idx = true;
		break;
	case VG_K_USED_FLAGS:
		if (c->al.in_enable)
			cq_inject(c, CQ_INJ_ENABLE_STORE);
		c->al.pend_flags = true;
		break;
	case VG_K_AVAIL_EVENT:
		if (c->al.in_enable)
			cq_inject(c, CQ_INJ_ENABLE_STORE);
		c->al.f2 = true;
		break;
	case VG_K_USED_ELEM:
	case VG_K_WBUF:
		c->al.dirty = true;
		break;
	default:
		/* Faults on read-only pages; the shadow compare catches the rest too. */
		vqc_find(VQC_FAIL, vqc_kind_clause(k), "stray-write", "no store", vqc_s("%zu-byte store", size),
			 "device stored to %s at gpa 0x%llx", vg_kind_name(k), (unsigned long long)gpa);
		break;
	}
}

static bool is_load(enum vdut_access kind)
{
	return kind == VDUT_ACC_LOAD || kind == VDUT_ACC_LOAD_DESC || kind == VDUT_ACC_READ;
}

void cq_log_access(void *opaque, enum vdut_access kind, const void *hva, size_t size)
{
	struct cq *c = opaque;
	uint64_t gpa;

	if (c->al.in_hook)
		return;
	c->al.in_hook = true;
	cq_settle(c);
	if (c->al.in_reset)
		vqc_find(VQC_FAIL, "GEN-RST-2", "access-during-reset", "no guest memory access",
			 vqc_s("access kind %d", (int)kind), "reset accessed guest memory");
	switch (kind) {
	case VDUT_ACC_FENCE_ACQUIRE:
		c->al.r1_acq = c->al.r1_seen;
		break;
	case VDUT_ACC_FENCE_RELEASE:
		c->al.dirty = false;
		break;
	case VDUT_ACC_FENCE_FULL:
		c->al.dirty = c->al.f1 = c->al.f2 = false;
		c->al.r1_acq = c->al.r1_seen;
		break;
	default:
		if (!vg_mem_gpa_of(&c->mem, hva, &gpa))
			break; /* not guest memory */
		if (is_load(kind))
			on_load(c, vg_mem_kind(&c->mem, gpa), gpa, size);
		else
			on_store(c, vg_mem_kind(&c->mem, gpa), gpa, size);
		break;
	}
	c->al.in_hook = false;
}
