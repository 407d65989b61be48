/*
 * test_simulate.c - POST /v1/policy/simulate and `ordo simulate` against a
 * hand-computed history.
 *
 * Tenant acme gets exactly these orders (HOODIE-GRY-L at 54.00 plus 5.00
 * shipping unless said otherwise; every customer new unless said; paid,
 * standard shipping, channel web unless said):
 *
 *        total    notes                              default     candidate
 *   H1   1031.00                                     LV          big
 *   H2    545.00                                     -           big
 *   H3     59.00  payment pending                    PNV         pending
 *   H4   1031.00  channel b2b, payment pending       LV, PNV     (approved)
 *   H5     59.00  customer name ""                   IC          -
 *   ---- T (a whole second later than H5's receipt) -------------------------
 *   H6     59.00  customer F; then a defect          -           -
 *   H7    113.00  customer F again, right after H6   -           repeat
 *                 (as a rule in the same second): 1
 *                 earlier order with 1 defect
 *   H8     59.00  express, bill-to CA; cancelled     FEM         -
 *                 in review (claimed, 2 s, cancel)
 *   H9    545.00  defect later                       -           big
 *   H10  1031.00  claimed, 2 s, approved             LV          big
 *   H11    17.50  one MUG-12OZ; defect later         -           mugs
 *
 *   default (active, version 0): LV large-value, FEM first-express-mismatch,
 *   IC incomplete-contact, PNV payment-not-verified (no-location-serves
 *   never: every location serves everywhere).
 *   candidate: b2b-trusted (approve, first), big (total >= 500), pending,
 *   repeat (customer.orders_count >= 1 and customer.defects_count >= 1),
 *   mugs (skus contains "MUG-12OZ").
 *   Bad orders: H6, H9, H11 (defects), H8 (cancelled in review).
 *
 *            orders held share   holds caught missed
 *   all        11
 *    active          6   0.5455    7      1      3
 *    candidate       7   0.6364    7      2      2
 *   from T      6
 *    active          2   0.3333    2      1      3
 *    candidate       4   0.6667    4      2      2
 *   to T        5
 *    active          4   0.8       5      0      0
 *    candidate       3   0.6       3      0      0
 *
 * review_hours = holds x mean_handling_s / 3600, with the mean the answer
 * reports (two holds handled in about 2 s each). Tenant globex, where no
 * hold was ever claimed and resolved, has the default mean of 600 s: its
 * three 1031.00 orders make 3 x 600 / 3600 = 0.5 hours for either policy.
 *
 * Also: the simulation writes nothing (orders, queue, policy, versions and
 * defects unchanged); a bad candidate -> 400 naming rules[i].when; the
 * CLI prints the same figures.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *acme(void)
{
	return srv->key_acme;
}

static const char candidate[] =
	"{\"rules\": ["
	"{\"id\": \"b2b-trusted\", \"when\": \"channel == \\\"b2b\\\"\", "
	"\"then\": \"approve\"}, "
	"{\"id\": \"big\", \"when\": \"total >= 500\", \"then\": "
	"{\"hold\": \"high_value\", \"priority\": 2}}, "
	"{\"id\": \"pending\", \"when\": \"payment_status == "
	"\\\"pending\\\"\", \"then\": {\"hold\": \"payment_unverified\", "
	"\"priority\": 2}}, "
	"{\"id\": \"repeat\", \"when\": \"customer.orders_count >= 1 and "
	"customer.defects_count >= 1\", \"then\": {\"hold\": \"risky_order\", "
	"\"priority\": 1}}, "
	"{\"id\": \"mugs\", \"when\": \"skus contains \\\"MUG-12OZ\\\"\", "
	"\"then\": {\"hold\": \"policy_exception\", \"priority\": 3}}]}";

/* Expected figures of one policy over one window. */
struct figures {
	long held;
	double share;
	long holds; /* policy holds: what review_hours counts */
	long caught, missed;
	/* by_rule: rule ids and counts, NULL-terminated; absent rules 0 */
	struct {
		const char *id;
		long n;
	} by_rule[6];
};

