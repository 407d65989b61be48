/*
 * listen.c - resolving and binding the server's address.
 *
 * ordo binds the listening socket itself and hands it to libmicrohttpd,
 * rather than letting the library bind, for two reasons: a host name such
 * as "localhost" must work, which needs getaddrinfo, and the reason a bind
 * fails (the port is in use, the address is not this machine's) must reach
 * the operator in ordo's words and in ordo's JSON log, not as a plain line
 * the library prints on stderr.
 *
 * A name may resolve to several addresses (localhost: ::1 and 127.0.0.1);
 * the first that can be bound is used, and when none can, the first
 * failure is the one reported.
 */
#include "api/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "api/server.h"


/* Bind and listen one resolved address; the socket, or -1 with errno. */
static int listen_on(const struct addrinfo *ai)
{
	int fd, on = 1, e;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -1;
	/* A restarted server must not wait out the old one's TIME_WAIT
	 * connections; a live listener still makes bind fail. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

ordo_code api_listen_open(const char *host, uint16_t port, int *fd,
			  int *family, ordo_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[8];
	int rc, first_errno = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0)
		return ordo_err_set(err, ORDO_EINVALID, "listen",
				    "cannot resolve host \"%s\": %s", host,
				    gai_strerror(rc));
	*fd = -1;
	for (ai = res; ai && *fd < 0; ai = ai->ai_next) {
		*fd = listen_on(ai);
		if (*fd >= 0)
			*family = ai->ai_family;
		else if (!first_errno)
			first_errno = errno;
	}
	freeaddrinfo(res);
	if (*fd >= 0)
		return ORDO_OK;
	if (first_errno == EADDRINUSE)
		return ordo_err_set(err, ORDO_EUNAVAILABLE, "listen",
				    "port %u on %s is already in use",
				    (unsigned)port, host);
	if (first_errno == EACCES)
		return ordo_err_set(err, ORDO_EUNAVAILABLE, "listen",
				    "port %u on %s needs privileges to listen "
				    "on",
				    (unsigned)port, host);
	return ordo_err_set(err, ORDO_EUNAVAILABLE, "listen",
			    "cannot listen on %s port %u: %s", host,
			    (unsigned)port, strerror(first_errno));
}

ordo_code api_listen_check(const char *listen, ordo_err *err)
{
	char host[256];
	uint16_t port;
	int fd = -1, family = 0;
	ordo_code rc;

	rc = api_parse_listen(listen, host, sizeof(host), &port, err);
	if (rc == ORDO_OK)
		rc = api_listen_open(host, port, &fd, &family, err);
	if (fd >= 0)
		close(fd);
	return rc;
}
