/*
 * limits.c - what one client may take of a node: connections per client
 * address, and requests a second per API key (core/ratelimit.h). Both are
 * counted across the server's threads, under the server's limits_mu.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api/api_int.h"
#include "log/log.h"

/* A connection open: its address's slot (NULL: not counted), its socket,
 * and by when the part of a request it waits for must have come (0 while
 * a request is served), and which part. */
struct api_conn {
	struct api_address *a;
	int fd;
	long long deadline_ms;
	enum api_conn_wait waits;
	struct api_conn *prev, *next;
};

/*
 * PER ADDRESS. A client address holds at most ORDO_CONNECTIONS_PER_ADDRESS
 * connections, counted across the server's threads (libmicrohttpd's own
 * per-address limit is kept by each of its threads): a connection is
 * counted when it starts and uncounted when it closes, and one more from
 * an address that holds its share is closed at once. Threads accepting at
 * the same moment may let an address past its share by one each.
 *
 * ROOM FOR OTHERS. Once the node holds all but ORDO_CONNECTIONS_KEPT of
 * its connections, one more is taken only from an address that holds
 * fewer than ORDO_CONNECTIONS_FEW: the others' are closed at once, so
 * that a new client is answered rather than left in the listening queue
 * behind connections that send a byte now and then.
 */
int api_sockaddr_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa && sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 6;
	}
	return -1;
}

/* The slot of key (locked): its own, or else a free one when take; NULL
 * when there is none. */
static struct api_address *address_slot(struct api_server *srv,
					const unsigned char key[16], bool take)
{
	struct api_address *free_slot = NULL;
	size_t i;

	for (i = 0; i < ORDO_CONNECTIONS_MAX; i++) {
		struct api_address *a = &srv->addresses[i];

		if (a->n > 0 && memcmp(a->addr, key, 16) == 0)
			return a;
		if (a->n == 0 && !free_slot)
			free_slot = a;
	}
	if (free_slot && take)
		memcpy(free_slot->addr, key, 16);
	return take ? free_slot : NULL;
}

enum MHD_Result api_address_admits(void *cls, const struct sockaddr *sa,
				      socklen_t len)
{
	struct api_server *srv = cls;
	unsigned char key[16];
	struct api_address *a;
	bool admit;
	int held;

	(void)len;
	api_sockaddr_key(sa, key);
	pthread_mutex_lock(&srv->limits_mu);
	a = address_slot(srv, key, false);
	held = a ? a->n : 0;
	admit = held < ORDO_CONNECTIONS_PER_ADDRESS &&
		(srv->n_conns < ORDO_CONNECTIONS_MAX - ORDO_CONNECTIONS_KEPT ||
		 held < ORDO_CONNECTIONS_FEW);
	pthread_mutex_unlock(&srv->limits_mu);
	return admit ? MHD_YES : MHD_NO;
}

/* What c waits for from now, and its deadline (locked). */
static void conn_wait_set(struct api_conn *c, enum api_conn_wait what,
			  unsigned long long body_bytes)
{
	long long now = api_now_ms();

	c->waits = what;
	if (what == API_CONN_HEAD)
		c->deadline_ms = now + ORDO_REQUEST_HEAD_S * 1000LL;
	else if (what == API_CONN_BODY)
		c->deadline_ms = now + ORDO_REQUEST_BODY_S * 1000LL +
				 (long long)(body_bytes * 1000ULL /
					     ORDO_REQUEST_BODY_RATE);
	else
		c->deadline_ms = 0;
}

void api_address_notify(void *cls, struct MHD_Connection *conn,
			   void **socket_context,
			   enum MHD_ConnectionNotificationCode toe)
{
	struct api_server *srv = cls;
	const union MHD_ConnectionInfo *info;
	unsigned char key[16];
	struct api_address *a;

	struct api_conn *c;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		/* Without its memory, the connection is neither counted nor
		 * watched: it is served still. */
		c = calloc(1, sizeof(*c));
		*socket_context = c;
		if (!c)
			return;
		info = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c->fd = info ? info->connect_fd : -1;
		info = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		pthread_mutex_lock(&srv->limits_mu);
		conn_wait_set(c, API_CONN_HEAD, 0);
		a = NULL;
		if (info && info->client_addr) {
			api_sockaddr_key(info->client_addr, key);
			a = address_slot(srv, key, true);
		}
		if (a)
			a->n++;
		srv->n_conns++;
		c->a = a;
		c->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = c;
		srv->conns = c;
		pthread_mutex_unlock(&srv->limits_mu);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		/* Before libmicrohttpd closes the socket: the watch never
		 * shuts one the system has given to another connection. */
		c = *socket_context;
		pthread_mutex_lock(&srv->limits_mu);
		if (c->a)
			c->a->n--;
		srv->n_conns--;
		if (c->prev)
			c->prev->next = c->next;
		else
			srv->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&srv->limits_mu);
		free(c);
		*socket_context = NULL;
	}
}

