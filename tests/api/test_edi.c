/*
 * test_edi.c - trading partners' EDI X12: POST /v1/channels/{id}/x12,
 * GET /v1/orders/{id}/x12/855 and `ordo import x12`.
 *
 *   samples      real partners' files (tests/samples/x12): an 850 taken and
 *                acknowledged (997 AK5 A), separators read from each ISA
 *                (`|` terminators, bare newlines, a byte-order mark), a
 *                broken 850 rejected with the segment and element at fault
 *                (AK3/AK4, AK5 R) and nothing taken, an 810 beside an 850
 *                acknowledged but not an order.
 *   duplicates   the same interchange again is answered with its first 997
 *                and takes nothing; the same PO in another interchange is
 *                found, not taken twice.
 *   refusals     a body that holds no interchange is 400 naming why; a
 *                channel that is not an x12 one is 404; no key is 401.
 *   the 855      for an order of an 850 once it is accepted, each line
 *                acknowledged as it stands; 409 while it is on hold; 404
 *                for an order that did not come in an 850.
 *   the command  `ordo import x12` prints the 997.
 */
#include "harness.h"
#include "proc.h"

#include <stdio.h>
#include <string.h>

#define X12_DIR ORDO_SOURCE_DIR "/tests/samples/x12/"

static const char *acme(void)
{
	return srv->key_acme;
}

static const char *const edi_type[] = {"Content-Type: application/edi-x12",
				       NULL};

