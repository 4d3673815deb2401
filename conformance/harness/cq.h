/* SPDX-License-Identifier: MIT */
/*
 * A conformance queue: the hostile guest's driver and memory (guest/), a
 * device model that drives the implementation under test through the device
 * interface (virtq_dut/dut.h), and the oracles that watch it in between.
 *
 *   queue.c          set-up and tear-down, the layout of guest memory, start
 *                    at an index, re-initialisation;
 *   driver.c         the guest's driver as the suites use it (chains by spec,
 *                    hostile entries, reaping with the used-entry checks);
 *   device_model.c   pop, serve, push, publish, decide, kicks, reset: what a
 *                    device does, with the checks each step allows;
 *   access_oracle.c  what the implementation's own access log shows
 *                    (ordering, loads from writable buffers, reads past
 *                    buffers, accesses during reset or of old rings);
 *   notify_oracle.c  the coalescing-tolerant notification oracle;
 *   memory_oracle.c  what guest memory shows: faults on read-only pages, the
 *                    shadow compare, each byte attributed to its clause.
 *
 * Driver (guest/driver): descriptors from a free list as Linux's
 * virtio_ring.c does, chains of readable then writable buffers (direct,
 * indirect, or direct followed by one indirect), publishes with one idx
 * store, kicks only when suppression asks for it (strict-minimal-kick), and
 * reaps used entries, each checked (SPLIT-USED-2/3/4/6).
 *
 * Device model: pop, walk, read the request, write a reply through the
 * implementation's cursor, push, publish, decide.  Driver-paced service pops
 * exactly what the driver exposed; the device-paced loop (liveness tests)
 * pops until empty, kicks disabled while it drains and re-enabled with a
 * re-check, as a real device does.
 */
#ifndef VQC_CQ_H
#define VQC_CQ_H

#include <stdbool.h>
#include <stdint.h>

#include "findings.h"
#include "vguest/driver.h"
#include "vguest/layout.h"
#include "vguest/mem.h"
#include "virtq_dut/dut.h"

/** The implementation under test (set by vqc_main). */
extern const struct vdut_adapter *vqc_impl;

#define F_IND VG_FEATURE(VG_F_INDIRECT_DESC)
#define F_EVT VG_FEATURE(VG_F_EVENT_IDX)
#define F_INO VG_FEATURE(VG_F_IN_ORDER)

/** Queue sizes every size-dependent clause runs at. */
#define CQ_NSIZES 5
extern const uint32_t cq_sizes[CQ_NSIZES];

#define CQ_MAXBUF VG_CHAIN_MAX
#define CQ_DIRECT 0xFFFFu          /* cq_spec.ndirect: no indirect table */
#define CQ_REPLY_AUTO 0xFFFFFFFFu  /* cq_spec.reply: writable part + 8 bytes */
#define CQ_POISON VG_POISON        /* writable buffers before the device runs */
#define CQ_POISON_ID VG_POISON_ID  /* used entries before the device runs */
#define CQ_POISON_LEN VG_POISON_LEN

/** A chain to build: buffers in chain order (readable first) and device-model behaviour. */
struct cq_spec {
	unsigned n;
	uint32_t len[CQ_MAXBUF];
	bool wr[CQ_MAXBUF];
	unsigned ndirect;     /* buffers in direct descriptors before one INDIRECT; CQ_DIRECT */
	bool ind_write;       /* set WRITE on the INDIRECT descriptor (SPLIT-IND-8) */
	unsigned ind_garbage; /* garbage entries after the last linked table entry */
	bool ind_shuffle;     /* link table entries out of index order */
	uint32_t reply;       /* device model: bytes it tries to write; CQ_REPLY_AUTO */
	uint32_t claim;       /* device model: len it pushes; 0 = bytes actually written */
	bool may_reject;      /* a limit probe: rejecting it is fine, content is not checked */
};

void cq_spec_init(struct cq_spec *s);
void cq_spec_buf(struct cq_spec *s, uint32_t len, bool writable);
/** One readable buffer of @p r bytes then one writable of @p w (0 = none). */
void cq_spec_rw(struct cq_spec *s, uint32_t r, uint32_t w);

struct cq_opts {
	uint32_t size;
	uint64_t features;
	size_t rbuf_bytes;  /* readable buffers and tables, beyond the default */
	size_t wbuf_bytes;  /* writable buffers, beyond the default */
	bool shuffle_free;  /* permute the descriptor free list (heads out of order) */
	uint32_t alt_size;  /* reserve a second ring set of this size (VQ-RST-5) */
	bool probe;         /* a refused create is the test's to judge: no status set */
};

/** The device model's record per head (the driver's own is drv->head[]). */
struct cq_rec {
	bool taken;      /* popped by the device */
	uint8_t outcome; /* CQ_O_* */
	uint32_t reply, claim;
	int detail;
	char detail_name[40];
};
enum { CQ_O_NONE, CQ_O_REJECTED, CQ_O_ACCEPTED, CQ_O_BROKEN };

