/*
 * test_readme.c - the README runs as written.
 *
 * The group starts `ordo demo` (as `make run` does) on a free port and
 * works through README.md against it: every example block that calls curl
 * is run by the shell exactly as written (only the demo's address is put
 * in for 127.0.0.1:8080, and a curlrc adds the status line), every
 * "METHOD /path [body]" line of the review queue and the warehouses' answers
 * is sent with the ids of the demo's own holds and fulfillments put in for
 * {id}, the policy example is simulated, the `ordo simulate` line is run,
 * and "The command" is checked against each command's --help. What the
 * README says a clean order answers is what it answers.
 */
#include "harness.h"
#include "proc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define README ORDO_SOURCE_DIR "/README.md"
#define README_ADDR "http://127.0.0.1:8080"

static struct proc demo;
static char demo_base[96];	   /* http://127.0.0.1:PORT */
static char demo_db[300];	   /* the demo's --db */
static char demo_key[HARNESS_KEY_MAX];
static char readme_order_ful[64];  /* the README order's fulfillment */
static char readme_order_id[64];   /* the README order */

/* ---- the README's example blocks ------------------------------------------ */

struct block {
	char text[4096]; /* the lines, their 4-space indent removed */
};

/* The indented example blocks of the README, in order; *n of them. */
static struct block *readme_blocks(size_t *n)
{
	char *md = proc_slurp(README), *line = md;
	struct block *b = calloc(64, sizeof(*b));
	bool prev_blank = true, in_block = false;

	assert_non_null(b);
	*n = 0;
	while (*line) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		bool blank = len == 0;
		bool indented = len >= 4 && !strncmp(line, "    ", 4);

		if (indented && (in_block || prev_blank)) {
			if (!in_block) {
				assert_true(*n < 64);
				(*n)++;
				in_block = true;
			}
			check(strlen(b[*n - 1].text) + len <
				      sizeof(b[*n - 1].text),
			      "an example block of the README is too long "
			      "for this test");
			strncat(b[*n - 1].text, line + 4, len - 4);
			strcat(b[*n - 1].text, "\n");
		} else if (!blank) {
			in_block = false;
		}
		prev_blank = blank;
		if (!end)
			break;
		line = end + 1;
	}
	free(md);
	check(*n > 5, "found only %zu example blocks in %s", *n, README);
	return b;
}

/* text with every `from` replaced by `to`, into out. */
static void replace_all(const char *text, const char *from, const char *to,
			char *out, size_t out_size)
{
	size_t used = 0, fl = strlen(from), tl = strlen(to);

	while (*text && used + 1 < out_size) {
		if (!strncmp(text, from, fl) && used + tl + 1 < out_size) {
			memcpy(out + used, to, tl);
			used += tl;
			text += fl;
		} else {
			out[used++] = *text++;
		}
	}
	out[used] = '\0';
	check(!*text, "example too long: %.80s", text);
}

/* ---- the group: a server (for the harness) and the demo ------------------- */

static int readme_setup(void **state)
{
	char listen[64];
	const char *args[] = { "demo", "--db", demo_db, "--listen", listen,
			       NULL };
	char *out, *k;
	int port;

	if (harness_group_setup(state))
		return -1;
	port = proc_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(demo_base, sizeof(demo_base), "http://%s", listen);
	/* On PostgreSQL the demo seeds its tenant beside the group's. */
	if (strstr(srv->db_path, "://"))
		snprintf(demo_db, sizeof(demo_db), "%s", srv->db_path);
	else
		snprintf(demo_db, sizeof(demo_db), "%s/ordo-demo.db", srv->dir);
	proc_start(&demo, "demo", ORDO_SOURCE_DIR, args);
	if (proc_wait_output(&demo, "stop with Ctrl-C", 120000)) {
		proc_dump(&demo);
		return -1;
	}
	out = proc_slurp(demo.out_path);
	k = strstr(out, "ordo_sk_");
	if (k) {
		size_t len = strspn(k, "ordo_sk0123456789abcdef");

		if (len < sizeof(demo_key))
			memcpy(demo_key, k, len);
	}
	free(out);
	return demo_key[0] ? 0 : -1;
}

