/*
 * report.c - `ordo report`: the tenant's figures over a range
 * (GET /v1/metrics/summary, app/metrics.h) as a table for people without
 * the console.
 *
 *   ordo report --tenant SLUG [--from TIME] [--to TIME] [--channel NAME]
 *               [--db PATH|URL]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/metrics.h"
#include "cli/cli.h"
#include "core/timeutil.h"
#include "log/log.h"

/* 0 -> "0s", 90000 -> "1m 30s", 7200000 -> "2h", 93600000 -> "1d 2h" */
static const char *span(int64_t ms, char *buf, size_t size)
{
	int64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%s%.0lld%s", (long long)(s / 60),
			 s % 60 ? " " : "", (long long)(s % 60),
			 s % 60 ? "s" : "");
	else if (s < 86400)
		snprintf(buf, size, "%lldh%s%.0lld%s", (long long)(s / 3600),
			 s % 3600 / 60 ? " " : "", (long long)(s % 3600 / 60),
			 s % 3600 / 60 ? "m" : "");
	else
		snprintf(buf, size, "%lldd%s%.0lld%s", (long long)(s / 86400),
			 s % 86400 / 3600 ? " " : "",
			 (long long)(s % 86400 / 3600),
			 s % 86400 / 3600 ? "h" : "");
	return buf;
}