void api_conn_waits(struct api_server *srv, struct MHD_Connection *conn,
		    enum api_conn_wait what, unsigned long long body_bytes)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct api_conn *c = info ? info->socket_context : NULL;

	if (!c)
		return;
	pthread_mutex_lock(&srv->limits_mu);
	conn_wait_set(c, what, body_bytes);
	pthread_mutex_unlock(&srv->limits_mu);
}

/*
 * THE REQUEST DEADLINES. libmicrohttpd closes a connection idle for
 * ORDO_CONNECTION_IDLE_S, but each byte starts that time again: a client
 * sending a request's head or body a byte every few seconds would hold its
 * connection (and, with many, every connection) for ever. Once a second
 * this thread shuts the socket of each connection whose head or body is
 * past its deadline (api_conn_waits); libmicrohttpd then finds it closed
 * and lets it go.
 */
static void *head_watch(void *arg)
{
	struct api_server *srv = arg;

	pthread_mutex_lock(&srv->limits_mu);
	while (!srv->head_watch_stop) {
		struct timespec until;
		long long now = api_now_ms();
		struct api_conn *c;
		int cut[2] = {0, 0};

		for (c = srv->conns; c; c = c->next)
			if (c->deadline_ms && c->fd >= 0 &&
			    now > c->deadline_ms) {
				shutdown(c->fd, SHUT_RDWR);
				c->deadline_ms = 0; /* once */
				cut[c->waits == API_CONN_BODY]++;
			}
		for (int body = 0; body < 2; body++) {
			if (!cut[body])
				continue;
			pthread_mutex_unlock(&srv->limits_mu);
			log_event("warn", "connections closed",
				  json_pack("{s:i, s:s}", "count", cut[body],
					    "reason",
					    body ? "the request body took "
						   "longer than "
						   "ORDO_REQUEST_BODY_S and "
						   "ORDO_REQUEST_BODY_RATE "
						   "give it"
						 : "the request head took "
						   "longer than "
						   "ORDO_REQUEST_HEAD_S"));
			pthread_mutex_lock(&srv->limits_mu);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&srv->head_cv, &srv->limits_mu, &until);
	}
	pthread_mutex_unlock(&srv->limits_mu);
	return NULL;
}

ordo_code api_head_watch_start(struct api_server *srv, ordo_err *err)
{
	int e = pthread_create(&srv->head_watch, NULL, head_watch, srv);

	if (e)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "cannot start a thread: %s", strerror(e));
	srv->head_watch_on = true;
	return ORDO_OK;
}

void api_head_watch_stop(struct api_server *srv)
{
	if (!srv->head_watch_on)
		return;
	pthread_mutex_lock(&srv->limits_mu);
	srv->head_watch_stop = true;
	pthread_cond_signal(&srv->head_cv);
	pthread_mutex_unlock(&srv->limits_mu);
	pthread_join(srv->head_watch, NULL);
	srv->head_watch_on = false;
}

int api_key_rate_wait(struct api_server *srv, const app_caller *c)
{
	/* A key and a person each have their bucket: a person's number is
	 * told from a key's by its top bit. */
	uint64_t who = c->key_id	 ? (uint64_t)c->key_id
		       : c->user_id ? (uint64_t)c->user_id | (1ULL << 63)
				    : 0;
	int wait;

	if (!who)
		return 0;
	pthread_mutex_lock(&srv->limits_mu);
	wait = ratelimit_take(&srv->per_key, who, api_now_ms());
	pthread_mutex_unlock(&srv->limits_mu);
	return wait;
}

int api_address_rate_wait(struct api_server *srv, api_request *r)
{
	const unsigned char *key;
	uint64_t who = 0;
	size_t i;
	int wait;

	/* The client, behind a trusted proxy too (auth.c). */
	if (api_client(r, &key) < 0)
		return 0;
	/* FNV-1a of the address; 0 is the table's free slot. */
	who = 14695981039346656037ULL;
	for (i = 0; i < 16; i++)
		who = (who ^ key[i]) * 1099511628211ULL;
	if (!who)
		who = 1;
	pthread_mutex_lock(&srv->limits_mu);
	wait = ratelimit_take(&srv->per_address, who, api_now_ms());
	pthread_mutex_unlock(&srv->limits_mu);
	return wait;
}