/* An x12 channel of acme's (currency USD); its id into id. */
static void x12_channel(const char *name, char *id, size_t size)
{
	char body[256], endpoint[128];
	struct resp *r;

	snprintf(body, sizeof(body),
		 "{\"kind\": \"x12\", \"name\": \"%s\", \"currency\": \"USD\"}",
		 name);
	r = http("POST", "/v1/channels", acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	snprintf(id, size, "%s", jstr(r->json, "id"));
	snprintf(endpoint, sizeof(endpoint), "/v1/channels/%s/x12", id);
	check(streq(jstr(r->json, "endpoint"), endpoint), "endpoint %s",
	      r->body);
	resp_free(r);
}

static struct resp *x12_post_as(const char *key, const char *channel,
				const char *text, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/channels/%s/x12", channel);
	return http("POST", path, key, text, len, edi_type);
}

static struct resp *x12_post(const char *channel, const char *text, size_t len)
{
	return x12_post_as(acme(), channel, text, len);
}

static struct resp *x12_post_file(const char *channel, const char *name)
{
	char path[512];
	char *text;
	struct resp *r;

	snprintf(path, sizeof(path), X12_DIR "%s", name);
	text = proc_slurp(path);
	r = x12_post(channel, text, strlen(text));
	free(text);
	return r;
}

static long header_num(const struct resp *r, const char *name)
{
	char v[32] = "";

	check(resp_header(r, name, v, sizeof(v)), "no %s header", name);
	return strtol(v, NULL, 10);
}

/* A synthetic 850 of one line of 2 MUG-12OZ at 12.50, PO po, interchange
 * control number control, with the ISA's fixed widths. */
static char *synthetic_850_of(const char *purpose, const char *po,
			      int control)
{
	char *buf = malloc(2048);

	assert_non_null(buf);
	snprintf(buf, 2048,
		 "ISA*00*          *00*          *ZZ*%-15s*ZZ*%-15s*261201*1200*"
		 "U*00401*%09d*0*P*>~\n"
		 "GS*PO*PARTNERA*ORDO*20261201*1200*%d*X*004010~\n"
		 "ST*850*0001~\nBEG*%s*SA*%s**20261201~\n"
		 "PER*BD*Pat Buyer*EM*pat@partner.example~\n"
		 "N1*ST*Pat Buyer~\nN3*100 Main St~\n"
		 "N4*Springfield*IL*62701*US~\n"
		 "PO1*1*2*EA*12.50**VP*MUG-12OZ~\nPID*F****Mug~\nCTT*1~\n"
		 "SE*10*0001~\nGE*1*%d~\nIEA*1*%09d~\n",
		 "PARTNERA", "ORDO", control, control, purpose, po, control,
		 control);
	return buf;
}

static char *synthetic_850(const char *po, int control)
{
	return synthetic_850_of("00", po, control);
}

/* An interchange of one 860 whose segments between ST and SE are body
 * (n of them), interchange control number control. */
static char *synthetic_860(const char *body, int n, int control)
{
	char *buf = malloc(4096);

	assert_non_null(buf);
	snprintf(buf, 4096,
		 "ISA*00*          *00*          *ZZ*%-15s*ZZ*%-15s*261202*1200*"
		 "U*00401*%09d*0*P*>~\n"
		 "GS*PC*PARTNERA*ORDO*20261202*1200*%d*X*004010~\n"
		 "ST*860*0001~\n%sSE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n",
		 "PARTNERA", "ORDO", control, control, body, n + 2, control,
		 control);
	return buf;
}

/* A partner's 860 changes the order its 850 placed, each change as one
 * asked through the API; what ordo does not take is said; an 860
 * cancels it. */
API_TEST(a_partners_860_changes_and_cancels_its_order)
{
	char ch[64], *file, id[64];
	struct resp *r;
	json_t *all, *o, *evs, *e;
	size_t i;
	int seen = 0;

	x12_channel("partner-860", ch, sizeof(ch));
	file = synthetic_850("PO-860-1", 701);
	r = x12_post(ch, file, strlen(file));
	assert_status(r, 200);
	resp_free(r);
	free(file);
	all = list_all(acme(), "/v1/orders?channel=partner-860", "orders", 10);
	snprintf(id, sizeof(id), "%s", jstr(json_array_get(all, 0), "id"));
	json_decref(all);

	file = synthetic_860("BCH*04*SA*PO-860-1**1*20261202~\n"
			     "N1*ST*Pat Buyer~\nN3*200 Oak Ave~\n"
			     "N4*Springfield*IL*62704*US~\n"
			     "N1*BT*Accounts~\nN3*1 Billing Plaza~\n"
			     "N4*Chicago*IL*60601*US~\n"
			     "POC*1*QI*5*0*EA*12.50**VP*MUG-12OZ~\n"
			     "POC*2*AI*3*0*EA*4.00**VP*TSHIRT-BLK-M~\n"
			     "PID*F****Tee~\n"
			     "POC*9*DI~\n",
			     11, 702);
	r = x12_post(ch, file, strlen(file));
	assert_status(r, 200);
	check(strstr(r->body, "AK9*A*1*1*1") != NULL, "997 %s", r->body);
	check(header_num(r, "X-Ordo-Changes-Taken") == 1, "taken");
	resp_free(r);
	free(file);
	o = order_fetch(acme(), id);
	check(json_integer_value(jget(o, "lines[0].quantity")) == 5 &&
		      streq(jstr(o, "lines[1].sku"), "TSHIRT-BLK-M") &&
		      streq(jstr(o, "lines[1].external_id"), "2") &&
		      streq(jstr(o, "lines[1].unit_price"), "4.00") &&
		      json_integer_value(jget(o, "lines[1].quantity")) == 3 &&
		      streq(jstr(o, "ship_to.line1"), "200 Oak Ave") &&
		      streq(jstr(o, "ship_to.postal_code"), "62704"),
	      "%s", json_dumps(o, 0));
	json_decref(o);
	r = http_get(acme(), "/v1/orders/%s/changes", id);
	check(json_array_size(jget(r->json, "changes")) == 3 &&
		      streq(jstr(r->json, "changes[0].kind"), "add_line") &&
		      streq(jstr(r->json, "changes[1].kind"), "quantity") &&
		      streq(jstr(r->json, "changes[2].kind"), "ship_to") &&
		      streq(jstr(r->json, "changes[0].reason"),
			    "changed by the partner's 860"),
	      "%s", r->body);
	resp_free(r);
	evs = order_events(acme(), id);
	json_array_foreach(evs, i, e)
		seen |= streq(jstr(e, "type"), "channel_changed") &&
			strstr(jstr(e, "message"), "POC DI 9") != NULL;
	check(seen, "the line it could not find is on the timeline");
	json_decref(evs);

	/* The same ship-to again is no change; a price the line was not
	 * ordered at is not taken, and said. */
	file = synthetic_860("BCH*04*SA*PO-860-1**2*20261202~\n"
			     "N1*ST*Pat Buyer~\nN3*200 Oak Ave~\n"
			     "N4*Springfield*IL*62704*US~\n"
			     "POC*1*QD*4*0*EA*11.00**VP*MUG-12OZ~\n",
			     5, 705);
	r = x12_post(ch, file, strlen(file));
	assert_status(r, 200);
	resp_free(r);
	free(file);
	r = http_get(acme(), "/v1/orders/%s/changes", id);
	check(json_array_size(jget(r->json, "changes")) == 4 &&
		      streq(jstr(r->json, "changes[3].kind"), "quantity"),
	      "%s", r->body);
	resp_free(r);
	evs = order_events(acme(), id);
	seen = 0;
	json_array_foreach(evs, i, e)
		seen |= streq(jstr(e, "type"), "channel_changed") &&
			strstr(jstr(e, "message"), "POC06") != NULL;
	check(seen, "the price not taken is on the timeline");
	json_decref(evs);

	/* An 860 cancels it. */
	file = synthetic_860("BCH*01*SA*PO-860-1**2*20261203~\n", 1, 703);
	r = x12_post(ch, file, strlen(file));
	assert_status(r, 200);
	resp_free(r);
	free(file);
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "state"), "cancelled"), "%s", jstr(o, "state"));
	json_decref(o);

	/* A PO ordo never had changes nothing. */
	file = synthetic_860("BCH*04*SA*PO-NONE**1*20261202~\n"
			     "POC*1*QD*1~\n",
			     2, 704);
	r = x12_post(ch, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Changes-Refused") == 1 &&
		      header_num(r, "X-Ordo-Changes-Taken") == 0,
	      "refused");
	resp_free(r);
	free(file);
}