static int readme_teardown(void **state)
{
	int rc = proc_stop(&demo);

	if (rc != 0) {
		fprintf(stderr, "ordo demo exited %d\n", rc);
		proc_dump(&demo);
	}
	return harness_group_teardown(state) || rc != 0 ? -1 : 0;
}

static struct resp *demo_call(const char *method, const char *path,
			      const char *body)
{
	return http_at(demo_base, method, path, demo_key, body,
		       body ? strlen(body) : 0, NULL);
}

/* ---- tests ---------------------------------------------------------------- */

/* The state the README says a clean order answers in. */
static void readme_clean_state(char *out, size_t out_size)
{
	static const char claim[] = "A clean order answers 201 in state `";
	char *md = proc_slurp(README), *p = strstr(md, claim), *end;

	check(p != NULL, "README no longer says what a clean order answers");
	p += strlen(claim);
	end = strchr(p, '`');
	check(end && (size_t)(end - p) < out_size, "unreadable state");
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	free(md);
}

API_TEST(the_curl_examples_run_as_written)
{
	char curlrc[HARNESS_PATH_MAX], clean[32];
	size_t n, ran = 0;
	struct block *b = readme_blocks(&n);
	FILE *f;

	readme_clean_state(clean, sizeof(clean));
	/* curl reads $CURL_HOME/.curlrc: the status after each answer. */
	snprintf(curlrc, sizeof(curlrc), "%s/.curlrc", srv->dir);
	f = fopen(curlrc, "w");
	assert_non_null(f);
	fputs("silent\nwrite-out = \"\\nHTTP %{http_code}\\n\"\n", f);
	fclose(f);
	setenv("CURL_HOME", srv->dir, 1);
	setenv("KEY", demo_key, 1);

	for (size_t i = 0; i < n; i++) {
		char script[8192], *cmd, out_path[HARNESS_PATH_MAX], *out;
		char shell[9000], *status, *line;
		json_t *answer;

		if (!strstr(b[i].text, "curl "))
			continue;
		replace_all(b[i].text, README_ADDR, demo_base, script,
			    sizeof(script));
		/* The line that sets KEY stands for the key the demo
		 * printed, which the environment holds. */
		cmd = script;
		while (!strncmp(cmd, "KEY=", 4))
			cmd = strchr(cmd, '\n') ? strchr(cmd, '\n') + 1 : "";
		snprintf(out_path, sizeof(out_path), "%s/readme-%zu.out",
			 srv->dir, i);
		snprintf(shell, sizeof(shell), "(%s) > '%s' 2>&1", cmd,
			 out_path);
		check(system(shell) == 0, "README example failed:\n%s",
		      b[i].text);
		out = proc_slurp(out_path);
		status = strstr(out, "\nHTTP ");
		if (!status || status[6] != '2')
			print_error("%s\nanswered:\n%s\n", b[i].text, out);
		check(status && status[6] == '2', "a README example failed");
		*status = '\0';
		ran++;
		line = out;
		/* A trading partner's answer is EDI: its 997 accepting the
		 * purchase order. */
		if (strstr(cmd, "/x12")) {
			check(strncmp(out, "ISA", 3) == 0 &&
				      strstr(out, "AK5*A"),
			      "not a 997 accepting the order: %.400s", out);
			free(out);
			continue;
		}
		answer = json_loads(line, 0, NULL);
		check(answer != NULL, "not JSON: %.200s", out);
		if (strstr(cmd, "/v1/orders -d")) {
			/* The order example: what the README says of it. */
			check(strcmp(jstr(answer, "state"), clean) == 0,
			      "the README says a clean order answers in state "
			      "%s, it answered %s",
			      clean, jstr(answer, "state"));
			snprintf(readme_order_id, sizeof(readme_order_id),
				 "%s", jstr(answer, "id") ? jstr(answer, "id")
							   : "");
			snprintf(readme_order_ful, sizeof(readme_order_ful),
				 "%s",
				 jstr(answer, "fulfillments[0].id")
					 ? jstr(answer, "fulfillments[0].id")
					 : "");
		}
		json_decref(answer);
		free(out);
	}
	check(ran >= 3, "ran only %zu curl examples", ran);
	free(b);
}