/** A chain on the device side. */
struct cq_dev {
	struct vdut_chain vc;
	uint32_t written;
	bool busy;
};

/** Where a racing driver may step in (liveness tests). */
enum cq_inj {
	CQ_INJ_BEFORE_ENABLE,   /* ring drained, kicks still off, before enable_kicks */
	CQ_INJ_ENABLE_STORE,    /* inside enable_kicks, just before the enabling store */
	CQ_INJ_RECHECK,         /* inside enable_kicks, just before the avail idx re-read */
};

struct cq_oracle {
	uint16_t o;             /* used idx at the previous decision */
	uint64_t w;             /* entries published since then */
	bool first;             /* no non-empty decision since open/reset: one extra tolerated */
	uint16_t ev[4], fl[4];  /* used_event / flags values seen in the window */
	unsigned nev, nfl;
	bool prov;              /* previous decision notified without need (provisional extra) */
	uint16_t prov_at;
	const char *miss_clause, *extra_clause; /* test overrides, or NULL */
	bool last_req, last_notified;
	struct {
		uint16_t at;     /* used idx at the decision */
		bool notified;
	} req_log[8];           /* the first required decisions */
	unsigned nreq_log;
	uint64_t decisions, required, notified, extras, misses, tolerated;
};

struct cq_alog {
	bool pend_idx, pend_flags; /* a store to judge at the next event */
	uint16_t idx_seen;         /* used idx as of the last settled store */
	bool dirty, f1, f2;        /* W1 / F1 / F2 state */
	uint16_t r1_seen, r1_acq;  /* R1: avail idx loaded / covered by an acquire */
	bool in_reset, in_enable, in_hook;
};

struct cq {
	const struct vdut_adapter *ad;
	void *q;
	struct vg_mem mem;          /* one region, page-placed, split views, kinds, shadow */
	struct vg_drv *drv;         /* the driver of the current ring set */
	struct vdut_region region;
	struct vdut_limits lim;
	uint32_t size;              /* current queue size (drv->size) */
	uint64_t features;
	bool log;
	uint64_t alt_desc, alt_avail, alt_used; /* the reserved second ring set */
	uint32_t alt_size;
	uint64_t part_base[3];      /* pages of the current ring parts (for sealing) */
	size_t part_span[3];
	struct cq_rec *rec;         /* [max size] */
	uint32_t last_id, last_len; /* the last used entry reaped */
	/* device side */
	struct cq_dev *dev;
	uint32_t *dev_free;
	uint32_t ndev_free, ndev;
	uint16_t consumed;          /* avail entries the device took, as seen through pop */
	uint32_t in_flight;
	uint64_t pushes;
	uint16_t pushed_idx;        /* used idx once everything pushed is published */
	uint16_t pub_idx;           /* used idx the last publish must have produced */
	struct cq_dev **batch;
	unsigned char *scratch, *pattern;
	size_t scratch_len;
	/* observation */
	uint16_t obs_used, obs_avail_event;
	struct cq_oracle or;
	struct cq_alog al;
	/* test configuration */
	const char *walk_clause;    /* clause for misread chains (default SPLIT-DESC-1) */
	const char *slot_clause;    /* clause for a head taken from the wrong slot (SPLIT-AV-2) */
	const char *robust_clause;  /* stray writes while serving a malformed chain count against it */
	const char *override_clause; /* set while such a chain is served */
	bool allow_outstanding;     /* chains may remain at close (robustness) */
	bool broken_ok;             /* a broken queue is an expected outcome (robustness) */
	bool broken_seen;           /* some operation reported QUEUE_BROKEN */
	void (*inject)(struct cq *c, enum cq_inj where);
	void *user;
};

/**
 * Set up guest memory and the implementation's queue.  @return false if the
 * test cannot run here (features not offered: status "na" is set); the test
 * then returns at once.
 */
bool cq_open(struct cq *c, const struct cq_opts *o);
/** Final checks (reap, oracle, outstanding chains, shadow compare), then tear down. */
void cq_close(struct cq *c);
/** For tests that need the access log: false (status "untested" set) if there is none. */
bool cq_need_log(struct cq *c);
/** Guest-physical address of the start of guest memory. */
static inline uint64_t cq_base(const struct cq *c) { return c->mem.r[0].gpa; }