/* An integration key's 860 reaches the orders it created alone: another
 * key's PO is one it does not have. */
API_TEST(an_integrations_860_reaches_its_own_orders)
{
	char ch[64], mine[HARNESS_KEY_MAX], theirs[HARNESS_KEY_MAX];
	char *file, id[64];
	json_t *all, *o;
	struct resp *r;

	key_create("acme", "integration", "edi-mine", mine, sizeof(mine));
	key_create("acme", "integration", "edi-theirs", theirs,
		   sizeof(theirs));
	x12_channel("partner-reach", ch, sizeof(ch));
	file = synthetic_850("PO-REACH-1", 801);
	r = x12_post_as(mine, ch, file, strlen(file));
	assert_status(r, 200);
	resp_free(r);
	free(file);
	all = list_all(mine, "/v1/orders", "orders", 10);
	check(json_array_size(all) == 1, "its one order: %s",
	      json_dumps(all, 0));
	snprintf(id, sizeof(id), "%s", jstr(json_array_get(all, 0), "id"));
	json_decref(all);

	file = synthetic_860("BCH*01*SA*PO-REACH-1**1*20261203~\n", 1, 802);
	r = x12_post_as(theirs, ch, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Changes-Refused") == 1 &&
		      header_num(r, "X-Ordo-Changes-Taken") == 0,
	      "another key's 860 is refused");
	resp_free(r);
	free(file);
	o = order_fetch(acme(), id);
	check(!streq(jstr(o, "state"), "cancelled"), "cancelled by another");
	json_decref(o);

	file = synthetic_860("BCH*01*SA*PO-REACH-1**1*20261203~\n", 1, 803);
	r = x12_post_as(mine, ch, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Changes-Taken") == 1, "its own 860");
	resp_free(r);
	free(file);
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "state"), "cancelled"), "%s", jstr(o, "state"));
	json_decref(o);
	/* A partner's cancellation is in the audit log, as anyone's. */
	r = http_get(acme(), "/v1/audit?kind=order.cancelled&actor=key:edi-mine");
	assert_status(r, 200);
	check(strstr(r->body, id) != NULL, "no order.cancelled row for %s: %s",
	      id, r->body);
	resp_free(r);
}