static const struct figures all_active = {
	6, 0.5455, 7, 1, 3,
	{ { "large-value", 3 }, { "first-express-mismatch", 1 },
	  { "incomplete-contact", 1 }, { "no-location-serves", 0 },
	  { "payment-not-verified", 2 }, { NULL, 0 } }
};
static const struct figures all_candidate = {
	7, 0.6364, 7, 2, 2,
	{ { "big", 4 }, { "pending", 1 }, { "repeat", 1 }, { "mugs", 1 },
	  { NULL, 0 } }
};
static const struct figures from_active = {
	2, 0.3333, 2, 1, 3,
	{ { "large-value", 1 }, { "first-express-mismatch", 1 },
	  { "incomplete-contact", 0 }, { "no-location-serves", 0 },
	  { "payment-not-verified", 0 }, { NULL, 0 } }
};
static const struct figures from_candidate = {
	4, 0.6667, 4, 2, 2,
	{ { "big", 2 }, { "pending", 0 }, { "repeat", 1 }, { "mugs", 1 },
	  { NULL, 0 } }
};
static const struct figures to_active = {
	4, 0.8, 5, 0, 0,
	{ { "large-value", 2 }, { "first-express-mismatch", 0 },
	  { "incomplete-contact", 1 }, { "no-location-serves", 0 },
	  { "payment-not-verified", 2 }, { NULL, 0 } }
};
static const struct figures to_candidate = {
	3, 0.6, 3, 0, 0,
	{ { "big", 2 }, { "pending", 1 }, { "repeat", 0 }, { "mugs", 0 },
	  { NULL, 0 } }
};

/* ---- the history ------------------------------------------------------------------ */

static struct {
	int built;
	char boundary[32]; /* T */
	char ids[12][64];  /* ids[1..11] = H1..H11 */
} hist;

static char person_key[HARNESS_KEY_MAX];

static void dump_order(const char *why, const json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1));

	print_error("%s\norder: %s\n", why, text ? text : "?");
	free(text);
}

static json_t *hoodies(const char *ext, long qty)
{
	return order_one_line(ext, "HOODIE-GRY-L", qty, "54.00");
}

/* POST body as H<n>; its id into hist.ids[n]. Steals body. */
static void place(int n, json_t *body)
{
	char *id = order_create(acme(), body);

	snprintf(hist.ids[n], sizeof(hist.ids[n]), "%s", id);
	free(id);
	json_decref(body);
}

static void defect(const char *order_id, const char *type)
{
	char path[128], body[256];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/orders/%s/defects", order_id);
	snprintf(body, sizeof(body),
		 "{\"type\": \"%s\", \"found_by\": \"customer\", \"note\": "
		 "\"simulation history\"}",
		 type);
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	resp_free(r);
}

static void hold_of(int n, const char *type, char *out)
{
	json_t *o = order_fetch(acme(), hist.ids[n]);

	hold_id_of(o, type, out, 64);
	json_decref(o);
}

