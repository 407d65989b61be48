/*
 * limits.c - what one client may take of a node: connections per client
 * address, and requests a second per API key (core/ratelimit.h). Both are
 * counted across the server's threads, under the server's limits_mu.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "api/api_int.h"

/*
 * PER ADDRESS. A client address holds at most ORDO_CONNECTIONS_PER_ADDRESS
 * connections, counted across the server's threads (libmicrohttpd's own
 * per-address limit is kept by each of its threads): a connection is
 * counted when it starts and uncounted when it closes, and one more from
 * an address that holds its share is closed at once. Threads accepting at
 * the same moment may let an address past its share by one each.
 */
static void address_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET)
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
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

	(void)len;
	address_key(sa, key);
	pthread_mutex_lock(&srv->limits_mu);
	a = address_slot(srv, key, false);
	admit = !a || a->n < ORDO_CONNECTIONS_PER_ADDRESS;
	pthread_mutex_unlock(&srv->limits_mu);
	return admit ? MHD_YES : MHD_NO;
}

void api_address_notify(void *cls, struct MHD_Connection *conn,
			   void **socket_context,
			   enum MHD_ConnectionNotificationCode toe)
{
	struct api_server *srv = cls;
	const union MHD_ConnectionInfo *info;
	unsigned char key[16];
	struct api_address *a;

	pthread_mutex_lock(&srv->limits_mu);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		a = NULL;
		if (info && info->client_addr) {
			address_key(info->client_addr, key);
			a = address_slot(srv, key, true);
		}
		if (a)
			a->n++;
		*socket_context = a;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		a = *socket_context;
		a->n--;
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&srv->limits_mu);
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
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	unsigned char key[16];
	uint64_t who = 0;
	size_t i;
	int wait;

	if (!info || !info->client_addr)
		return 0;
	address_key(info->client_addr, key);
	/* FNV-1a of the address; 0 is the table's free slot. */
	who = 14695981039346656037ULL;
	for (i = 0; i < sizeof(key); i++)
		who = (who ^ key[i]) * 1099511628211ULL;
	if (!who)
		who = 1;
	pthread_mutex_lock(&srv->limits_mu);
	wait = ratelimit_take(&srv->per_address, who, api_now_ms());
	pthread_mutex_unlock(&srv->limits_mu);
	return wait;
}