API_TEST(real_partners_files_are_taken_and_acknowledged)
{
	char ch[64];
	struct resp *r;

	x12_channel("partner-real", ch, sizeof(ch));

	/* A 4010 850, `~` and a newline after each segment. */
	r = x12_post_file(ch, "aaronhuggins_node-x12__test_test-data_850.edi");
	assert_status(r, 200);
	check(strncmp(r->body, "ISA*", 4) == 0 &&
		      strstr(r->body, "ST*997*") &&
		      strstr(r->body, "AK2*850*") &&
		      strstr(r->body, "AK5*A~") && strstr(r->body, "AK9*A*"),
	      "997 %s", r->body);
	check(header_num(r, "X-Ordo-Orders-Taken") == 1, "%s", r->headers);
	resp_free(r);

	/* `|` as the segment terminator, a byte-order mark, CRLF: read;
	 * but its BEG01 is 05, a replacement of an order sent before,
	 * which ordo does not take from a partner. */
	r = x12_post_file(ch, "Inteligenz_X12Parser__tests_OopFactory.X12."
			      "Tests.Unit_Parsing__SampleEdiFiles_ORD__850_"
			      "Example1_PGWGlass.txt");
	assert_status(r, 200);
	check(strstr(r->body, "AK5*A|") != NULL &&
		      header_num(r, "X-Ordo-Orders-Taken") == 0 &&
		      header_num(r, "X-Ordo-Orders-Refused") == 1,
	      "997 %s\n%s", r->body, r->headers);
	resp_free(r);

	/* The same PO as 850.edi, a bare newline ending each segment: found,
	 * not taken twice. */
	r = x12_post_file(ch,
			  "aaronhuggins_node-x12__test_test-data_850_2.edi");
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Orders-Taken") == 0, "%s\n%s", r->headers,
	      r->body);
	resp_free(r);

	/* A bad unit of measure and a wrong SE01: rejected, with the
	 * segment and element at fault; nothing taken. */
	r = x12_post_file(ch,
			  "EdiFabric_X12.NET__Files_X12_PurchaseOrderInvalid.txt");
	assert_status(r, 200);
	check(strstr(r->body, "AK3*PO1*") && strstr(r->body, "AK4*3*") &&
		      strstr(r->body, "AK5*R") &&
		      header_num(r, "X-Ordo-Orders-Taken") == 0,
	      "997 %s", r->body);
	resp_free(r);

	/* An 850 and an 810 in one group: the 850 taken, both answered. */
	r = x12_post_file(ch, "EdiFabric_X12.NET__Files_X12_MixedTransactions.txt");
	assert_status(r, 200);
	check(strstr(r->body, "AK2*850*") && strstr(r->body, "AK2*810*") &&
		      header_num(r, "X-Ordo-Orders-Taken") == 1,
	      "997 %s\n%s", r->body, r->headers);
	resp_free(r);

	check(orders_count(acme(), "channel=partner-real") == 2,
	      "two orders");
	/* Each order's source is its own set in its envelope: not the
	 * 810 beside it, not the whole file. */
	{
		json_t *all = list_all(acme(), "/v1/orders?channel=partner-real",
				       "orders", 10), *o;
		size_t i;

		json_array_foreach(all, i, o) {
			struct resp *s = http_get(acme(),
						  "/v1/orders/%s/source",
						  jstr(o, "id"));
			const char *first = strstr(s->body, "ST*850*");

			check(s->status == 200 &&
				      strncmp(s->body, "ISA*", 4) == 0 &&
				      first && !strstr(first + 1, "ST*850*") &&
				      !strstr(s->body, "ST*810") &&
				      strstr(s->body, "IEA*1*"),
			      "source of %s: %s", jstr(o, "external_id"),
			      s->body);
			resp_free(s);
		}
		json_decref(all);
	}
}

