/*
 * test_netaddr.c - CIDR parsing (both families, every refusal), matching at
 * and around prefix boundaries, IPv4-mapped IPv6, lists, and the internal
 * ranges webhooks may not point at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/netaddr.h"

/* addr text -> family and bytes. */
static int addr_of(const char *text, unsigned char out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, out) == 1)
		return 6;
	fail_msg("bad test address %s", text);
	return 0;
}

static bool in(const char *cidr, const char *addr)
{
	netaddr_cidr c;
	unsigned char a[16];
	int fam = addr_of(addr, a);

	if (netaddr_cidr_parse(cidr, &c) != 0)
		fail_msg("%s refused", cidr);
	return netaddr_cidr_match(&c, fam, a);
}

static bool internal(const char *addr)
{
	unsigned char a[16];
	int fam = addr_of(addr, a);

	return netaddr_internal(fam, a);
}

static void test_parse(void **state)
{
	netaddr_cidr c;
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.1/8",
		"10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0/8",
		"256.0.0.0/8", "::1/129", "fe80::1/10", "localhost",
		"10.0.0.0/8/8", "10.0.0.0/0x8", "1.2.3.4 ", NULL,
	};

	(void)state;
	assert_int_equal(netaddr_cidr_parse("10.0.0.0/8", &c), 0);
	assert_int_equal(c.family, 4);
	assert_int_equal(c.prefix, 8);
	assert_int_equal(netaddr_cidr_parse("127.0.0.1", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(netaddr_cidr_parse("::1", &c), 0);
	assert_int_equal(c.family, 6);
	assert_int_equal(c.prefix, 128);
	assert_int_equal(netaddr_cidr_parse("fc00::/7", &c), 0);
	assert_int_equal(c.prefix, 7);
	assert_int_equal(netaddr_cidr_parse("0.0.0.0/0", &c), 0);
	assert_int_equal(c.prefix, 0);
	for (size_t i = 0; bad[i]; i++)
		if (netaddr_cidr_parse(bad[i], &c) == 0)
			fail_msg("\"%s\" accepted as a CIDR", bad[i]);
	assert_int_equal(netaddr_cidr_parse(NULL, &c), -1);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(in("10.0.0.0/8", "10.255.255.255"));
	assert_false(in("10.0.0.0/8", "11.0.0.0"));
	assert_true(in("100.64.0.0/10", "100.127.255.255"));
	assert_false(in("100.64.0.0/10", "100.128.0.0"));
	assert_false(in("100.64.0.0/10", "100.63.255.255"));
	assert_true(in("0.0.0.0/0", "8.8.8.8"));
	assert_true(in("127.0.0.1", "127.0.0.1"));
	assert_false(in("127.0.0.1", "127.0.0.2"));
	assert_true(in("fe80::/10", "febf::1"));
	assert_false(in("fe80::/10", "fec0::1"));
	/* Families never mix, except through the IPv4-mapped form. */
	assert_false(in("::/0", "1.2.3.4"));
	assert_false(in("0.0.0.0/0", "2001:4860::1"));
	assert_true(in("127.0.0.0/8", "::ffff:127.0.0.1"));
}

static void test_list(void **state)
{
	netaddr_list l;
	unsigned char a[16];
	char bad[NETADDR_TEXT_MAX];
	int fam;

	(void)state;
	assert_int_equal(netaddr_list_parse(" 127.0.0.0/8 , ::1/128", &l, bad,
					    sizeof(bad)),
			 0);
	assert_int_equal(l.n, 2);
	fam = addr_of("127.3.2.1", a);
	assert_true(netaddr_list_match(&l, fam, a));
	fam = addr_of("::1", a);
	assert_true(netaddr_list_match(&l, fam, a));
	fam = addr_of("10.0.0.1", a);
	assert_false(netaddr_list_match(&l, fam, a));
	assert_int_equal(netaddr_list_parse("", &l, bad, sizeof(bad)), 0);
	assert_int_equal(l.n, 0);
	assert_false(netaddr_list_match(&l, fam, a));
	assert_int_equal(netaddr_list_parse("10.0.0.0/8,nonsense", &l, bad,
					    sizeof(bad)),
			 -1);
	assert_string_equal(bad, "nonsense");
	assert_int_equal(netaddr_list_parse("10.0.0.0/8,,", &l, bad,
					    sizeof(bad)),
			 -1);
	{
		char many[NETADDR_LIST_MAX * 16 + 64] = "";
		size_t used = 0;

		for (int i = 0; i <= NETADDR_LIST_MAX; i++)
			used += (size_t)snprintf(many + used,
						 sizeof(many) - used,
						 "%s10.%d.0.0/16", i ? "," : "",
						 i);
		assert_int_equal(netaddr_list_parse(many, &l, bad,
						    sizeof(bad)),
				 -1);
	}
}

static void test_internal(void **state)
{
	static const char *const inside[] = {
		"0.0.0.0",	   "0.1.2.3",	    "10.0.0.5",
		"100.64.0.1",	   "127.0.0.1",	    "127.255.0.1",
		"169.254.169.254", "172.16.0.1",    "172.31.255.255",
		"192.168.1.1",	   "224.0.0.1",	    "239.255.255.250",
		"255.255.255.255", "198.18.0.1",    "::",
		"::1",		   "fe80::1",	    "fc00::1",
		"fd12:3456::1",	   "ff02::1",	    "::ffff:127.0.0.1",
		"::ffff:10.1.2.3", "64:ff9b::a00:1", "fec0::1",
		NULL,
	};
	static const char *const outside[] = {
		"8.8.8.8",	  "1.1.1.1",	    "172.15.255.255",
		"172.32.0.0",	  "100.63.255.255", "100.128.0.0",
		"93.184.216.34",  "2606:4700::1111", "2001:4860:4860::8888",
		"::ffff:8.8.8.8", "223.255.255.255", NULL,
	};

	(void)state;
	for (size_t i = 0; inside[i]; i++)
		if (!internal(inside[i]))
			fail_msg("%s not seen as internal", inside[i]);
	for (size_t i = 0; outside[i]; i++)
		if (internal(outside[i]))
			fail_msg("%s seen as internal", outside[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_internal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