/* What the README's lines about changes and returns made: the change
 * request and its order, and the return. */
static char readme_change[64], readme_change_order[64], readme_return[64];

/* The order of a released fulfillment of the demo other than the README
 * order's and `not` (NULL: none), into id. */
static void released_order(const char *not, char *id, size_t id_size)
{
	struct resp *r = demo_call("GET", "/v1/fulfillments?state=released",
				   NULL);
	json_t *fuls = json_object_get(r->json, "fulfillments");

	assert_status(r, 200);
	for (size_t i = 0; i < json_array_size(fuls) && !id[0]; i++) {
		json_t *f = json_array_get(fuls, i);
		const char *o = jstr(f, "order_id");

		if (o && strcmp(jstr(f, "id"), readme_order_ful) &&
		    (!not || strcmp(o, not)))
			snprintf(id, id_size, "%s", o);
	}
	resp_free(r);
}

/* The id to put in for {id} in `path`. */
static void id_for(const char *method, const char *path, char *id,
		   size_t id_size, const char *shipment)
{
	struct resp *r;

	id[0] = '\0';
	if (!strncmp(path, "/v1/orders/{id}/", 16)) {
		const char *what = path + 16;

		if (!strcmp(what, "changes") || !strcmp(what, "holds")) {
			/* A change of an order its warehouse has: a
			 * request; a person holds that order. */
			if (!readme_change_order[0])
				released_order(NULL, readme_change_order,
					       sizeof(readme_change_order));
			snprintf(id, id_size, "%s", readme_change_order);
		} else if (!strcmp(what, "cancel")) {
			released_order(readme_change_order, id, id_size);
		} else if (!strcmp(what, "returns")) {
			/* The README's own order, shipped above. */
			snprintf(id, id_size, "%s", readme_order_id);
		}
	} else if (!strncmp(path, "/v1/change-requests/", 20)) {
		snprintf(id, id_size, "%s", readme_change);
	} else if (!strncmp(path, "/v1/returns/", 12)) {
		snprintf(id, id_size, "%s", readme_return);
	} else if (!strncmp(path, "/v1/holds/", 10)) {
		/* The README corrects a ZIP code: the demo's open one. */
		r = demo_call("GET", "/v1/queue?type=address_unverifiable",
			      NULL);
		assert_status(r, 200);
		for (size_t i = 0;
		     i < json_array_size(json_object_get(r->json, "items"));
		     i++) {
			json_t *it = json_array_get(
				json_object_get(r->json, "items"), i);

			if (!strcmp(jstr(it, "hold.field") ? jstr(it, "hold.field")
							   : "",
				    "ship_to.postal_code"))
				snprintf(id, id_size, "%s", jstr(it, "hold.id"));
		}
		resp_free(r);
	} else if (strstr(path, "/reject")) {
		/* Another released fulfillment than the README order's. */
		r = demo_call("GET", "/v1/fulfillments?state=released", NULL);
		assert_status(r, 200);
		for (size_t i = 0;
		     i < json_array_size(
				 json_object_get(r->json, "fulfillments"));
		     i++) {
			const char *f = jstr(
				json_array_get(json_object_get(r->json,
							       "fulfillments"),
					       i),
				"id");

			if (f && strcmp(f, readme_order_ful))
				snprintf(id, id_size, "%s", f);
		}
		resp_free(r);
	} else if (!strncmp(path, "/v1/fulfillments/", 17)) {
		snprintf(id, id_size, "%s", readme_order_ful);
	} else if (!strncmp(path, "/v1/shipments/", 14)) {
		snprintf(id, id_size, "%s", shipment);
	}
	check(id[0], "no id in the demo for %s %s", method, path);
}

