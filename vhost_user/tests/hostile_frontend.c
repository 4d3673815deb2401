/* SPDX-License-Identifier: MIT */
/*
 * virtq-vhost-user-blk against a hostile front-end: every bad message is
 * refused (NACK) with a line naming it on stderr, changes nothing, and the
 * back-end then serves a valid set-up and a request.  Bounds at their edges:
 * ring size 32768 taken and 65536 / 3 / 0 refused, the ring's last byte in
 * the region taken and one byte past refused.
 *     hostile_frontend PATH_TO_virtq-vhost-user-blk
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vguest/driver.h"
#include "vhost_user/frontend.h"

#define GPA 0x100000ull
#define MEM (1ull << 20)
#define F_VERSION_1 (1ull << 32)

static const char *backend;

struct env {
	struct vhu_fe fe;
	struct vg_mem mem;
};

static void open_env(struct env *e)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s --socket {socket}", backend);
	vhu_fe_init(&e->fe);
	e->fe.timeout_ms = 5000;
	ck_assert_msg(vhu_fe_spawn(&e->fe, cmd) == 0, "%s", vhu_fe_error(&e->fe));
	ck_assert_msg(vhu_fe_negotiate(&e->fe, F_VERSION_1) == 0, "%s", vhu_fe_error(&e->fe));
	ck_assert_msg(e->fe.protocol & (1ull << VHU_PF_REPLY_ACK), "REPLY_ACK offered");
	ck_assert_int_eq(vg_mem_init(&e->mem, 0), 0);
	ck_assert_int_eq(vg_mem_add(&e->mem, GPA, MEM), 0);
}

static void close_env(struct env *e)
{
	char why[300];

	ck_assert_msg(vhu_fe_alive(&e->fe, why, sizeof(why)), "%s", why);
	vhu_fe_close(&e->fe);
	vg_mem_destroy(&e->mem);
}

/* The back-end's log holds a refusal of @what. */
static bool logged(const struct env *e, const char *what)
{
	char buf[8192] = "", pat[64];
	FILE *f = fopen(e->fe.log, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	snprintf(pat, sizeof(pat), "%s refused", what);
	return strstr(buf, pat) != NULL;
}

static int send_state(struct env *e, uint32_t req, uint32_t idx, uint32_t num)
{
	struct vhu_vring_state s = {idx, num};

	return vhu_fe_request(&e->fe, req, &s, sizeof(s), NULL, 0, NULL, 0, NULL, true);
}

/* A valid ring in @e's memory and one request served through it: the back-end still works. */
static void serves_a_request(struct env *e)
{
	struct vg_drv *d = vg_drv_create(&e->mem, 8, F_VERSION_1);
	struct vhu_fe_ring_cfg rc = {8, d->desc, d->avail, d->used, 0};
	struct { uint32_t type, reserved; uint64_t sector; } flush = {4, 0, 0};
	struct vg_chain c;
	struct vg_used u;

	ck_assert_ptr_nonnull(d);
	ck_assert_msg(vhu_fe_set_mem(&e->fe, &e->mem) == 0, "%s", vhu_fe_error(&e->fe));
	ck_assert_msg(vhu_fe_ring_start(&e->fe, 0, &e->mem, &rc) == 0, "%s", vhu_fe_error(&e->fe));
	vg_chain_init(&c);
	vg_chain_readable(d, &c, &flush, sizeof(flush));
	vg_chain_writable(d, &c, 1);
	ck_assert_int_ge(vg_drv_add_publish(d, &c, 1), 0);
	ck_assert_int_eq(vhu_fe_kick(&e->fe, 0), 0);
	for (int k = 0; k < 1000 && !vg_drv_used_pending(d); k++)
		usleep(2000);
	ck_assert_int_eq(vg_drv_reap(d, &u), 1);
	ck_assert_int_eq(u.verdict, VG_USED_OK);
	vg_drv_destroy(d);
}

START_TEST(bad_memory_tables_are_refused_and_change_nothing)
{
	struct env e;
	struct vhu_mem_table t = {0};
	uint64_t off;
	int fd;

	open_env(&e);
	fd = vg_mem_fd(&e.mem, 0, &off);
	/* No region. */
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_MEM_TABLE, &t, sizeof(t), NULL, 0, NULL, 0, NULL, true), 0);
	/* A region of size 0. */
	t.nregions = 1;
	t.r[0] = (struct vhu_region){GPA, 0, (uint64_t)(uintptr_t)e.mem.r[0].drv, off};
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_MEM_TABLE, &t, sizeof(t), &fd, 1, NULL, 0, NULL, true), 0);
	/* A region whose gpa range wraps 2^64. */
	t.r[0] = (struct vhu_region){UINT64_MAX - 10, MEM, (uint64_t)(uintptr_t)e.mem.r[0].drv, off};
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_MEM_TABLE, &t, sizeof(t), &fd, 1, NULL, 0, NULL, true), 0);
	/* Two regions, one descriptor. */
	t.nregions = 2;
	t.r[0] = (struct vhu_region){GPA, MEM, (uint64_t)(uintptr_t)e.mem.r[0].drv, off};
	t.r[1] = (struct vhu_region){GPA + MEM, MEM, 0x1000, 0};
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_MEM_TABLE, &t, sizeof(t), &fd, 1, NULL, 0, NULL, true), 0);
	/* Two regions over the same guest bytes (one byte of overlap), each with its descriptor. */
	{
		int two[2] = {fd, fd};

		t.r[1] = (struct vhu_region){GPA + MEM - 1, MEM, (uint64_t)(uintptr_t)e.mem.r[0].drv + MEM, off};
		ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_MEM_TABLE, &t, sizeof(t), two, 2, NULL, 0, NULL, true),
				 0);
		t.r[1].gpa = GPA + MEM; /* touching, not overlapping: taken */
		ck_assert_int_eq(vhu_fe_request(&e.fe, VHU_SET_MEM_TABLE, &t, sizeof(t), two, 2, NULL, 0, NULL, true),
				 0);
	}
	/* More regions than the protocol carries. */
	t.nregions = VHU_MAX_REGIONS + 1;
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_MEM_TABLE, &t, sizeof(t), &fd, 1, NULL, 0, NULL, true), 0);
	ck_assert(logged(&e, "SET_MEM_TABLE"));
	serves_a_request(&e);
	close_env(&e);
}
END_TEST