API_TEST(an_interchange_again_is_answered_as_before)
{
	char ch[64], *first, *again, *other;
	struct resp *r;
	char *ack;

	x12_channel("partner-dup", ch, sizeof(ch));
	first = synthetic_850("PO-DUP-1", 501);
	r = x12_post(ch, first, strlen(first));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Orders-Taken") == 1, "%s", r->body);
	ack = strdup(r->body);
	resp_free(r);

	/* The partner heard nothing and sends it again. */
	again = synthetic_850("PO-DUP-1", 501);
	r = x12_post(ch, again, strlen(again));
	assert_status(r, 200);
	check(streq(r->body, ack) &&
		      header_num(r, "X-Ordo-Interchanges-Seen") == 1 &&
		      header_num(r, "X-Ordo-Orders-Taken") == 0,
	      "the first 997 again:\n%s\nfirst:\n%s", r->body, ack);
	resp_free(r);

	/* The same PO in a new interchange: found by its number. */
	other = synthetic_850("PO-DUP-1", 502);
	r = x12_post(ch, other, strlen(other));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Orders-Existing") == 1 &&
		      header_num(r, "X-Ordo-Orders-Taken") == 0,
	      "%s", r->headers);
	resp_free(r);
	check(orders_count(acme(), "channel=partner-dup") == 1, "one order");

	/* A cancellation of a PO is no new order, and not taken. */
	{
		char *cancel = synthetic_850_of("01", "PO-DUP-2", 503);

		r = x12_post(ch, cancel, strlen(cancel));
		assert_status(r, 200);
		check(header_num(r, "X-Ordo-Orders-Refused") == 1 &&
			      header_num(r, "X-Ordo-Orders-Taken") == 0,
		      "%s", r->headers);
		resp_free(r);
		free(cancel);
	}
	check(orders_count(acme(), "channel=partner-dup") == 1,
	      "a cancellation takes nothing");

	/* A channel that has read interchanges can be deleted. */
	{
		char path[128];

		snprintf(path, sizeof(path), "/v1/channels/%s", ch);
		r = http("DELETE", path, acme(), NULL, 0, NULL);
		assert_status(r, 204);
		resp_free(r);
	}
	free(ack);
	free(first);
	free(again);
	free(other);
}

API_TEST(what_is_not_an_interchange_is_refused)
{
	static const char junk[] = "hello, this is not EDI";
	char ch[64], path[128];
	struct resp *r;

	x12_channel("partner-bad", ch, sizeof(ch));
	r = x12_post(ch, junk, sizeof(junk) - 1);
	assert_status(r, 400);
	check(r->json && jstr(r->json, "error.message"), "%s", r->body);
	resp_free(r);

	r = http("POST", "/v1/channels", acme(),
		 "{\"kind\": \"csv\", \"name\": \"edi-not\"}",
		 strlen("{\"kind\": \"csv\", \"name\": \"edi-not\"}"), NULL);
	assert_status(r, 201);
	snprintf(path, sizeof(path), "/v1/channels/%s/x12",
		 jstr(r->json, "id"));
	resp_free(r);
	r = http("POST", path, acme(), junk, sizeof(junk) - 1, edi_type);
	assert_error(r, 404, NULL, "id");
	check(strstr(r->body, "a csv channel") != NULL, "%s", r->body);
	resp_free(r);

	snprintf(path, sizeof(path), "/v1/channels/%s/x12", ch);
	r = http("POST", path, NULL, junk, sizeof(junk) - 1, edi_type);
	assert_status(r, 401);
	resp_free(r);
	r = http("POST", path, srv->key_globex, junk, sizeof(junk) - 1,
		 edi_type);
	assert_error(r, 404, NULL, "id");
	resp_free(r);
}

