/*
 * listen.h - the address the HTTP server listens on.
 *
 * A --listen value is HOST:PORT ("[::1]:8080" for IPv6). HOST may be a
 * name ("localhost") or a numeric address; it is resolved here, once, and
 * the socket is bound here, so that the server and a check made before the
 * server starts (ordo demo looks before it seeds) find the same problems
 * with the same words.
 */
#ifndef ORDO_API_LISTEN_H
#define ORDO_API_LISTEN_H

#include <stdint.h>

#include "core/err.h"

/*
 * Resolve host and bind and listen on a socket at host:port; *fd is the
 * socket (the caller closes it, or hands it to the server), *family its
 * address family. An unknown host is ORDO_EINVALID; an address that cannot
 * be bound (the port is in use, it is not this machine's, it needs
 * privileges) is ORDO_EUNAVAILABLE, the message naming the port. Both with
 * field "listen".
 */
ordo_code api_listen_open(const char *host, uint16_t port, int *fd,
			  int *family, ordo_err *err);

/*
 * Parse a HOST:PORT value and make sure it can be listened on now (bind,
 * then let go). A malformed value or unknown host is ORDO_EINVALID.
 */
ordo_code api_listen_check(const char *listen, ordo_err *err);

#endif