/* ---- driver ---- */
int cq_add(struct cq *c, const struct cq_spec *s);
/** Add up to @p n chains like @p s (as many as descriptors allow); @return how many. */
unsigned cq_add_n(struct cq *c, const struct cq_spec *s, unsigned n);
bool cq_publish(struct cq *c);
/** Publish only the first @p n entries added since the last publish (the rest stay staged). */
bool cq_publish_n(struct cq *c, uint16_t n);
void cq_set_flags(struct cq *c, uint16_t v);
void cq_set_used_event(struct cq *c, uint16_t v);
unsigned cq_reap(struct cq *c);
uint16_t cq_mem_used_idx(const struct cq *c);
uint16_t cq_mem_used_flags(const struct cq *c);
uint16_t cq_mem_avail_event(const struct cq *c);
/** Start both sides at @p idx (set_indices, or that many completions). */
void cq_start_at(struct cq *c, uint16_t idx);

/* Hostile driver: raw descriptors and avail entries. */
uint64_t cq_rbuf(struct cq *c, uint32_t len);
uint64_t cq_wbuf(struct cq *c, uint32_t len);
uint64_t cq_table(struct cq *c, unsigned entries);
void cq_desc(struct cq *c, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
void cq_table_desc(struct cq *c, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		   uint16_t flags, uint16_t next);
/** Reserve @p k descriptors (free-list order) into @p idx; @return 0 or -1. */
int cq_take(struct cq *c, unsigned k, uint16_t *idx);
/** Put head @p idx[0] (reserved by cq_take) in the avail ring as a malformed chain. */
void cq_add_hostile(struct cq *c, const uint16_t *idx, unsigned k, uint32_t wcap);
/** Put an arbitrary value in the next avail slot (not a chain the driver owns). */
void cq_add_bogus_head(struct cq *c, uint16_t head);
/** Write avail ring[slot] without moving idx (staged beyond idx). */
void cq_stage_slot(struct cq *c, uint16_t slot, uint16_t head);
/** Store avail idx as is (moving it back, or far ahead). */
void cq_store_avail_idx(struct cq *c, uint16_t v);

/* ---- device model ---- */
enum vdut_rc cq_pop(struct cq *c, struct cq_dev **d);
enum vdut_rc cq_serve(struct cq *c, struct cq_dev *d);
void cq_push(struct cq *c, struct cq_dev *d);
void cq_publish_used(struct cq *c);
bool cq_notify(struct cq *c);
void cq_disable_kicks(struct cq *c);
bool cq_enable_kicks(struct cq *c);
void cq_reset(struct cq *c);
/**
 * Re-initialise the queue with the reserved second ring set (size and
 * addresses change): the implementation's queue is destroyed and created
 * again, and the old ring pages are sealed (inaccessible) so any access by
 * the device is reported (VQ-RST-5).  Nothing may be outstanding.
 */
void cq_relocate(struct cq *c);

enum cq_mode {
	CQ_EACH,  /* push, publish and decide per chain */
	CQ_BATCH, /* push all, publish once, decide once */
	CQ_FILL,  /* push all, publish once, no decision */
};
/**
 * Pop and serve every chain the driver exposed into c->batch (none pushed
 * yet); a chain the device does not see is reported under @p miss_clause.
 * @return chains in c->batch.
 */
unsigned cq_pop_all(struct cq *c, const char *miss_clause);
/** The adapter's pop with no oracle (robustness tests judge the result themselves). */
enum vdut_rc cq_pop_raw(struct cq *c, struct vdut_chain *vc);
/** Driver-paced: pop exactly what the driver exposed, serve and return it. */
unsigned cq_serve_exposed(struct cq *c, enum cq_mode m);
/**
 * Add @p n chains like @p s, publish, serve (mode @p m), reap; in several
 * rounds if the table cannot hold them all at once.
 */
void cq_round(struct cq *c, const struct cq_spec *s, unsigned n, enum cq_mode m);
/** Device-paced loop for one kick (drain, re-enable, re-check). */
void cq_device_kick(struct cq *c);
/** Run the device for every pending kick (strict mode). */
void cq_run_kicks(struct cq *c);

/* ---- checks a test may call ---- */
void cq_check_memory(struct cq *c);

/* ---- between the harness's own files ---- */

/* access_oracle.c */
void cq_log_access(void *opaque, enum vdut_access kind, const void *hva, size_t size);
void cq_settle(struct cq *c);
void cq_inject(struct cq *c, enum cq_inj where);
/* memory_oracle.c */
void cq_memory_watch(struct cq *c);
/* notify_oracle.c */
void cq_oracle_reset(struct cq *c);
void cq_oracle_decide(struct cq *c, bool notified);
void cq_oracle_finish(struct cq *c);
/* device_model.c */
void cq_after_op(struct cq *c);
void cq_device_reset_books(struct cq *c);
/* queue.c: the device model's reply byte k for @head, never the poison */
uint8_t cq_rep_byte(uint16_t head, uint32_t k);
/* the first byte of @head's writable part (first @len bytes) that is not the reply, or -1 */
long cq_first_bad_reply(const struct cq *c, uint16_t head, uint32_t len, bool *poison);

#endif /* VQC_CQ_H */
