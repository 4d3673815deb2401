/* SPDX-License-Identifier: MIT */
/*
 * vhost_user: the ops input (ops.c's format) served by a vhost-user back-end
 * in another process, through the harness's front-end (vhost_user/frontend.h).
 *
 *   VIRTQ_FUZZ_BACKEND='COMMAND ... {socket} ...'   started once per process
 *   VIRTQ_FUZZ_BACKEND=@/path/to/socket             one already listening
 *   VIRTQ_FUZZ_BACKEND=peer:NAME                    a packaged one of
 *       vhost_user/peers.tsv (qsd, dpdk, virtiofsd), with its type; {image}: a
 *       fresh 1 MiB disk, {dir}: a fresh empty folder
 *   VIRTQ_FUZZ_BACKEND_TYPE=blk|net|fs              blk (default): the fuzzed
 *       ring is 0; net and fs: it is ring 1 (transmitq1, requestq1), and ring
 *       0 (receiveq1, hiprio) is set up empty beside it (DPDK serves only
 *       once both are)
 *
 * The back-end lives across inputs; only a crash (an oracle failure, so the
 * fuzzer's process ends too) or a dropped connection costs a new start.  The
 * driver ops write guest memory as in ops; every device op is a window in
 * which the back-end holds the ring: the memory table (again, when it
 * changed), NUM/BASE/ADDR/KICK/CALL/ENABLE, a kick, a wait until it has
 * served what was published or gone quiet, and GET_VRING_BASE, whose answer
 * is the base of the next window.  While the ring is stopped the driver may
 * rewrite anything, so each window is judged against the memory it started
 * from, whatever the back-end's timing (the memory and used-ring oracles are in
 * vhost_user_judge.c):
 *   - it answers GET_VRING_BASE within the bound (oracle vhu-stop: a hang);
 *   - it is alive (vhu-died: its exit status and the end of its log);
 *   - every used entry it published names a head some avail slot holds
 *     (vhu-used-id), at most the queue size of them (vhu-used-count), and
 *     a valid chain's len is at most its writable bytes (vhu-used-len);
 *   - every byte it changed lies in the used ring or in a writable buffer of
 *     a chain some avail slot names, walked by the guest's own walker with
 *     every feature on (vhu-stray-write): sound whichever slots it consumed.
 * remap also moves a guest memory region to a new memfd in the middle of the
 * window (SET_MEM_TABLE under a running ring, as on memory hot-plug).
 * The features are negotiated once per connection (VERSION_1, INDIRECT_DESC,
 * EVENT_IDX where offered); the header's feature bits are replaced by them.
 * Coverage guidance comes from this process only: the back-end's own code is
 * not instrumented for the engine, so this is a mutation fuzzer for it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "ops_script.h"
#include "run.h"
#include "targets.h"
#include "vguest/layout.h"
#include "vhost_user/frontend.h"
#include "vhost_user_judge.h"

#define QUIET_MS 3     /* no used entry for this long after the kick: the back-end is done */
#define WINDOW_MS 50   /* the longest a window waits for the back-end to serve */
#define REAP_MS 30     /* a back-end that closed the connection and is dying is reaped within this */
#define LATE_MS 10     /* after the ring stops, the longest pause in completions waited out */
#define STOP_MS 5000   /* the bound on every answer (a ring stop included): past it, a hang */

struct backend {
	const char *command; /* VIRTQ_FUZZ_BACKEND */
	unsigned q;          /* the fuzzed ring */
	bool side;           /* ring 0 set up empty beside it (net: receiveq1; fs: hiprio) */
	struct vhu_fe fe;
	bool up;             /* connected and negotiated */
	unsigned conn;       /* connections made: a new one has no memory table */
	char dir[256];       /* TMPDIR or /tmp: where the front-end makes its folder */
};

/* What one input's windows share. */
struct win {
	struct fz_image *im;
	uint16_t base;  /* the next window's SET_VRING_BASE: the last answer to GET_VRING_BASE */
	unsigned mem_conn; /* the connection that has this input's memory table (0: none) */
};

static struct backend be;

static void backend_died(const char *when)
{
	char why[600];

	if (!vhu_fe_alive(&be.fe, why, sizeof(why)))
		FUZZ_ORACLE("vhu-died", false, "%s: %s", when, why);
}

/*
 * Every oracle ends in abort(): the back-end's own output goes into the
 * report beside ours (async-signal-safe: the last 4 KiB of its log), then
 * the engine's own handler (libFuzzer saves the input there) takes over.
 */
/* peer:NAME's scratch: its disk image ({image}) and shared folder ({dir}), if its command wants them. */
static char image[300], folder[300];
static struct sigaction engine_abrt;
static bool keep_logs; /* VIRTQ_VHU_KEEP_LOGS: leave the back-end's folder behind */

