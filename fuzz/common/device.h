/* SPDX-License-Identifier: MIT */
/*
 * The device side of a fuzz run: any implementation behind the device
 * interface (virtq_dut/dut.h), held step by step to the reference model
 * (vguest/model.h) and to the invariants that hold whatever the input.
 *
 * Each step calls the device and the model and judges the device by what it
 * declares (judge.h): a device with VDUT_CAP_EXACT must do exactly what the
 * model does (reasons, segments, fetches, used ring bytes including the
 * suppression fields, notify decisions); any other device is held to the
 * spec's latitude.  Whatever the device, every step also checks
 *   - the device wrote nothing but the used ring and the writable buffers it
 *     was handed (the guest's shadow, at every reset, restore and the end:
 *     oracle stray-write);
 *   - the bytes it read and wrote through its cursors are the request and the
 *     reply (model-data);
 *   - with an access log: fetches, work per pop, stores (monitor.h);
 *   - at the end, the queue is broken or serves a well-formed chain
 *     published next (probe).
 * A race run (DEV_RACE) has a driver rewriting memory under the device, so
 * the model cannot follow it: the target judges each chain itself.
 */
#ifndef VIRTQ_FUZZ_DEVICE_H
#define VIRTQ_FUZZ_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"
#include "judge.h"
#include "monitor.h"
#include "vguest/model.h"
#include "virtq_dut/dut.h"

#define DEV_MAX_RECS 64
/* Pops per run: past it a run stops serving (and skips the probe) to keep each input fast. */
#define DEV_MAX_POPS 512u
/* Memory-map changes per run (dev_remap): every region of an image (5) moved twice. */
#define DEV_MAX_REMAPS 10u
/* Descriptor reads per run (the model's count); past it no more chains are opened. */
#define DEV_MAX_FETCHES (256u * 1024u)
#define DEV_MAX_COPY (256u * 1024u) /* bytes a device copies each way per chain */

enum dev_mode {
	DEV_MODEL, /* every step judged against the model */
	DEV_RACE,  /* the target judges chains; the harness keeps the invariants */
};

/* What a pop came to, for the target's loops. */
enum dev_step {
	DEV_CHAIN,    /* a chain was taken (and walked; it may have been refused) */
	DEV_EMPTY,    /* nothing available */
	DEV_REJECTED, /* the avail entry was refused; the next pop goes on */
	DEV_BROKEN,   /* the queue is broken */
	DEV_OVER,     /* no more comparable pops this run (budget, or out of step) */
};

/* A chain the device handed out. */
struct dev_rec {
	struct vdut_chain c;
	struct vg_mchain mc;     /* the model's view of it */
	uint16_t head;
	bool returned;           /* the device accepted its return */
	uint32_t era;            /* fuzz_dev.eras when it was taken */
	uint32_t wrote;          /* reply bytes written through the device's cursor */
	uint64_t cap;            /* writable bytes the device's walk handed out */
};

struct fuzz_dev {
	const struct vdut_adapter *ad;
	void *q;
	struct fz_image *im;
	enum dev_mode mode;
	bool up, exact;
	bool in_step;        /* device and model agree on the queue's position */
	uint32_t eras;       /* resets and restores so far: chains of an older era may be refused */
	bool probed;
	struct vdut_limits lim;
	struct vg_model_cfg cfg;
	struct vdut_region regions[VG_MAX_REGIONS];
	unsigned remaps;     /* dev_remap calls that moved memory this run */
	unsigned pops, max_pops; /* pops this run, and the budget (DEV_MAX_POPS unless a target says) */
	uint64_t work, max_work; /* descriptors read, by the model's count, and the budget */
	struct dev_rec rec[DEV_MAX_RECS];
	unsigned nrec;
	uint8_t *held;       /* [size]: heads the device holds (handed out, not returned) */
	struct vg_seg *allowed; /* used ring + every writable piece handed out */
	unsigned nallowed;
	uint64_t unneeded_notifications;
	uint16_t flags_driver; /* used flags as the driver last left them */
	/* DEV_RACE: the target's judgement of each pop (any outcome). */
	void (*race_check)(void *arg, struct fuzz_dev *d, const struct dut_pop *dp);
	void *race_arg;
	/*
	 * From here on dev_init leaves alone: buffers kept from input to input.
	 * The model and the monitor reset themselves around theirs
	 * (vg_model_reuse, monitor_start).
	 */
	struct vg_model m;
	struct monitor mon;
	struct dev_keep {
		struct vg_store held, allowed;
	} keep;
};

/* Set up the device (and the model); false if there is nothing to run (setup refused as judged). */
bool dev_init(struct fuzz_dev *d, struct fz_image *im, enum dev_mode mode);
void dev_fini(struct fuzz_dev *d);

/* Whether this step is held to the model: a model run, with device and model in step. */
bool dev_judged(const struct fuzz_dev *d);

/* Pop one chain, walk it, and serve it through the device's cursors (device_pop.c). */
enum dev_step dev_pop(struct fuzz_dev *d);
/* Re-open a head after restore (VDUT_CAP_REOPEN), then as a pop. */
enum dev_step dev_reopen(struct fuzz_dev *d, uint16_t head);
/* Return remembered chain #pick with @written bytes claimed (exact devices: anything). */
void dev_fill(struct fuzz_dev *d, unsigned pick, uint32_t written);
/* Publish and make the notify decision; returns the decision. */
bool dev_flush(struct fuzz_dev *d);
void dev_kicks(struct fuzz_dev *d, bool on);
void dev_reset(struct fuzz_dev *d);
void dev_restore(struct fuzz_dev *d, uint16_t last_avail, uint16_t used_idx);
/* Guest memory remapped under the queue (VDUT_CAP_SET_MEM): region @pick moves. */
void dev_remap(struct fuzz_dev *d, unsigned pick);
/* Pop until empty or error, returning each chain with all it holds; bounded. */
void dev_drain(struct fuzz_dev *d);
/* End of run: broken, or a fresh well-formed chain is served. */
void dev_probe(struct fuzz_dev *d);
/* The used ring as the model vouches for it, now. */
void dev_check_used(struct fuzz_dev *d);
/* The driver wrote the used ring: take its bytes as the expectation. */
void dev_resync_used(struct fuzz_dev *d);
/* A writable piece handed to the device (targets with their own pop loop). */
void dev_allow(struct fuzz_dev *d, uint64_t gpa, uint64_t len);
/* Whether the device has head @h out (handed out, not returned). */
bool dev_holds(const struct fuzz_dev *d, uint16_t h);

#endif /* VIRTQ_FUZZ_DEVICE_H */
