/*
 * server.h - ordo's HTTP JSON API server.
 *
 * Started over an open, migrated store; answers until stopped. See
 * server.c for the request lifecycle and docs/openapi.json for the API.
 */
#ifndef ORDO_API_SERVER_H
#define ORDO_API_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "app/tenants.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/netaddr.h"
#include "store/store.h"

typedef struct api_server api_server;

typedef struct {
	const char *host; /* host name or IPv4 or IPv6 address to bind */
	uint16_t port;
	unsigned threads; /* HTTP worker threads */
	/* The clock every request reads its time from (NULL: the system's). */
	const ordo_clock *clock;
	/* Writes taken in before their commit, at most (0: the default,
	 * ORDO_QUEUED_WRITES_DEFAULT); more are answered 503. */
	int max_queued_writes;
	/* Requests a second each API key may make (0: the default,
	 * ORDO_RATE_PER_KEY_DEFAULT); past it, 429 with Retry-After. */
	int rate_per_key;
	/* Requests a second each client address may make (0: the default,
	 * ORDO_RATE_PER_ADDRESS_DEFAULT); past it, 429 with Retry-After. */
	int rate_per_address;
	/* The folder the console's files are served from (web/ of the
	 * checkout: index.html at /, the rest under /console/); NULL: no
	 * console. */
	const char *web_dir;
	/* The proxies in front of the server (NULL: none): a request that
	 * comes from one of them is from the client its X-Forwarded-For
	 * names, for the limits per client address, the login counts and
	 * the audit log. */
	const netaddr_list *trusted_proxies;
} api_server_options;

/* Bind and start serving. The store must outlive the server. */
ordo_code api_server_start(store *st, const api_server_options *opts,
			   api_server **out, ordo_err *err);

/* Stop accepting, finish requests whose writes are in flight, stop. */
void api_server_stop(api_server *srv);

/*
 * Simulate a candidate policy document ({"rules": [...]}) over the
 * tenant's orders received in [from, to) (0 = open) and build the answer
 * that POST /v1/policy/simulate gives (*out, a new reference). Shared with
 * `ordo simulate`.
 */
ordo_code api_simulate(store *st, const app_caller *c, const json_t *doc,
		       ordo_time from, ordo_time to, json_t **out,
		       ordo_err *err);

/* An import as GET /v1/imports/{id} gives it: with_rows, with its rows
 * not taken p (n of them, and the next page's cursor, 0 for none). Shared
 * with `ordo import`. */
json_t *api_import_json(const store_import *im, bool with_rows,
			const import_problem *p, size_t n, int64_t next);

/* Split "HOST:PORT" ("[::1]:8080" for IPv6) into its parts. */
ordo_code api_parse_listen(const char *listen, char *host, size_t host_size,
			   uint16_t *port, ordo_err *err);

#endif
