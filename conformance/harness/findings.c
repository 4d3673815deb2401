/* SPDX-License-Identifier: MIT */
/*
 * Findings and the test lifecycle; see findings.h.  Records are written with
 * one write(2) each on an O_APPEND descriptor, so a child that dies half-way
 * leaves whole lines only.  The fault path (vqc_fault) uses nothing but the
 * string builders below and write(2).
 */
#include "findings.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VQC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define VQC_ASAN 1
#endif
#ifdef VQC_ASAN
#include <sanitizer/lsan_interface.h>
#endif

static int results_fd = -1;

/* The running test (set in the child by vqc_begin). */
static char cur_name[160];
static int cur_iter;
static char cur_tags[8][32];
static unsigned cur_ntags;
static const char *cur_status = "done";
static char cur_note[256];
static unsigned nfail;

/* Repeated findings: the first few are written, the rest counted. */
#define KEEP_PER_KEY 3
#define KEEP_INFO 16 /* information (limits, outcomes) differs from one to the next */
#define MAX_KEYS 96
static struct key {
	char clause[32];
	char kind[48];
	enum vqc_verdict v;
	unsigned long count;
} keys[MAX_KEYS];
static unsigned nkeys;

static size_t (*ctx_fn)(void *, char *, size_t);
static void *ctx_opaque;

void vqc_results_fd(int fd) { results_fd = fd; }

/* ---- async-signal-safe string building ---- */

static void sb_putc(struct vqc_sb *b, char c)
{
	if (b->len + 1 < b->cap)
		b->buf[b->len++] = c;
	b->buf[b->len < b->cap ? b->len : b->cap - 1] = '\0';
}

void vqc_sb_str(struct vqc_sb *b, const char *s)
{
	while (s && *s)
		sb_putc(b, *s++);
}

void vqc_sb_json(struct vqc_sb *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	sb_putc(b, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, (char)c);
		} else if (c == '\n') {
			vqc_sb_str(b, "\\n");
		} else if (c < 0x20 || c >= 0x7f) {
			vqc_sb_str(b, "\\u00");
			sb_putc(b, hex[c >> 4]);
			sb_putc(b, hex[c & 15]);
		} else {
			sb_putc(b, (char)c);
		}
	}
	sb_putc(b, '"');
}

void vqc_sb_u64(struct vqc_sb *b, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		sb_putc(b, tmp[--n]);
}

void vqc_sb_hex(struct vqc_sb *b, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	vqc_sb_str(b, "0x");
	while (n)
		sb_putc(b, tmp[--n]);
}

/* ---- records ---- */