static void history(void)
{
	char risky[64], big[64];
	struct resp *r;
	json_t *b;
	time_t t;

	if (hist.built)
		return;
	place(1, hoodies("SIM-H1", 19));
	place(2, hoodies("SIM-H2", 10));
	b = hoodies("SIM-H3", 1);
	jset(b, "payment_status", json_string("pending"));
	place(3, b);
	b = hoodies("SIM-H4", 19);
	jset(b, "channel", json_string("b2b"));
	jset(b, "payment_status", json_string("pending"));
	place(4, b);
	b = hoodies("SIM-H5", 1);
	jset(b, "customer.name", json_string(""));
	place(5, b);

	/* T: a whole second after H5 was received. */
	t = harness_clock_now() + 1;
	harness_clock_advance(1);
	rfc3339(t, hist.boundary, sizeof(hist.boundary));

	b = hoodies("SIM-H6", 1);
	jset(b, "customer.email", json_string("repeat.f@example.com"));
	place(6, b);
	defect(hist.ids[6], "wrong_address");
	b = hoodies("SIM-H7", 2);
	jset(b, "customer.email", json_string("repeat.f@example.com"));
	place(7, b);
	b = hoodies("SIM-H8", 1);
	jset(b, "shipping.method", json_string("express"));
	json_object_set_new(b, "bill_to",
			    jparse("{\"name\": \"Margaret Hollis\", \"line1\": "
				   "\"100 King St W\", \"city\": \"Toronto\", "
				   "\"region\": \"ON\", \"postal_code\": "
				   "\"M5H 1A1\", \"country\": \"CA\"}"));
	place(8, b);
	place(9, hoodies("SIM-H9", 10));
	place(10, hoodies("SIM-H10", 19));
	place(11, order_one_line("SIM-H11", "MUG-12OZ", 1, "12.50"));
	defect(hist.ids[9], "missing_item");
	defect(hist.ids[11], "other");

	/* The intake under the default policy, as the table says. */
	{
		static const int held[] = { 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0 };

		for (int n = 1; n <= 11; n++) {
			json_t *o = order_fetch(acme(), hist.ids[n]);
			int on_hold = streq(jstr(o, "state"), "on_hold");

			if (on_hold != held[n]) {
				char why[64];

				snprintf(why, sizeof(why), "H%d must %sbe on "
					 "hold", n, held[n] ? "" : "not ");
				dump_order(why, o);
				fail();
			}
			json_decref(o);
		}
	}

	/* Two holds handled by a person, about 2 s each. */
	/* A supervisor: one of the two is cancelled. */
	key_create("acme", "supervisor", "simsuper", person_key,
		   sizeof(person_key));
	hold_of(8, "risky_order", risky);
	hold_of(10, "high_value", big);
	r = hold_post(person_key, risky, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_post(person_key, big, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	harness_clock_advance(2);
	r = hold_resolve(person_key, risky, "cancel_order",
			 "card holder denies the order", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(person_key, big, "approve", "regular customer", NULL);
	assert_status(r, 200);
	resp_free(r);
	hist.built = 1;
}

/* ---- checking an answer ----------------------------------------------------------------- */

static struct resp *simulate(const char *key, const char *policy_doc,
			     const char *from, const char *to)
{
	char body[4096];
	int n = snprintf(body, sizeof(body), "{\"policy\": %s", policy_doc);

	if (from)
		n += snprintf(body + n, sizeof(body) - (size_t)n,
			      ", \"from\": \"%s\"", from);
	if (to)
		n += snprintf(body + n, sizeof(body) - (size_t)n,
			      ", \"to\": \"%s\"", to);
	snprintf(body + n, sizeof(body) - (size_t)n, "}");
	return http("POST", "/v1/policy/simulate", key, body, strlen(body),
		    NULL);
}

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static long inum(const json_t *j, const char *path)
{
	json_t *v = jget(j, path);

	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/* A failed expectation: print it, count it (the caller fails at the end). */
#define expect(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			print_error(__VA_ARGS__);                              \
			print_error("\n");                                     \
			bad++;                                                 \
		}                                                              \
	} while (0)

/* One side ("candidate" or "active") of answer a against f; the number of
 * mismatches (each printed). */
static int side_mismatches(const json_t *a, const char *side,
			   const struct figures *f, const char *what)
{
	json_t *s = json_object_get(a, side);
	json_t *by = json_object_get(s, "by_rule");
	double mean = json_number_value(json_object_get(a, "mean_handling_s"));
	double hours = json_number_value(json_object_get(s, "review_hours"));
	double want_hours = (double)f->holds * mean / 3600.0;
	const char *k;
	json_t *v;
	int bad = 0;

	if (!json_is_object(s) || !json_is_object(by)) {
		print_error("%s: no %s object with by_rule\n", what, side);
		return 1;
	}
	expect(inum(s, "held") == f->held, "%s: %s.held = %ld, want %ld", what,
	       side, inum(s, "held"), f->held);
	expect(json_is_number(json_object_get(s, "share")) &&
		       dabs(json_number_value(json_object_get(s, "share")) -
			    f->share) < 1e-6,
	       "%s: %s.share = %g, want %.4f (4 decimals)", what, side,
	       json_number_value(json_object_get(s, "share")), f->share);
	for (int i = 0; f->by_rule[i].id; i++) {
		json_t *n = json_object_get(by, f->by_rule[i].id);
		long got = n ? (json_is_integer(n) ? (long)json_integer_value(n)
						   : -1)
			     : 0;

		expect(got == f->by_rule[i].n, "%s: %s.by_rule.%s = %ld, want %ld",
		       what, side, f->by_rule[i].id, got, f->by_rule[i].n);
	}
	/* Only the policy's rules. */
	json_object_foreach(by, k, v) {
		int known = !strcmp(k, "b2b-trusted");

		for (int i = 0; f->by_rule[i].id; i++)
			known = known || !strcmp(k, f->by_rule[i].id);
		expect(known, "%s: %s.by_rule has a rule %s the policy has not",
		       what, side, k);
	}
	expect(json_is_number(json_object_get(s, "review_hours")) &&
		       dabs(hours - want_hours) <= 0.0051,
	       "%s: %s.review_hours = %g, want %ld holds x %.1f s / 3600 = "
	       "%.4f (2 decimals)",
	       what, side, hours, f->holds, mean, want_hours);
	expect(inum(s, "defects_caught") == f->caught &&
		       inum(s, "defects_missed") == f->missed,
	       "%s: %s.defects_caught/missed = %ld/%ld, want %ld/%ld", what,
	       side, inum(s, "defects_caught"), inum(s, "defects_missed"),
	       f->caught, f->missed);
	return bad;
}

static void expect_side(const json_t *a, const char *side,
			const struct figures *f, const char *what)
{
	if (side_mismatches(a, side, f, what)) {
		char *text = json_dumps(a, JSON_INDENT(1));

		print_error("answer: %s\n", text);
		free(text);
		fail_msg("%s: the %s figures differ from the hand-computed "
			 "ones (above)",
			 what, side);
	}
}

static int answer_mismatches(const json_t *a, long orders,
			     const struct figures *cand,
			     const struct figures *act, const char *what)
{
	json_t *mean = json_object_get(a, "mean_handling_s");
	int bad = 0;

	expect(inum(a, "orders") == orders, "%s: orders = %ld, want %ld", what,
	       inum(a, "orders"), orders);
	/* Two holds, each claimed about 2 s before it was resolved. */
	expect(json_is_number(mean) && json_number_value(mean) >= 1 &&
		       json_number_value(mean) <= 30,
	       "%s: mean_handling_s = %g, want about 2 s (the two handled "
	       "holds)",
	       what, json_number_value(mean));
	bad += side_mismatches(a, "candidate", cand, what);
	bad += side_mismatches(a, "active", act, what);
	if (bad) {
		char *text = json_dumps(a, JSON_INDENT(1));

		print_error("answer: %s\n", text);
		free(text);
	}
	return bad;
}

static void expect_answer(const json_t *a, long orders,
			  const struct figures *cand,
			  const struct figures *act, const char *what)
{
	int bad = answer_mismatches(a, orders, cand, act, what);

	check(bad == 0, "%s: %d figures differ from the hand-computed ones "
	      "(above)", what, bad);
}

/* ---- tests --------------------------------------------------------------------------------- */

API_TEST(figures_match_the_hand_computed_history)
{
	struct resp *r;

	history();
	r = simulate(acme(), candidate, NULL, NULL);
	assert_status(r, 200);
	expect_answer(r->json, 11, &all_candidate, &all_active, "all orders");
	resp_free(r);

	r = simulate(acme(), candidate, "2000-01-01T00:00:00Z",
		     "2100-01-01T00:00:00Z");
	assert_status(r, 200);
	expect_answer(r->json, 11, &all_candidate, &all_active,
		      "2000 to 2100");
	resp_free(r);
}

API_TEST(from_and_to_bound_the_orders)
{
	struct resp *r;

	int bad = 0;

	history();
	r = simulate(acme(), candidate, hist.boundary, NULL);
	assert_status(r, 200);
	bad += answer_mismatches(r->json, 6, &from_candidate, &from_active,
				 "from T");
	resp_free(r);

	r = simulate(acme(), candidate, NULL, hist.boundary);
	assert_status(r, 200);
	bad += answer_mismatches(r->json, 5, &to_candidate, &to_active, "to T");
	resp_free(r);

	r = simulate(acme(), candidate, "2100-01-01T00:00:00Z", NULL);
	assert_status(r, 200);
	check(inum(r->json, "orders") == 0 &&
		      inum(r->json, "candidate.held") == 0 &&
		      inum(r->json, "active.held") == 0,
	      "no orders after 2100: %s", r->body);
	resp_free(r);

	r = simulate(acme(), candidate, "yesterday", NULL);
	assert_error(r, 400, "invalid_request", "from");
	resp_free(r);
	r = simulate(acme(), candidate, NULL, "2026-13-01T00:00:00Z");
	assert_error(r, 400, "invalid_request", "to");
	resp_free(r);
	check(bad == 0, "%d figures differ from the hand-computed ones "
	      "(above)", bad);
}

API_TEST(the_default_mean_is_600_s_without_history)
{
	struct resp *r;
	json_t *a;
	const struct figures g = {
		3, 1.0, 3, 0, 0,
		{ { "big", 3 }, { "pending", 0 }, { "repeat", 0 },
		  { "mugs", 0 }, { NULL, 0 } }
	};
	const struct figures ga = {
		3, 1.0, 3, 0, 0,
		{ { "large-value", 3 }, { "first-express-mismatch", 0 },
		  { "incomplete-contact", 0 }, { "no-location-serves", 0 },
		  { "payment-not-verified", 0 }, { NULL, 0 } }
	};

	for (int i = 0; i < 3; i++) {
		char ext[32];
		json_t *b;
		char *id;

		snprintf(ext, sizeof(ext), "SIM-G%d", i);
		b = hoodies(ext, 19);
		id = order_create(srv->key_globex, b);
		free(id);
		json_decref(b);
	}
	r = simulate(srv->key_globex, candidate, NULL, NULL);
	assert_status(r, 200);
	a = r->json;
	check(inum(a, "orders") == 3, "globex has 3 orders: %s", r->body);
	check(json_is_number(json_object_get(a, "mean_handling_s")) &&
		      json_number_value(json_object_get(a, "mean_handling_s")) ==
			      600,
	      "no hold was ever handled in globex: mean_handling_s must be "
	      "600: %s",
	      r->body);
	expect_side(a, "candidate", &g, "globex");
	expect_side(a, "active", &ga, "globex");
	check(dabs(json_number_value(jget(a, "candidate.review_hours")) - 0.5) <
		      1e-6,
	      "3 holds x 600 s = 0.5 hours: %s", r->body);
	resp_free(r);
}

/* The queue's holds without the time-dependent parts of the items. */
static json_t *queue_holds(void)
{
	json_t *items = queue_items(acme(), ""), *holds = json_array(), *it;
	size_t i;

	json_array_foreach(items, i, it)
		json_array_append(holds, json_object_get(it, "hold"));
	json_decref(items);
	return holds;
}

static json_t *snapshot(void)
{
	json_t *s = json_object();
	struct resp *r;

	json_object_set_new(s, "orders",
			    list_all(acme(), "/v1/orders", "orders", 200));
	json_object_set_new(s, "queue", queue_holds());
	json_object_set_new(s, "defects",
			    list_all(acme(), "/v1/defects", "defects", 200));
	r = http_get(acme(), "/v1/policy");
	assert_status(r, 200);
	json_object_set(s, "policy", r->json);
	resp_free(r);
	r = http_get(acme(), "/v1/policy/versions");
	assert_status(r, 200);
	json_object_set(s, "versions", r->json);
	resp_free(r);
	return s;
}

API_TEST(a_simulation_writes_nothing)
{
	json_t *before, *after;
	struct resp *r;
	const char *parts[] = { "orders", "queue", "defects", "policy",
				"versions" };

	history();
	before = snapshot();
	r = simulate(acme(), candidate, NULL, NULL);
	assert_status(r, 200);
	resp_free(r);
	r = simulate(acme(), candidate, hist.boundary, NULL);
	assert_status(r, 200);
	resp_free(r);
	after = snapshot();
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		check(json_equal(json_object_get(before, parts[i]),
				 json_object_get(after, parts[i])),
		      "a simulation changed the %s", parts[i]);
	check(json_array_size(json_object_get(after, "orders")) == 11,
	      "acme must still have exactly 11 orders");
	json_decref(before);
	json_decref(after);
}

API_TEST(a_bad_candidate_is_refused)
{
	static const char bad[] =
		"{\"rules\": [{\"id\": \"fine\", \"when\": \"total >= 1\", "
		"\"then\": {\"hold\": \"high_value\", \"priority\": 2}}, "
		"{\"id\": \"broken\", \"when\": \"totl >= 1\", \"then\": "
		"{\"hold\": \"high_value\", \"priority\": 2}}]}";
	struct resp *r;

	r = simulate(acme(), bad, NULL, NULL);
	assert_error(r, 400, "invalid_request", "rules[1].when");
	check(jstr(r->json, "error.message") &&
		      strstr(jstr(r->json, "error.message"), "broken"),
	      "the message must name the rule: %s", r->body);
	resp_free(r);
	r = http("POST", "/v1/policy/simulate", acme(), "{}", 2, NULL);
	assert_error(r, 400, "invalid_request", "policy");
	resp_free(r);

	/* Simulating is for supervisors and admins. */
	{
		char viewer[HARNESS_KEY_MAX];

		key_create("acme", "viewer", "simviewer", viewer,
			   sizeof(viewer));
		r = simulate(viewer, candidate, NULL, NULL);
		assert_error(r, 403, "forbidden", NULL);
		resp_free(r);
	}
}

/* Write text to a file in the group's directory; its path into path. */
static void write_file(const char *name, const char *text, char *path,
		       size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", srv->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_cli_same(const char *from, const char *to,
			    const char *policy_path)
{
	const char *args[16];
	struct cli_result c;
	struct resp *r;
	json_error_t e;
	json_t *out;
	size_t n = 0;

	args[n++] = "simulate";
	args[n++] = "--db";
	args[n++] = srv->db_path;
	args[n++] = "--tenant";
	args[n++] = "acme";
	args[n++] = "--policy";
	args[n++] = policy_path;
	if (from) {
		args[n++] = "--from";
		args[n++] = from;
	}
	if (to) {
		args[n++] = "--to";
		args[n++] = to;
	}
	args[n] = NULL;
	cli_run(&c, args);
	check(c.exit_status == 0, "ordo simulate exited %d\nstdout: %s\n"
	      "stderr: %s", c.exit_status, c.out, c.err);
	out = json_loads(c.out, 0, &e);
	check(out != NULL, "ordo simulate must print JSON: %s (%s)", c.out,
	      e.text);
	r = simulate(acme(), candidate, from, to);
	assert_status(r, 200);
	{
		static const char *const fields[] = { "orders",
						      "mean_handling_s",
						      "candidate", "active" };
		char *a = json_dumps(out, JSON_INDENT(1) | JSON_SORT_KEYS);

		for (size_t i = 0; i < 4; i++)
			check(json_equal(json_object_get(out, fields[i]),
					 json_object_get(r->json, fields[i])),
			      "CLI and API differ in %s\nCLI: %s\nAPI: %s",
			      fields[i], a, r->body);
		free(a);
	}
	resp_free(r);
	json_decref(out);
	cli_result_free(&c);
}

API_TEST(the_cli_prints_the_same_figures)
{
	char path[256], bad_path[256];
	const char *args[10];
	struct cli_result c;

	history();
	write_file("candidate.json", candidate, path, sizeof(path));
	expect_cli_same(NULL, NULL, path);
	expect_cli_same(hist.boundary, NULL, path);
	expect_cli_same(NULL, hist.boundary, path);

	/* A bad candidate: refused, naming the rule. */
	write_file("bad.json",
		   "{\"rules\": [{\"id\": \"broken\", \"when\": \"totl >= 1\", "
		   "\"then\": {\"hold\": \"high_value\", \"priority\": 2}}]}",
		   bad_path, sizeof(bad_path));
	args[0] = "simulate";
	args[1] = "--db";
	args[2] = srv->db_path;
	args[3] = "--tenant";
	args[4] = "acme";
	args[5] = "--policy";
	args[6] = bad_path;
	args[7] = NULL;
	cli_run(&c, args);
	check(c.exit_status != 0 && strstr(c.err, "broken"),
	      "a bad policy file: non-zero exit and a message naming the "
	      "rule on stderr (exit %d, stderr %s)",
	      c.exit_status, c.err);
	cli_result_free(&c);

	/* Bad usage: exit 2. */
	args[3] = "--policy";
	args[4] = path;
	args[5] = NULL;
	cli_run(&c, args);
	check(c.exit_status == 2, "no --tenant: exit 2, got %d (%s)",
	      c.exit_status, c.err);
	cli_result_free(&c);
	args[0] = "simulate";
	args[1] = "--help";
	args[2] = NULL;
	cli_run(&c, args);
	check(c.exit_status == 0 && strstr(c.out, "--policy"),
	      "ordo simulate --help: exit 0 and usage (exit %d)",
	      c.exit_status);
	cli_result_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(figures_match_the_hand_computed_history),
		cmocka_unit_test(from_and_to_bound_the_orders),
		cmocka_unit_test(the_default_mean_is_600_s_without_history),
		cmocka_unit_test(a_simulation_writes_nothing),
		cmocka_unit_test(a_bad_candidate_is_refused),
		cmocka_unit_test(the_cli_prints_the_same_figures),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