API_TEST(the_api_lines_run_against_the_demo)
{
	size_t n, sent = 0;
	struct block *b = readme_blocks(&n);
	char shipment[64] = "";
	bool corrected = false;

	check(readme_order_ful[0], "the README's order made no fulfillment");
	for (size_t i = 0; i < n; i++) {
		char *line = b[i].text;

		while (*line) {
			char method[8], path[256], body[2048] = "", id[64];
			char real[300], *next = strchr(line, '\n');
			const char *p = line, *brace;
			struct resp *r;
			size_t len;

			len = strcspn(p, " ");
			if (len >= sizeof(method) ||
			    !strstr(" GET POST PUT PATCH DELETE ",
				    (snprintf(method, sizeof(method), "%.*s",
					      (int)len, p),
				     method)) ||
			    p[len] != ' ') {
				line = next ? next + 1 : line + strlen(line);
				continue;
			}
			p += len;
			while (*p == ' ')
				p++;
			len = strcspn(p, " \n");
			if (*p != '/' || len >= sizeof(path)) {
				line = next ? next + 1 : line + strlen(line);
				continue;
			}
			snprintf(path, sizeof(path), "%.*s", (int)len, p);
			p += len;
			while (*p == ' ')
				p++;
			if (*p == '{') {
				/* The body runs to its closing brace, over
				 * as many lines as it takes. */
				int depth = 0;
				size_t k = 0;

				brace = p;
				do {
					if (*brace == '{')
						depth++;
					else if (*brace == '}')
						depth--;
					if (*brace == '\n') {
						/* the next line's indent */
						while (brace[1] == ' ')
							brace++;
						body[k++] = ' ';
					} else {
						body[k++] = *brace;
					}
					brace++;
				} while (depth > 0 && *brace &&
					 k + 1 < sizeof(body));
				body[k] = '\0';
				next = strchr(brace, '\n');
			}
			if (strstr(path, "{id}")) {
				id_for(method, path, id, sizeof(id), shipment);
				replace_all(path, "{id}", id, real,
					    sizeof(real));
			} else {
				snprintf(real, sizeof(real), "%s", path);
			}
			r = demo_call(method, real, body[0] ? body : NULL);
			if (r->status < 200 || r->status > 299)
				print_error("README: %s %s %s\n", method, path,
					    body);
			check(r->status >= 200 && r->status <= 299,
			      "%s %s answered %ld: %s", method, real,
			      r->status, r->body);
			if (!strcmp(path, "/v1/queue?type=high_value&assignee=-"))
				check(json_array_size(json_object_get(
					      r->json, "items")) > 0,
				      "the demo has no unclaimed high-value "
				      "hold for the README's example");
			if (strstr(path, "/shipments") &&
			    strstr(path, "/v1/fulfillments/"))
				snprintf(shipment, sizeof(shipment), "%s",
					 jstr(r->json, "id"));
			if (strstr(path, "/resolve"))
				corrected = true;
			if (strstr(path, "/changes") && jstr(r->json, "change.id"))
				snprintf(readme_change, sizeof(readme_change),
					 "%s", jstr(r->json, "change.id"));
			if (strstr(path, "/returns") && jstr(r->json, "id"))
				snprintf(readme_return, sizeof(readme_return),
					 "%s", jstr(r->json, "id"));
			resp_free(r);
			sent++;
			line = next ? next + 1 : line + strlen(line);
		}
	}
	check(sent >= 7, "sent only %zu README lines", sent);
	check(corrected, "the README's correction was not sent");
	free(b);
}

API_TEST(the_policy_example_simulates)
{
	size_t n;
	struct block *b = readme_blocks(&n);
	struct resp *r = NULL;

	for (size_t i = 0; i < n && !r; i++) {
		if (strncmp(b[i].text, "{\"rules\"", 8))
			continue;
		char body[4200];

		/* The simulation takes the policy as it would be saved. */
		snprintf(body, sizeof(body), "{\"policy\": %s}", b[i].text);
		r = demo_call("POST", "/v1/policy/simulate", body);
	}
	check(r != NULL, "the README has no policy example");
	assert_status(r, 200);
	resp_free(r);
	free(b);
}