START_TEST(ring_sizes_are_checked_at_both_edges)
{
	struct env e;

	open_env(&e);
	ck_assert_int_ne(send_state(&e, VHU_SET_VRING_NUM, 0, 0), 0);
	ck_assert_int_ne(send_state(&e, VHU_SET_VRING_NUM, 0, 3), 0);
	ck_assert_int_ne(send_state(&e, VHU_SET_VRING_NUM, 0, 65536), 0);
	ck_assert_int_eq(send_state(&e, VHU_SET_VRING_NUM, 0, 32768), 0);
	ck_assert_int_eq(send_state(&e, VHU_SET_VRING_NUM, 0, 1), 0);
	ck_assert_int_ne(send_state(&e, VHU_SET_VRING_NUM, 1, 8), 0); /* the device has one ring */
	ck_assert_int_ne(send_state(&e, VHU_SET_VRING_BASE, 0, 0x10000), 0);
	ck_assert_int_ne(send_state(&e, VHU_SET_VRING_ENABLE, 0, 2), 0);
	ck_assert(logged(&e, "SET_VRING_NUM"));
	serves_a_request(&e);
	close_env(&e);
}
END_TEST

START_TEST(ring_addresses_outside_memory_are_refused_at_the_byte)
{
	struct env e;
	uint64_t uva;
	struct vhu_vring_addr a = {0};

	open_env(&e);
	ck_assert_int_eq(vhu_fe_set_mem(&e.fe, &e.mem), 0);
	uva = (uint64_t)(uintptr_t)e.mem.r[0].drv;
	a.desc_uva = a.avail_uva = a.used_uva = uva + MEM - 1; /* the region's last byte */
	ck_assert_int_eq(vhu_fe_request(&e.fe, VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL, 0, NULL, true), 0);
	a.used_uva = uva + MEM; /* one past */
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL, 0, NULL, true), 0);
	a.used_uva = uva - 1; /* one before */
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL, 0, NULL, true), 0);
	ck_assert(logged(&e, "SET_VRING_ADDR"));
	serves_a_request(&e);
	close_env(&e);
}
END_TEST