API_TEST(an_accepted_order_is_acknowledged_line_by_line)
{
	char ch[64], *file;
	struct resp *r;
	json_t *all, *o;
	const char *id;
	size_t i;

	x12_channel("partner-855", ch, sizeof(ch));
	file = synthetic_850("PO-855-1", 601);
	r = x12_post(ch, file, strlen(file));
	assert_status(r, 200);
	resp_free(r);
	free(file);
	all = list_all(acme(), "/v1/orders?channel=partner-855", "orders", 10);
	assert_int_equal(json_array_size(all), 1);
	o = json_array_get(all, 0);
	id = jstr(o, "id");
	check(streq(jstr(o, "external_id"), "PO-855-1") &&
		      streq(jstr(o, "channel_kind"), "x12") &&
		      streq(jstr(o, "lines[0].sku"), "MUG-12OZ") &&
		      streq(jstr(o, "lines[0].unit_price"), "12.50") &&
		      streq(jstr(o, "ship_to.city"), "Springfield"),
	      "order %s", json_dumps(o, 0));

	/* On hold (a purchase order says nothing of payment): not yet. */
	if (streq(jstr(o, "state"), "on_hold")) {
		json_t *h;

		r = http_get(acme(), "/v1/orders/%s/x12/855", id);
		assert_error(r, 409, NULL, "state");
		resp_free(r);
		json_array_foreach(jget(o, "holds"), i, h) {
			struct resp *d = hold_resolve(acme(), jstr(h, "id"),
						      "approve",
						      "terms customer", NULL);

			assert_status(d, 200);
			resp_free(d);
		}
		json_decref(order_wait_state(acme(), id, "released", 10000));
	}
	r = http_get(acme(), "/v1/orders/%s/x12/855", id);
	assert_status(r, 200);
	check(strstr(r->body, "ST*855*") && strstr(r->body, "BAK*00*AD*") &&
		      strstr(r->body, "PO-855-1") &&
		      strstr(r->body, "ACK*IA*2*EA") &&
		      strstr(r->body, "*ZZ*ORDO           *ZZ*PARTNERA       *"),
	      "855 %s", r->body);
	resp_free(r);
	json_decref(all);

	/* An order that came some other way has no 855. */
	{
		json_t *n = order_new("NOT-EDI-1");
		char *nid = order_create(acme(), n);

		r = http_get(acme(), "/v1/orders/%s/x12/855", nid);
		assert_error(r, 404, NULL, "id");
		resp_free(r);
		free(nid);
		json_decref(n);
	}
}

/* An interchange from the warehouse WAREHOUSE of one set (its segments
 * between ST and SE, n_seg of them), control number control. */
static char *warehouse_file(const char *st01, const char *body, int n_seg,
			    int control)
{
	char *buf = malloc(4096);

	assert_non_null(buf);
	snprintf(buf, 4096,
		 "ISA*00*          *00*          *ZZ*%-15s*ZZ*%-15s*261206*1200*"
		 "U*00401*%09d*0*P*>~\n"
		 "GS*SH*WAREHOUSE*ORDO*20261206*1200*%d*X*004010~\n"
		 "ST*%s*0001~\n%sSE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n",
		 "WAREHOUSE", "ORDO", control, control, st01, body, n_seg + 2,
		 control, control);
	return buf;
}

/* The order's shipments, oldest first. */
static json_t *shipments_of(const char *order_id)
{
	char path[160];

	snprintf(path, sizeof(path), "/v1/shipments?order_id=%s", order_id);
	return list_all(acme(), path, "shipments", 10);
}