API_TEST(the_ordo_commands_run_as_written)
{
	size_t n, ran = 0;
	struct block *b = readme_blocks(&n);

	for (size_t i = 0; i < n; i++) {
		char *cmd = strstr(b[i].text, "./build/ordo simulate ");
		char line[1024], real[2048], shell[4096], out_path[300];
		char *out;
		json_t *j;

		if (!cmd)
			continue;
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(cmd, "\n"),
			 cmd);
		/* The binary this build made, and the demo's database. */
		replace_all(line, "./build/ordo", ORDO_BIN, real,
			    sizeof(real));
		replace_all(real, "ordo-demo.db", demo_db, line,
			    sizeof(line));
		snprintf(out_path, sizeof(out_path), "%s/readme-sim.out",
			 srv->dir);
		snprintf(shell, sizeof(shell), "cd '%s' && %s > '%s'",
			 ORDO_SOURCE_DIR, line, out_path);
		check(system(shell) == 0, "failed: %s", line);
		out = proc_slurp(out_path);
		j = json_loads(out, 0, NULL);
		check(j && json_object_get(j, "candidate"),
		      "ordo simulate printed: %.300s", out);
		json_decref(j);
		free(out);
		ran++;
	}
	check(ran == 1, "the README's ordo simulate line ran %zu times", ran);
	free(b);
}

/*
 * "The command": every command it lists answers --help, and the flags it
 * gives each command are the flags the command's --help names, no more and
 * no fewer.
 */
API_TEST(the_command_section_matches_each_help)
{
	size_t n, seen = 0;
	struct block *b = readme_blocks(&n);

	for (size_t i = 0; i < n; i++) {
		char *line = b[i].text;

		if (strncmp(line, "ordo ", 5))
			continue;
		for (; *line; line = strchr(line, '\n') + 1) {
			char cmd[32], flags[1024] = "", *p, *end, *stop;
			const char *args[4] = { cmd, "--help", NULL, NULL };
			struct cli_result r;

			end = strchr(line, '\n');
			if (strncmp(line, "ordo ", 5)) {
				if (!end)
					break;
				continue;
			}
			snprintf(cmd, sizeof(cmd), "%.*s",
				 (int)strcspn(line + 5, " \n"), line + 5);
			/* The README's flags, from this line and the lines
			 * under it that go on with it (indented). */
			stop = end;
			while (stop && stop[1] == ' ')
				stop = strchr(stop + 1, '\n');
			if (!stop)
				stop = line + strlen(line);
			for (p = line; p < stop; p++)
				if (!strncmp(p, "--", 2)) {
					size_t len = strspn(
						p + 2,
						"abcdefghijklmnopqrstuvwxyz-");

					strncat(flags, p, len + 2);
					strcat(flags, " ");
					p += len + 1;
				}
			cli_run(&r, args);
			check(r.exit_status == 0, "ordo %s --help exits %d",
			      cmd, r.exit_status);
			/* Each README flag is in the help ... */
			for (p = flags; *p; p += strcspn(p, " ") + 1) {
				char flag[64];

				snprintf(flag, sizeof(flag), "%.*s",
					 (int)strcspn(p, " "), p);
				check(strstr(r.out, flag),
				      "README: ordo %s %s, which its --help "
				      "does not name",
				      cmd, flag);
			}
			/* ... and each flag of the help in the README. */
			for (p = strstr(r.out, "--"); p;
			     p = strstr(p + 2, "--")) {
				char flag[66];
				size_t len = strspn(
					p + 2, "abcdefghijklmnopqrstuvwxyz-");

				if (len == 0 || !strncmp(p, "--help", 6))
					continue;
				snprintf(flag, sizeof(flag), "%.*s ",
					 (int)len + 2, p);
				check(strstr(flags, flag),
				      "ordo %s --help names %s, the README's "
				      "\"The command\" does not",
				      cmd, flag);
			}
			cli_result_free(&r);
			seen++;
			if (!end)
				break;
		}
	}
	check(seen >= 7, "\"The command\" lists %zu commands", seen);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_curl_examples_run_as_written),
		cmocka_unit_test(the_api_lines_run_against_the_demo),
		cmocka_unit_test(the_policy_example_simulates),
		cmocka_unit_test(the_ordo_commands_run_as_written),
		cmocka_unit_test(the_command_section_matches_each_help),
	};

	return harness_run_group(tests, readme_setup, readme_teardown);
}