START_TEST(malformed_messages_are_refused_or_end_the_connection)
{
	struct env e;
	uint32_t short_state = 8;
	uint64_t f;

	open_env(&e);
	/* A payload that does not fit its request. */
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_VRING_NUM, &short_state, sizeof(short_state), NULL, 0,
					NULL, 0, NULL, true), 0);
	/* An unknown request. */
	ck_assert_int_ne(vhu_fe_request(&e.fe, 999, NULL, 0, NULL, 0, NULL, 0, NULL, true), 0);
	/* Features never offered. */
	f = 1ull << 63;
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_SET_FEATURES, &f, sizeof(f), NULL, 0, NULL, 0, NULL, true), 0);
	serves_a_request(&e);
	/* A message that cannot be framed (version 2): the connection ends, the next one is served. */
	{
		struct vhu_header h = {VHU_GET_FEATURES, 2, 0};

		ck_assert_int_eq(write(e.fe.sock, &h, sizeof(h)), (ssize_t)sizeof(h));
	}
	ck_assert_int_ne(vhu_fe_request(&e.fe, VHU_GET_FEATURES, NULL, 0, NULL, 0, &f, sizeof(f), NULL, false), 0);
	vhu_fe_disconnect(&e.fe);
	ck_assert_msg(vhu_fe_connect(&e.fe, e.fe.socket) == 0, "%s", vhu_fe_error(&e.fe));
	e.fe.protocol = 0;
	ck_assert_msg(vhu_fe_negotiate(&e.fe, F_VERSION_1) == 0, "%s", vhu_fe_error(&e.fe));
	serves_a_request(&e);
	close_env(&e);
}
END_TEST

START_TEST(reset_then_a_fresh_setup_is_served)
{
	struct env e;

	open_env(&e);
	serves_a_request(&e);
	ck_assert_msg(vhu_fe_reset(&e.fe) == 0, "%s", vhu_fe_error(&e.fe));
	ck_assert_msg(vhu_fe_negotiate(&e.fe, F_VERSION_1) == 0, "%s", vhu_fe_error(&e.fe));
	serves_a_request(&e); /* new rings, from slot 0 */
	close_env(&e);
}
END_TEST

/* GET_CONFIG: virtio-blk's capacity in 512-byte sectors, and nothing past the 8 bytes it has. */
START_TEST(config_space_says_the_capacity)
{
	struct env e;
	uint64_t cap = 0;
	unsigned char past[4] = {1, 1, 1, 1};

	open_env(&e);
	ck_assert_msg(vhu_fe_get_config(&e.fe, 0, &cap, sizeof(cap)) == 0, "%s", vhu_fe_error(&e.fe));
	ck_assert_uint_eq(cap, (1u << 20) / 512); /* the default 1 MiB disk */
	ck_assert_msg(vhu_fe_get_config(&e.fe, 8, past, sizeof(past)) == 0, "%s", vhu_fe_error(&e.fe));
	ck_assert(past[0] == 0 && past[3] == 0);
	close_env(&e);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("hostile_frontend");
	TCase *t = tcase_create("messages");
	SRunner *sr;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH_TO_virtq-vhost-user-blk\n", argv[0]);
		return 2;
	}
	backend = argv[1];
	tcase_set_timeout(t, 60);
	tcase_add_test(t, bad_memory_tables_are_refused_and_change_nothing);
	tcase_add_test(t, ring_sizes_are_checked_at_both_edges);
	tcase_add_test(t, ring_addresses_outside_memory_are_refused_at_the_byte);
	tcase_add_test(t, malformed_messages_are_refused_or_end_the_connection);
	tcase_add_test(t, reset_then_a_fresh_setup_is_served);
	tcase_add_test(t, config_space_says_the_capacity);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