API_TEST(a_warehouses_856_and_945_ship_the_order)
{
	char buyer[64], wh[64], body[1024], id[64], location[64], *file;
	struct resp *r;
	json_t *all, *o, *ships;
	size_t i;

	x12_channel("buyer-856", buyer, sizeof(buyer));
	file = synthetic_850("PO-856-1", 701);
	r = x12_post(buyer, file, strlen(file));
	assert_status(r, 200);
	resp_free(r);
	free(file);
	all = list_all(acme(), "/v1/orders?channel=buyer-856", "orders", 10);
	assert_int_equal(json_array_size(all), 1);
	o = json_incref(json_array_get(all, 0));
	json_decref(all);
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	check(streq(jstr(o, "lines[0].external_id"), "1"), "PO1-01 kept: %s",
	      json_dumps(jget(o, "lines"), 0));
	{
		json_t *h;

		json_array_foreach(jget(o, "holds"), i, h) {
			struct resp *d = hold_resolve(acme(), jstr(h, "id"),
						      "approve",
						      "terms customer", NULL);

			assert_status(d, 200);
			resp_free(d);
		}
	}
	json_decref(o);
	o = order_wait_state(acme(), id, "released", 10000);
	snprintf(location, sizeof(location), "%s",
		 jstr(o, "fulfillments[0].location"));

	/* The warehouse that ships from the fulfillment's location. */
	snprintf(body, sizeof(body),
		 "{\"kind\": \"x12\", \"name\": \"three-pl\", "
		 "\"location\": \"%s\"}",
		 location);
	r = http("POST", "/v1/channels", acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "location"), location), "%s", r->body);
	snprintf(wh, sizeof(wh), "%s", jstr(r->json, "id"));
	resp_free(r);
	r = http("POST", "/v1/channels", acme(),
		 "{\"kind\": \"x12\", \"name\": \"nowhere\", "
		 "\"location\": \"NO-SUCH\"}",
		 strlen("{\"kind\": \"x12\", \"name\": \"nowhere\", "
			"\"location\": \"NO-SUCH\"}"),
		 NULL);
	assert_error(r, 400, NULL, "location");
	resp_free(r);

	/* An 856: one of the two units, its line named by the PO's own
	 * line number (the vendor's code is none of ordo's). */
	file = warehouse_file("856",
			      "BSN*00*SHIP-1*20261206*1200~\nHL*1**S~\n"
			      "TD5*B*2*UPSN*M~\nREF*BM*BOL-1~\n"
			      "REF*CN*1ZTRACK856~\nDTM*011*20261206~\n"
			      "HL*2*1*O~\nPRF*PO-856-1~\nHL*3*2*I~\n"
			      "LIN*1*VP*VENDOR-MUG~\nSN1*1*1*EA~\n",
			      11, 801);
	r = x12_post(wh, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Shipments-Taken") == 1 &&
		      header_num(r, "X-Ordo-Shipments-Refused") == 0 &&
		      strstr(r->body, "AK5*A"),
	      "the 856 taken and accepted: %s", r->body);
	resp_free(r);
	ships = shipments_of(id);
	check(json_array_size(ships) == 1 &&
		      streq(jstr(json_array_get(ships, 0), "carrier"), "UPSN") &&
		      streq(jstr(json_array_get(ships, 0), "tracking_number"),
			    "1ZTRACK856") &&
		      streq(jstr(json_array_get(ships, 0), "shipped_at"),
			    "2026-12-06T00:00:00Z") &&
		      streq(jstr(json_array_get(ships, 0), "lines[0].sku"),
			    "MUG-12OZ") &&
		      json_integer_value(jget(json_array_get(ships, 0),
					      "lines[0].quantity")) == 1,
	      "one shipment of one mug: %s", json_dumps(ships, 0));
	json_decref(ships);

	/* The same interchange again: answered as then, nothing shipped. */
	r = x12_post(wh, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Interchanges-Seen") == 1,
	      "seen before");
	resp_free(r);
	free(file);
	ships = shipments_of(id);
	check(json_array_size(ships) == 1, "still one shipment");
	json_decref(ships);

	/* The same notice in a new interchange: taken before, and not
	 * shipped again. Through a channel with no location (the buyer's),
	 * refused: only a warehouse reports what it shipped. */
	file = warehouse_file("856",
			      "BSN*00*SHIP-1*20261206*1200~\nHL*1**S~\n"
			      "TD5*B*2*UPSN*M~\nREF*BM*BOL-1~\n"
			      "REF*CN*1ZTRACK856~\nDTM*011*20261206~\n"
			      "HL*2*1*O~\nPRF*PO-856-1~\nHL*3*2*I~\n"
			      "LIN*1*VP*VENDOR-MUG~\nSN1*1*1*EA~\n",
			      11, 811);
	r = x12_post(wh, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Shipments-Existing") == 1 &&
		      header_num(r, "X-Ordo-Shipments-Taken") == 0,
	      "taken before");
	resp_free(r);
	r = x12_post(buyer, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Shipments-Refused") == 1 &&
		      header_num(r, "X-Ordo-Shipments-Taken") == 0,
	      "no location, no shipment");
	resp_free(r);
	free(file);
	ships = shipments_of(id);
	check(json_array_size(ships) == 1, "still one shipment");
	json_decref(ships);

	/* A 945 naming the order by ordo's id ships the other unit; one
	 * for a PO nobody has is refused, and takes nothing. */
	snprintf(body, sizeof(body),
		 "W06*F*%s*20261207*SHIP-2~\nW27*M*FDEG~\nN9*2I*TRACK945~\n"
		 "LX*1~\nW12*CC*2*1**EA**VP*MUG-12OZ~\n",
		 id);
	file = warehouse_file("945", body, 5, 802);
	r = x12_post(wh, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Shipments-Taken") == 1, "the 945 taken");
	resp_free(r);
	free(file);
	json_decref(o);
	o = order_wait_state(acme(), id, "shipped", 10000);
	ships = shipments_of(id);
	check(json_array_size(ships) == 2, "two shipments: %s",
	      json_dumps(ships, 0));
	json_decref(ships);

	file = warehouse_file("945",
			      "W06*F*PO-NOBODY*20261207*SHIP-3~\nLX*1~\n"
			      "W12*CC*1*1**EA**VP*MUG-12OZ~\n",
			      3, 803);
	r = x12_post(wh, file, strlen(file));
	assert_status(r, 200);
	check(header_num(r, "X-Ordo-Shipments-Taken") == 0 &&
		      header_num(r, "X-Ordo-Shipments-Refused") == 1 &&
		      strstr(r->body, "AK5*A"),
	      "refused, though well formed: %s", r->body);
	resp_free(r);
	free(file);
	json_decref(o);
}