static void emit(struct vqc_sb *b)
{
	size_t off = 0;

	sb_putc(b, '\n');
	if (results_fd < 0) {
		(void)!write(2, b->buf, b->len);
		return;
	}
	while (off < b->len) {
		ssize_t w = write(results_fd, b->buf + off, b->len - off);

		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void head(struct vqc_sb *b, const char *type)
{
	vqc_sb_str(b, "{\"t\":");
	vqc_sb_json(b, type);
	vqc_sb_str(b, ",\"test\":");
	vqc_sb_json(b, cur_name);
	vqc_sb_str(b, ",\"iter\":");
	vqc_sb_u64(b, (uint64_t)cur_iter);
}

static void ctx(struct vqc_sb *b)
{
	if (!ctx_fn || b->len + 128 > b->cap)
		return;
	vqc_sb_str(b, ",\"ctx\":{");
	b->len += ctx_fn(ctx_opaque, b->buf + b->len, b->cap - b->len - 2);
	vqc_sb_str(b, "}");
}

static void finding_record(enum vqc_verdict v, const char *clause, const char *kind, bool fatal,
			   const char *expected, const char *observed, const char *detail)
{
	static const char *names[] = {"info", "warn", "fail"};
	char buf[4096];
	struct vqc_sb b = {buf, sizeof(buf), 0};

	head(&b, "finding");
	vqc_sb_str(&b, ",\"clause\":");
	vqc_sb_json(&b, clause);
	vqc_sb_str(&b, ",\"verdict\":");
	vqc_sb_json(&b, names[v]);
	vqc_sb_str(&b, ",\"kind\":");
	vqc_sb_json(&b, kind);
	vqc_sb_str(&b, fatal ? ",\"fatal\":true" : ",\"fatal\":false");
	if (expected) {
		vqc_sb_str(&b, ",\"expected\":");
		vqc_sb_json(&b, expected);
	}
	if (observed) {
		vqc_sb_str(&b, ",\"observed\":");
		vqc_sb_json(&b, observed);
	}
	vqc_sb_str(&b, ",\"detail\":");
	vqc_sb_json(&b, detail);
	ctx(&b);
	vqc_sb_str(&b, "}");
	emit(&b);
}

/* ---- lifecycle ---- */

void vqc_display_name(const char *cname, char *buf, size_t n)
{
	const char *sep = strstr(cname, "__");
	size_t i, k = 0;

	if (n == 0)
		return;
	for (i = 0; cname[i] && k + 1 < n; i++) {
		if (sep && cname + i == sep) {
			buf[k++] = '.';
			i++;
			continue;
		}
		buf[k++] = (sep && cname + i < sep && cname[i] == '_') ? '-' : cname[i];
	}
	buf[k] = '\0';
}

/*
 * The report's self-test needs a test that really crashes and one that
 * really hangs, to prove both become errors: VQC_SELFTEST_FAULT=crash|hang
 * with VQC_SELFTEST_TEST=<test name> plants one.  Never set otherwise.
 */
static void selftest_fault(void)
{
	const char *kind = getenv("VQC_SELFTEST_FAULT"), *test = getenv("VQC_SELFTEST_TEST");

	if (!kind || !test || strcmp(test, cur_name) != 0)
		return;
	if (strcmp(kind, "crash") == 0)
		raise(SIGSEGV);
	if (strcmp(kind, "hang") == 0)
		for (;;)
			pause();
}

static const struct vqc_test_def *const *suites_in_use;

void vqc_use_suites(const struct vqc_test_def *const *suites) { suites_in_use = suites; }

static const struct vqc_test_def *find_def(const char *cname)
{
	for (size_t s = 0; suites_in_use && suites_in_use[s]; s++)
		for (const struct vqc_test_def *d = suites_in_use[s]; d->cname; d++)
			if (strcmp(d->cname, cname) == 0)
				return d;
	return NULL;
}

void vqc_begin(const char *cname, int iter)
{
	const struct vqc_test_def *d = find_def(cname);
	char buf[1024], tags[256];
	struct vqc_sb b = {buf, sizeof(buf), 0};
	char *save = NULL;

	VQC_REQUIRE(d != NULL, "test %s is not registered", cname);
#ifdef VQC_ASAN
	/*
	 * A test child that fails leaves through exit() with its queue still
	 * allocated; leak reports there would turn a recorded failure into a
	 * crash.  The runner process keeps leak checking.
	 */
	__lsan_disable();
#endif
	vqc_display_name(cname, cur_name, sizeof(cur_name));
	cur_iter = iter;
	cur_status = "done";
	cur_note[0] = '\0';
	nfail = 0;
	nkeys = 0;
	ctx_fn = NULL;
	cur_ntags = 0;
	snprintf(tags, sizeof(tags), "%s", d->tags);
	for (char *t = strtok_r(tags, " ", &save); t && cur_ntags < 8; t = strtok_r(NULL, " ", &save))
		snprintf(cur_tags[cur_ntags++], sizeof(cur_tags[0]), "%s", t);
	head(&b, "begin");
	vqc_sb_str(&b, ",\"tags\":[");
	for (unsigned i = 0; i < cur_ntags; i++) {
		if (i)
			vqc_sb_str(&b, ",");
		vqc_sb_json(&b, cur_tags[i]);
	}
	vqc_sb_str(&b, "]}");
	emit(&b);
	selftest_fault();
}

void vqc_param(const char *json_fields)
{
	char buf[1024];
	struct vqc_sb b = {buf, sizeof(buf), 0};

	head(&b, "param");
	vqc_sb_str(&b, ",");
	vqc_sb_str(&b, json_fields);
	vqc_sb_str(&b, "}");
	emit(&b);
}

void vqc_set_status(const char *status, const char *note)
{
	cur_status = status;
	snprintf(cur_note, sizeof(cur_note), "%s", note ? note : "");
}

bool vqc_own(const char *clause)
{
	for (unsigned i = 0; i < cur_ntags; i++)
		if (strcmp(cur_tags[i], clause) == 0)
			return true;
	return false;
}

const char *vqc_primary(void) { return cur_ntags ? cur_tags[0] : "?"; }

unsigned vqc_fail_count(void) { return nfail; }

unsigned long vqc_count(const char *clause, enum vqc_verdict v)
{
	unsigned long n = 0;

	for (unsigned i = 0; i < nkeys; i++)
		if (keys[i].v == v && strcmp(keys[i].clause, clause) == 0)
			n += keys[i].count;
	return n;
}

void vqc_set_ctx(size_t (*fn)(void *, char *, size_t), void *opaque)
{
	ctx_fn = fn;
	ctx_opaque = opaque;
}

/* Count a finding; @return whether it is among the first few of its key. */
static bool keep(enum vqc_verdict v, const char *clause, const char *kind)
{
	for (unsigned i = 0; i < nkeys; i++) {
		struct key *k = &keys[i];

		if (k->v == v && strcmp(k->clause, clause) == 0 && strcmp(k->kind, kind) == 0)
			return ++k->count <= (v == VQC_INFO ? KEEP_INFO : KEEP_PER_KEY);
	}
	if (nkeys < MAX_KEYS) {
		struct key *k = &keys[nkeys++];

		snprintf(k->clause, sizeof(k->clause), "%s", clause);
		snprintf(k->kind, sizeof(k->kind), "%s", kind);
		k->v = v;
		k->count = 1;
	}
	return true;
}

static void check_clause(const char *clause)
{
	/* A finding under a clause the catalogue does not have is a suite bug. */
	if (!vqc_catalogue_known(clause))
		ck_abort_msg("suite bug: finding under unknown clause '%s'", clause);
}

void vqc_find(enum vqc_verdict v, const char *clause, const char *kind, const char *expected,
	      const char *observed, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	check_clause(clause);
	if (v == VQC_FAIL)
		nfail++;
	if (!keep(v, clause, kind))
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	finding_record(v, clause, kind, false, expected, observed, detail);
}

static void end_record(const char *status)
{
	char buf[1024];
	struct vqc_sb b = {buf, sizeof(buf), 0};

	head(&b, "end");
	vqc_sb_str(&b, ",\"status\":");
	vqc_sb_json(&b, status);
	vqc_sb_str(&b, ",\"note\":");
	vqc_sb_json(&b, cur_note);
	vqc_sb_str(&b, "}");
	emit(&b);
}

static void count_records(void)
{
	static const char *names[] = {"info", "warn", "fail"};

	for (unsigned i = 0; i < nkeys; i++) {
		char buf[512];
		struct vqc_sb b = {buf, sizeof(buf), 0};

		if (keys[i].count <= 1)
			continue;
		head(&b, "count");
		vqc_sb_str(&b, ",\"clause\":");
		vqc_sb_json(&b, keys[i].clause);
		vqc_sb_str(&b, ",\"verdict\":");
		vqc_sb_json(&b, names[keys[i].v]);
		vqc_sb_str(&b, ",\"kind\":");
		vqc_sb_json(&b, keys[i].kind);
		vqc_sb_str(&b, ",\"count\":");
		vqc_sb_u64(&b, keys[i].count);
		vqc_sb_str(&b, "}");
		emit(&b);
	}
}

static void (*on_fatal)(void);

void vqc_on_fatal(void (*fn)(void)) { on_fatal = fn; }

_Noreturn void vqc_fatal(const char *clause, const char *kind, const char *expected,
			 const char *observed, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	check_clause(clause);
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	nfail++;
	(void)keep(VQC_FAIL, clause, kind);
	finding_record(VQC_FAIL, clause, kind, true, expected, observed, detail);
	count_records();
	if (on_fatal)
		on_fatal();
	_exit(VQC_EXIT_FATAL);
}

_Noreturn void vqc_fault(const char *clause, const char *kind, const char *detail)
{
	finding_record(VQC_FAIL, clause, kind, true, NULL, NULL, detail);
	_exit(VQC_EXIT_FATAL);
}

void vqc_end(void)
{
	char summary[1024];
	size_t k = 0;

	count_records();
	end_record(cur_status);
	if (nfail == 0)
		return;
	/* Check's own verdict: name the clauses, the results file has the evidence. */
	for (unsigned i = 0; i < nkeys && k + 80 < sizeof(summary); i++)
		if (keys[i].v == VQC_FAIL)
			k += (size_t)snprintf(summary + k, sizeof(summary) - k, "%s%s (%s x%lu)",
					      k ? "; " : "", keys[i].clause, keys[i].kind,
					      keys[i].count);
	ck_abort_msg("%u violation(s): %s", nfail, summary);
}

const char *vqc_s(const char *fmt, ...)
{
	static char bufs[8][256];
	static unsigned next;
	char *b = bufs[next++ % 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}