static void print_backend_log(int sig)
{
	static const char head[] = "\n---- the back-end's log (last 4 KiB) ----\n";
	char buf[4096];
	int fd = be.fe.log[0] ? open(be.fe.log, O_RDONLY) : -1;
	off_t end;
	ssize_t n;

	if (fd >= 0) {
		end = lseek(fd, 0, SEEK_END);
		lseek(fd, end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0, SEEK_SET);
		n = read(fd, buf, sizeof(buf));
		if (write(2, head, sizeof(head) - 1) > 0 && n > 0 && write(2, buf, (size_t)n) > 0)
			(void)write(2, "\n----\n", 6);
		close(fd);
	}
	if (!keep_logs) { /* printed: the folders go, as backend_close() would remove them */
		unlink(be.fe.socket);
		unlink(be.fe.log);
		rmdir(be.fe.dir);
		if (image[0])
			unlink(image);
		if (folder[0])
			rmdir(folder); /* only if the back-end left it empty */
	}
	sigaction(sig, &engine_abrt, NULL);
	raise(sig);
}


/* A clean exit (an engine's last input) stops the back-end and removes its folder. */
static void backend_close(void)
{
	vhu_fe_close(&be.fe);
	if (image[0])
		unlink(image);
	if (folder[0])
		rmdir(folder);
}

/* @command with @key replaced by @value (at most once; the peers' commands use each once). */
static const char *replace(const char *command, const char *key, const char *value)
{
	static char out[2][2048];
	static unsigned k;
	const char *at = strstr(command, key);

	if (!at)
		return command;
	k ^= 1;
	snprintf(out[k], sizeof(out[k]), "%.*s%s%s", (int)(at - command), command, value, at + strlen(key));
	return out[k];
}

/* {image}: a fresh 1 MiB file; {dir}: a fresh empty folder; both in be.dir. */
static const char *with_scratch(const char *command)
{
	int fd;

	if (strstr(command, "{image}")) {
		snprintf(image, sizeof(image), "%s/virtq-vhu-image-XXXXXX", be.dir);
		fd = mkstemp(image);
		FUZZ_ASSERT(fd >= 0 && ftruncate(fd, 1 << 20) == 0, "disk image %s", image);
		close(fd);
		command = replace(command, "{image}", image);
	}
	if (strstr(command, "{dir}")) {
		snprintf(folder, sizeof(folder), "%s/virtq-vhu-dir-XXXXXX", be.dir);
		FUZZ_ASSERT(mkdtemp(folder) != NULL, "folder %s", folder);
		command = replace(command, "{dir}", folder);
	}
	return command;
}

/*
 * peer:NAME: its row of vhost_user/peers.tsv (VIRTQ_FUZZ_PEERS names another
 * file): the command, and the device type unless VIRTQ_FUZZ_BACKEND_TYPE says.
 */
static const char *peer_command(const char *name, const char **type)
{
	const char *path = getenv("VIRTQ_FUZZ_PEERS") ? getenv("VIRTQ_FUZZ_PEERS") : VIRTQ_PEERS_FILE;
	static char line[2048], t[8];
	FILE *f = fopen(path, "r");

	FUZZ_ASSERT(f != NULL, "peer:%s: cannot read %s", name, path);
	while (fgets(line, sizeof(line), f)) {
		char *cols[4], *save = NULL;
		unsigned n = 0;

		line[strcspn(line, "\n")] = 0;
		for (char *c = strtok_r(line, "\t", &save); c && n < 4; c = strtok_r(NULL, "\t", &save))
			cols[n++] = c;
		if (line[0] == '#' || n != 4 || strcmp(cols[0], name) != 0)
			continue;
		fclose(f);
		snprintf(t, sizeof(t), "%s", cols[1]);
		if (!*type)
			*type = t;
		return with_scratch(cols[3]);
	}
	fclose(f);
	FUZZ_ASSERT(false, "peer:%s: no such peer in %s", name, path);
	return NULL;
}

static void backend_configure(void)
{
	const char *type = getenv("VIRTQ_FUZZ_BACKEND_TYPE");
	const char *tmp = getenv("TMPDIR");

	snprintf(be.dir, sizeof(be.dir), "%s", tmp && *tmp ? tmp : "/tmp");
	be.command = getenv("VIRTQ_FUZZ_BACKEND");
	FUZZ_ASSERT(be.command && *be.command,
		    "VIRTQ_FUZZ_BACKEND is not set: the back-end command with {socket}, @SOCKET or peer:NAME");
	if (!strncmp(be.command, "peer:", 5))
		be.command = peer_command(be.command + 5, &type);
	FUZZ_ASSERT(!type || !strcmp(type, "blk") || !strcmp(type, "net") || !strcmp(type, "fs"),
		    "VIRTQ_FUZZ_BACKEND_TYPE=%s: the types are blk, net and fs", type);
	be.side = type && (!strcmp(type, "net") || !strcmp(type, "fs"));
	be.q = be.side ? 1 : 0;
	vhu_fe_init(&be.fe);
	keep_logs = getenv("VIRTQ_VHU_KEEP_LOGS") != NULL;
	sigaction(SIGABRT, &(struct sigaction){.sa_handler = print_backend_log}, &engine_abrt);
	atexit(backend_close);
}

