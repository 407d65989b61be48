/*
 * netaddr.h - network addresses as data: CIDR ranges, lists of them, and
 * which addresses are internal (loopback, private, link-local, ...).
 *
 * Used to keep webhooks from being pointed inside the network ordo runs in:
 * an address is refused when it is internal, unless an operator's allow
 * list (a netaddr_list) contains it. Pure: parsing and matching only, no
 * name resolution. An IPv4 address mapped into IPv6 (::ffff:a.b.c.d) is
 * judged and matched as the IPv4 address it carries.
 */
#ifndef ORDO_CORE_NETADDR_H
#define ORDO_CORE_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h" /* NETADDR_LIST_MAX, NETADDR_TEXT_MAX */

typedef struct {
	int family; /* 4 or 6 */
	unsigned char addr[16]; /* network byte order; IPv4 in addr[0..3] */
	int prefix; /* 0..32 or 0..128 */
} netaddr_cidr;

typedef struct {
	netaddr_cidr items[NETADDR_LIST_MAX];
	size_t n;
} netaddr_list;

/* "a.b.c.d/n", "x:y::z/n", or a bare address (a single host). Bits past
 * the prefix must be zero. 0, or -1 when s is no CIDR. */
int netaddr_cidr_parse(const char *s, netaddr_cidr *out);

/*
 * A comma-separated list of CIDRs (blanks around items ignored; an empty
 * string is an empty list). 0, or -1 with the offending item copied into
 * bad (at most bad_size bytes) when one is no CIDR or there are more than
 * NETADDR_LIST_MAX.
 */
int netaddr_list_parse(const char *text, netaddr_list *out, char *bad,
		       size_t bad_size);

/* Whether the address (family 4: 4 bytes, 6: 16 bytes) is in c / in any
 * range of l. */
bool netaddr_cidr_match(const netaddr_cidr *c, int family,
			const unsigned char *addr);
bool netaddr_list_match(const netaddr_list *l, int family,
			const unsigned char *addr);

/*
 * Whether the address is not on the public internet: unspecified,
 * "this network" (0.0.0.0/8), loopback, private (RFC 1918, IPv6 unique
 * local), shared address space (CGNAT, 100.64.0.0/10), link-local,
 * multicast, broadcast and reserved, benchmarking, documentation, IETF
 * protocol assignments, and the IPv6 site-local and NAT64 prefixes.
 */
bool netaddr_internal(int family, const unsigned char *addr);

#endif