API_TEST(the_command_takes_a_file)
{
	char ch[64], file_path[HARNESS_PATH_MAX];
	struct cli_result res;
	char *text = synthetic_850("PO-CLI-1", 701);
	FILE *f;

	x12_channel("partner-cli", ch, sizeof(ch));
	snprintf(file_path, sizeof(file_path), "%s/po.edi", srv->dir);
	f = fopen(file_path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	{
		const char *args[] = {"import",	    "x12",	   file_path,
				      "--tenant",   "acme",	   "--channel",
				      "partner-cli", "--db", srv->db_path,
				      NULL};

		cli_run(&res, args);
	}
	check(res.exit_status == 0 && strncmp(res.out, "ISA*", 4) == 0 &&
		      strstr(res.out, "AK5*A~"),
	      "exit %d\n%s\n%s", res.exit_status, res.out, res.err);
	cli_result_free(&res);
	{
		const char *args[] = {"import", "x12", file_path, "--tenant",
				      "acme",	"--db", srv->db_path, NULL};

		cli_run(&res, args);
		check(res.exit_status == 2 && strstr(res.err, "--channel"),
		      "%d %s", res.exit_status, res.err);
		cli_result_free(&res);
	}
	check(orders_count(acme(), "channel=partner-cli") == 1, "taken");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_partners_files_are_taken_and_acknowledged),
		cmocka_unit_test(an_interchange_again_is_answered_as_before),
		cmocka_unit_test(what_is_not_an_interchange_is_refused),
		cmocka_unit_test(an_accepted_order_is_acknowledged_line_by_line),
		cmocka_unit_test(a_partners_860_changes_and_cancels_its_order),
		cmocka_unit_test(an_integrations_860_reaches_its_own_orders),
		cmocka_unit_test(a_warehouses_856_and_945_ship_the_order),
		cmocka_unit_test(the_command_takes_a_file),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