/* A rate as a percentage to one place, "-" when there is none. */
static const char *pct(const json_t *v, char *buf, size_t size)
{
	if (!json_is_number(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", json_number_value(v) * 100.0);
	return buf;
}

static long long num(const json_t *j, const char *key)
{
	return (long long)json_integer_value(json_object_get(j, key));
}

static void rate_line(const char *name, const json_t *s, const char *key,
		      const char *note)
{
	char p[16];

	printf("  %-28s %8s%s%s\n", name, pct(json_object_get(s, key), p,
						 sizeof(p)),
	       note ? "   " : "", note ? note : "");
}

static void pcts_line(const char *name, const json_t *p)
{
	char a[24], b[24], c[24];

	if (json_object_get(p, "p99"))
		printf("  %-28s p50 %-9s p90 %-9s p99 %s\n", name,
		       span(num(p, "p50"), a, sizeof(a)),
		       span(num(p, "p90"), b, sizeof(b)),
		       span(num(p, "p99"), c, sizeof(c)));
	else
		printf("  %-28s p50 %-9s p90 %s\n", name,
		       span(num(p, "p50"), a, sizeof(a)),
		       span(num(p, "p90"), b, sizeof(b)));
}

static void people_table(const char *title, const char *name_key,
			 const json_t *rows)
{
	char p[16], h[24], raised[24];
	size_t i;
	json_t *r;

	if (json_array_size(rows) == 0)
		return;
	printf("\n%s\n  %-34s %8s %8s %8s %10s %8s %8s\n", title, "",
	       "raised", "decided", "approved", "handling", "passed",
	       "accuracy");
	json_array_foreach(rows, i, r) {
		if (json_object_get(r, "holds_raised"))
			snprintf(raised, sizeof(raised), "%lld",
				 num(r, "holds_raised"));
		else
			snprintf(raised, sizeof(raised), "-");
		printf("  %-34.34s %8s %8lld %8lld %10s %8lld %8s\n",
		       json_string_value(json_object_get(r, name_key)), raised,
		       num(r, "holds_resolved"),
		       num(r, "approved_unchanged"),
		       span(num(json_object_get(r, "handling_ms"), "p50"), h,
			    sizeof(h)),
		       num(r, "passed"),
		       pct(json_object_get(r, "passed_accuracy"), p,
			   sizeof(p)));
	}
}

static void print_report(const char *tenant, const json_t *s)
{
	const json_t *counts = json_object_get(s, "counts");
	const json_t *backlog = json_object_get(s, "backlog");
	const json_t *cycle = json_object_get(s, "cycle_time_ms");
	char note[96], a[24], b[24];
	const char *key;
	json_t *v;

	printf("ordo report: %s, %s .. %s%s%s\n\n", tenant,
	       json_string_value(json_object_get(s, "from")),
	       json_string_value(json_object_get(s, "to")),
	       json_is_string(json_object_get(s, "channel")) ? ", channel "
							      : "",
	       json_is_string(json_object_get(s, "channel"))
		       ? json_string_value(json_object_get(s, "channel"))
		       : "");
	printf("Orders received in the range %18lld\n",
	       num(s, "orders_received"));
	snprintf(note, sizeof(note), "(%lld orders held)",
		 num(counts, "held"));
	rate_line("exception rate", s, "exception_rate", note);
	json_object_foreach((json_t *)json_object_get(s,
						      "exception_rate_by_type"),
			    key, v) {
		char p[16], name[48];

		snprintf(name, sizeof(name), "  %s", key);
		printf("  %-28s %8s\n", name, pct(v, p, sizeof(p)));
	}
	snprintf(note, sizeof(note), "(%lld touched by a person)",
		 num(counts, "touched"));
	rate_line("straight-through rate", s, "straight_through_rate", note);
	snprintf(note, sizeof(note), "(%lld with a defect)",
		 num(counts, "defective"));
	rate_line("accuracy", s, "accuracy", note);
	snprintf(note, sizeof(note), "(%lld reworked)", num(counts, "reworked"));
	rate_line("rework rate", s, "rework_rate", note);
	snprintf(note, sizeof(note), "(of %lld released)",
		 num(counts, "released"));
	rate_line("on-time release rate", s, "on_time_release_rate", note);
	printf("\nCycle time\n");
	pcts_line("received -> released",
		  json_object_get(cycle, "received_to_released"));
	pcts_line("received -> shipped",
		  json_object_get(cycle, "received_to_shipped"));
	snprintf(note, sizeof(note), "changes (%lld decided)",
		 num(counts, "changes_decided"));
	pcts_line(note, json_object_get(s, "change_handling_ms"));
	printf("\nBacklog now: %lld open orders, median age %s, oldest %s; "
	       "%lld late by the SLA monitors\n ",
	       num(backlog, "count"),
	       span(num(json_object_get(backlog, "age_ms"), "p50"), a,
		    sizeof(a)),
	       span(num(json_object_get(backlog, "age_ms"), "max"), b,
		    sizeof(b)),
	       num(backlog, "over_sla"));
	json_object_foreach((json_t *)json_object_get(backlog, "by_state"),
			    key, v)
		printf(" %s %lld", key, (long long)json_integer_value(v));
	printf("\n");
	people_table("Agents", "agent", json_object_get(s, "agents"));
	people_table("Rules that held orders", "rule_id",
		     json_object_get(s, "rules"));
	if (json_array_size(json_object_get(s, "approve_rules"))) {
		size_t i;

		printf("\nApprove rules\n  %-30s %8s %8s %8s\n", "", "orders",
		       "defects", "accuracy");
		json_array_foreach(json_object_get(s, "approve_rules"), i, v) {
			char p[16];

			printf("  %-30.30s %8lld %8lld %8s\n",
			       json_string_value(json_object_get(v, "rule_id")),
			       num(v, "orders"), num(v, "defective"),
			       pct(json_object_get(v, "accuracy"), p,
				   sizeof(p)));
		}
	}
}

int cmd_report(int argc, char **argv)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	app_metrics_range range;
	struct cli_opts o = {0};
	app_caller caller;
	json_t *summary = NULL;
	store *st;
	int rc;

	rc = cli_parse_opts("report",
			    CLI_F_DB | CLI_F_TENANT | CLI_F_FROM | CLI_F_TO |
				    CLI_F_CHANNEL,
			    argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo report --tenant SLUG [--from TIME] "
		       "[--to TIME] [--channel NAME]\n"
		       "                   [--db PATH|URL]\n\n"
		       "Print the tenant's figures over [from, to) as a "
		       "table: intake, exception,\nstraight-through, "
		       "accuracy, rework and on-time release rates, cycle "
		       "and\nchange handling times, the backlog as it "
		       "stands, and the agents' and\nrules' work (GET "
		       "/v1/metrics/summary). Writes nothing.\n"
		       "  --from, --to TIME  RFC 3339 times, read in whole "
		       "hours (default: the 30\n"
		       "                     days up to now)\n"
		       "  --channel NAME     the orders of one channel\n"
		       "  --db PATH|URL      SQLite file (default ./%s) or "
		       "postgres://... URL\n",
		       CLI_DEFAULT_DB);
		return CLI_OK;
	}
	if (o.n_args)
		return cli_usage_error("report", "unexpected argument \"%s\"",
				       o.args[0]);
	if (!o.tenant)
		return cli_usage_error("report", "--tenant is required");
	memset(&range, 0, sizeof(range));
	range.to = ordo_clock_now(cli_clock);
	if (o.to && time_parse_rfc3339(o.to, &range.to) != 0)
		return cli_usage_error("report", "--to takes an RFC 3339 "
				       "time, not \"%s\"",
				       o.to);
	range.from = range.to - 30 * 86400;
	if (o.from && time_parse_rfc3339(o.from, &range.from) != 0)
		return cli_usage_error("report", "--from takes an RFC 3339 "
				       "time, not \"%s\"",
				       o.from);
	if (o.channel) {
		if (!*o.channel || strlen(o.channel) >= sizeof(range.channel))
			return cli_usage_error("report",
					       "--channel takes a name of 1 "
					       "to %d bytes",
					       (int)sizeof(range.channel) - 1);
		ordo_strlcpy(range.channel, o.channel, sizeof(range.channel));
	}
	if (app_metrics_range_check(&range, err) != ORDO_OK) {
		rc = cli_usage_error("report", "%s", err->message);
		ordo_err_clear(err);
		return rc;
	}
	if (cli_need_db(o.db) != CLI_OK)
		return CLI_FAIL;
	st = cli_open_store(o.db, 1, 1);
	if (!st)
		return CLI_FAIL;
	cli_tenant_caller(st, o.tenant, &caller, err);
	if (err->code == ORDO_OK)
		app_metrics_summary(st, &caller, &range,
				    ordo_clock_now(cli_clock), &summary, err);
	if (err->code != ORDO_OK)
		rc = cli_fail(err);
	else
		print_report(o.tenant, summary);
	json_decref(summary);
	ordo_err_clear(err);
	store_close(st);
	return rc;
}
