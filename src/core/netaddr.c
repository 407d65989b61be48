/*
 * netaddr.c - CIDR parsing and matching, and the table of internal ranges.
 *
 * The internal ranges are one table per family (internal4[], internal6[]),
 * written as CIDR text and parsed on use, so the list reads like the RFCs
 * it comes from. Matching compares whole bytes of the prefix, then the
 * remaining bits under a mask.
 */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const internal4[] = {
	"0.0.0.0/8",	  /* this network, and the unspecified address */
	"10.0.0.0/8",	  /* private (RFC 1918) */
	"100.64.0.0/10",  /* shared address space, CGNAT (RFC 6598) */
	"127.0.0.0/8",	  /* loopback */
	"169.254.0.0/16", /* link-local, cloud metadata services */
	"172.16.0.0/12",  /* private (RFC 1918) */
	"192.0.0.0/24",	  /* IETF protocol assignments */
	"192.0.2.0/24",	  /* documentation */
	"192.168.0.0/16", /* private (RFC 1918) */
	"198.18.0.0/15",  /* benchmarking */
	"198.51.100.0/24", /* documentation */
	"203.0.113.0/24", /* documentation */
	"224.0.0.0/4",	  /* multicast */
	"240.0.0.0/4",	  /* reserved, and the broadcast address */
	NULL,
};

static const char *const internal6[] = {
	"::/128",	 /* unspecified */
	"::1/128",	 /* loopback */
	"64:ff9b::/96",	 /* NAT64: reaches IPv4 through a gateway */
	"64:ff9b:1::/48", /* local-use NAT64 */
	"100::/64",	 /* discard */
	"2001:db8::/32", /* documentation */
	"fc00::/7",	 /* unique local (ULA) */
	"fe80::/10",	 /* link-local */
	"fec0::/10",	 /* site-local (deprecated, still routed inside) */
	"ff00::/8",	 /* multicast */
	NULL,
};

int netaddr_cidr_parse(const char *s, netaddr_cidr *out)
{
	char text[NETADDR_TEXT_MAX];
	const char *slash;
	size_t len;
	int max, prefix, bit;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, out->addr) == 1) {
		out->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, text, out->addr) == 1) {
		out->family = 6;
		max = 128;
	} else {
		return -1;
	}
	prefix = max;
	if (slash) {
		const char *p = slash + 1;

		/* Digits only: no sign, blank or base prefix slips through. */
		if (!*p || strlen(p) > 3)
			return -1;
		prefix = 0;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			prefix = prefix * 10 + (*p - '0');
		}
		if (prefix > max)
			return -1;
	}
	/* A range is written by its first address: host bits stay zero. */
	for (bit = prefix; bit < max; bit++)
		if (out->addr[bit / 8] & (0x80 >> (bit % 8)))
			return -1;
	out->prefix = prefix;
	return 0;
}

int netaddr_list_parse(const char *text, netaddr_list *out, char *bad,
		       size_t bad_size)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	if (bad_size)
		bad[0] = '\0';
	while (p && *p) {
		const char *end = strchr(p, ',');
		const char *stop = end ? end : p + strlen(p);
		char item[NETADDR_TEXT_MAX];
		size_t len;

		while (p < stop && (*p == ' ' || *p == '\t'))
			p++;
		while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		len = (size_t)(stop - p);
		if (len >= sizeof(item) || len == 0 ||
		    out->n == NETADDR_LIST_MAX) {
			if (bad_size)
				snprintf(bad, bad_size, "%.*s", (int)len, p);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (netaddr_cidr_parse(item, &out->items[out->n]) != 0) {
			if (bad_size)
				snprintf(bad, bad_size, "%s", item);
			return -1;
		}
		out->n++;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* An IPv4 address mapped into IPv6 (::ffff:a.b.c.d): its 4 bytes. */
static const unsigned char *mapped4(int family, const unsigned char *addr)
{
	static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0,
						 0, 0, 0, 0, 0xff, 0xff};

	if (family == 6 && memcmp(addr, prefix, sizeof(prefix)) == 0)
		return addr + 12;
	return NULL;
}

bool netaddr_cidr_match(const netaddr_cidr *c, int family,
			const unsigned char *addr)
{
	const unsigned char *v4 = mapped4(family, addr);
	int whole, rest;

	if (v4) {
		family = 4;
		addr = v4;
	}
	if (c->family != family)
		return false;
	whole = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(c->addr, addr, (size_t)whole) != 0)
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		if ((c->addr[whole] & mask) != (addr[whole] & mask))
			return false;
	}
	return true;
}

bool netaddr_list_match(const netaddr_list *l, int family,
			const unsigned char *addr)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (netaddr_cidr_match(&l->items[i], family, addr))
			return true;
	return false;
}

bool netaddr_internal(int family, const unsigned char *addr)
{
	const unsigned char *v4 = mapped4(family, addr);
	const char *const *table;
	size_t i;

	if (v4) {
		family = 4;
		addr = v4;
	}
	table = family == 4 ? internal4 : internal6;
	for (i = 0; table[i]; i++) {
		netaddr_cidr c;

		/* The table is ours and always parses. */
		if (netaddr_cidr_parse(table[i], &c) == 0 &&
		    netaddr_cidr_match(&c, family, addr))
			return true;
	}
	return false;
}