/* Connect to the back-end's socket again and negotiate: 0, or -1 with the error set. */
static int reconnect(const char *path)
{
	vhu_fe_disconnect(&be.fe);
	if (vhu_fe_connect(&be.fe, path) != 0)
		return -1;
	return vhu_fe_negotiate(&be.fe, VHU_WANT);
}

/*
 * Start (or reach again, after it dropped us) the back-end and negotiate.  A
 * back-end that dropped the connection may take a moment to listen again
 * (DPDK tears its device down first): tries for STOP_MS before it counts as
 * unreachable, which is an oracle (the device is gone for the VMM too).
 */
static void backend_up(void)
{
	const char *path = be.command[0] == '@' ? be.command + 1 : be.fe.socket;
	int64_t deadline = vhu_now_ms() + STOP_MS;
	int rc;

	if (be.up)
		return;
	be.fe.timeout_ms = STOP_MS;
	if (be.command[0] != '@' && !be.fe.pid) {
		be.fe.tmp_root = be.dir;
		rc = vhu_fe_spawn(&be.fe, be.command);
		FUZZ_ASSERT(rc == 0, "the back-end does not start: %s", vhu_fe_error(&be.fe));
		be.fe.timeout_ms = STOP_MS;
		rc = vhu_fe_negotiate(&be.fe, VHU_WANT);
	} else {
		while ((rc = reconnect(path)) != 0 && vhu_now_ms() < deadline) {
			backend_died("reconnecting");
			usleep(50 * 1000);
		}
	}
	backend_died("negotiation");
	FUZZ_ORACLE("vhu-unreachable", rc == 0, "the back-end, still running, cannot be set up again: %s",
		    vhu_fe_error(&be.fe));
	be.up = true;
	be.conn++;
}

/* A request the back-end refused or could not answer: a crash or a hang is an oracle, a NACK is not. */
static void refused(const char *what)
{
	backend_died(what);
	if (be.fe.closed) {
		/*
		 * libvhost-user's way of saying the device needs a reset, or a
		 * crash: the socket closes as the process dies, a moment before
		 * it can be reaped, so give it that moment before calling it alive.
		 */
		for (int64_t until = vhu_now_ms() + REAP_MS; be.fe.pid && vhu_now_ms() < until; usleep(1000))
			backend_died(what);
		be.up = false;
	}
	else
		FUZZ_ORACLE("vhu-stop", strstr(vhu_fe_error(&be.fe), "no answer within") == NULL,
			    "%s: the back-end did not answer within %d ms: %s", what, STOP_MS,
			    vhu_fe_error(&be.fe));
}

/* ---- a window ---- */

static uint16_t used_idx(const struct fz_image *im)
{
	return vg_mem_mapped(im->mem, im->used + VG_USED_IDX, 2) ? vg_mem_load16(im->mem, im->used + VG_USED_IDX)
								   : 0;
}

static uint16_t avail_idx(const struct fz_image *im)
{
	return vg_mem_mapped(im->mem, im->avail + VG_AVAIL_IDX, 2) ? vg_mem_load16(im->mem, im->avail + VG_AVAIL_IDX)
								     : 0;
}

/* Until used idx is @want past @used_start, or it stops moving for @quiet ms; at most WINDOW_MS. */
static void wait_used(const struct win *w, uint16_t used_start, uint16_t want, int quiet)
{
	uint16_t seen = used_idx(w->im);
	int64_t start = vhu_now_ms(), last = start;

	while ((uint16_t)(used_idx(w->im) - used_start) < want && vhu_now_ms() - start < WINDOW_MS &&
	       vhu_now_ms() - last < quiet) {
		vhu_fe_wait_call(&be.fe, be.q, 1);
		if (used_idx(w->im) != seen) {
			seen = used_idx(w->im);
			last = vhu_now_ms();
		}
	}
}

static bool start_rings(struct win *w)
{
	struct vhu_fe_ring_cfg rc = {w->im->size, w->im->desc, w->im->avail, w->im->used, w->base};
	struct vhu_fe_ring_cfg side = {SIDE_SIZE, SIDE_GPA, SIDE_GPA + 0x100, SIDE_GPA + 0x200, 0};

	if (w->mem_conn != be.conn) {
		if (vhu_fe_set_mem(&be.fe, w->im->mem) != 0) {
			refused("SET_MEM_TABLE");
			return false;
		}
		w->mem_conn = be.conn;
	}
	if (be.side && vhu_fe_ring_start(&be.fe, 0, w->im->mem, &side) != 0) {
		refused("ring 0 set-up");
		return false;
	}
	if (vhu_fe_ring_start(&be.fe, be.q, w->im->mem, &rc) != 0) {
		refused("ring set-up"); /* a layout it may refuse: misaligned, outside memory */
		return false;
	}
	return true;
}

/*
 * GET_VRING_BASE; then what it took and has not returned yet may still come
 * back while completions keep coming (qemu-storage-daemon completes requests
 * in flight after the ring stops), so each window judges the entries of its
 * own chains.  A chain it dropped costs LATE_MS.
 */
static void stop_rings(struct win *w, uint16_t used_start)
{
	uint16_t last;

	if (vhu_fe_ring_stop(&be.fe, be.q, &last) != 0) {
		refused("GET_VRING_BASE");
		return;
	}
	wait_used(w, used_start, (uint16_t)(last - w->base), LATE_MS);
	w->base = last;
	if (be.side && vhu_fe_ring_stop(&be.fe, 0, &last) != 0)
		refused("GET_VRING_BASE of ring 0");
}

static void window(struct win *w, bool remap, unsigned region)
{
	struct vhu_heads h;
	uint16_t used_start;

	backend_up();
	vg_mem_snapshot(w->im->mem); /* what the driver wrote is the baseline */
	used_start = used_idx(w->im);
	vhu_heads_start(w->im, &h);
	if (!start_rings(w)) {
		FUZZ_TRACE("vhost_user: ring set-up refused: %s\n", vhu_fe_error(&be.fe));
		goto judge;
	}
	if (remap && vg_mem_move(w->im->mem, region % w->im->mem->nr) == 0 && vhu_fe_set_mem(&be.fe, w->im->mem) != 0)
		refused("SET_MEM_TABLE under a running ring");
	if (be.up) {
		FUZZ_ASSERT(vhu_fe_kick(&be.fe, be.q) == 0 || be.fe.closed, "kick: %s", vhu_fe_error(&be.fe));
		wait_used(w, used_start, (uint16_t)(avail_idx(w->im) - w->base), QUIET_MS);
		stop_rings(w, used_start);
	}
judge:
	backend_died("after the window");
	FUZZ_TRACE("vhost_user: window%s: queue %u, avail idx %u, used idx %u -> %u, next base %u%s\n",
		   remap ? " (remap)" : "", w->im->size, avail_idx(w->im), used_start, used_idx(w->im), w->base,
		   be.up ? "" : ", connection dropped");
	vhu_judge(w->im, &h, used_start, be.side);
}

/* ---- the input ---- */

static bool begin(struct fuzz_run *r, const uint8_t *data, size_t size)
{
	script_in_init(&r->in, data, size);
	script_read_header(&r->in, &ops_def, &r->h);
	/* The connection's features, whatever the header asks: set once per connection. */
	r->h.v[H_FEAT] = ((be.fe.features >> VG_F_INDIRECT_DESC) & 1) | (((be.fe.features >> VG_F_EVENT_IDX) & 1) << 1);
	if (!image_init(&r->im, &r->h, be.fe.features)) {
		image_fini(&r->im);
		return false;
	}
	if (be.side && vg_mem_add(r->im.mem, SIDE_GPA, 0x1000) < 0) { /* ring 0, empty: zeroed */
		image_fini(&r->im);
		return false;
	}
	driver_init(&r->drv, &r->im);
	return true;
}

int fuzz_vhost_user_run(const uint8_t *data, size_t size)
{
	static bool configured;
	struct fuzz_run r;
	struct script_vals op;
	struct win w = {0};
	bool pending = false; /* driver ops since the last window */

	if (!configured) {
		backend_configure();
		configured = true;
	}
	backend_up();
	if (!begin(&r, data, size))
		return 0;
	w.im = &r.im;
	while (script_read_op(&r.in, &ops_def, &op)) {
		if (op.op < DRIVER_OPS) {
			driver_apply(&r.drv, &op);
			pending = true;
		} else if (op.op != OP_KICKS) { /* kick suppression is the back-end's own business */
			window(&w, op.op == OP_REMAP, (unsigned)op.v[0]);
			pending = false;
		}
	}
	if (pending || !w.mem_conn) /* what the driver did last is served too */
		window(&w, false, 0);
	run_end(&r);
	return 0;
}

FUZZ_ENTRY(fuzz_vhost_user_run)
