/* Unit tests of base/netaddr: the addresses a webhook may not reach (issue 13). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "base/netaddr.h"

/* 1 private, 0 public, for the numeric address text (IPv4 or IPv6). */
static int private_of(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
	} else {
		cr_assert_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1, "%s", text);
		in6->sin6_family = AF_INET6;
	}
	return netaddr_is_private((struct sockaddr *)&ss);
}

static void all_private(const char *const *v)
{
	for (int i = 0; v[i]; i++)
		cr_expect_eq(private_of(v[i]), 1, "%s should be refused", v[i]);
}

Test(netaddr, refuses_the_private_ranges_of_ipv4_at_their_edges)
{
	static const char *const v[] = { "10.0.0.0", "10.1.2.3", "10.255.255.255", "172.16.0.0",
		"172.20.1.1", "172.31.255.255", "192.168.0.0", "192.168.1.1", "192.168.255.255",
		NULL };
	all_private(v);
	cr_expect_eq(private_of("172.15.255.255"), 0);
	cr_expect_eq(private_of("172.32.0.0"), 0);
	cr_expect_eq(private_of("192.167.255.255"), 0);
	cr_expect_eq(private_of("192.169.0.0"), 0);
	cr_expect_eq(private_of("11.0.0.0"), 0);
	cr_expect_eq(private_of("9.255.255.255"), 0);
}

Test(netaddr, refuses_loopback_link_local_shared_and_this_network)
{
	static const char *const v[] = { "127.0.0.1", "127.0.0.2", "127.255.255.255",
		"169.254.0.1", "169.254.169.254", "100.64.0.0", "100.127.255.255", "0.0.0.0",
		"0.1.2.3", "224.0.0.1", "255.255.255.255", "198.18.0.1", NULL };
	all_private(v);
	cr_expect_eq(private_of("100.63.255.255"), 0);
	cr_expect_eq(private_of("100.128.0.0"), 0);
	cr_expect_eq(private_of("169.253.255.255"), 0);
	cr_expect_eq(private_of("128.0.0.1"), 0);
}

Test(netaddr, refuses_ipv6_loopback_unique_local_link_local_and_unspecified)
{
	static const char *const v[] = { "::1", "::", "fc00::1", "fd12:3456::1",
		"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1", "febf::1", "fec0::1", "ff02::1",
		NULL };
	all_private(v);
	cr_expect_eq(private_of("fbff:ffff::1"), 0);
	cr_expect_eq(private_of("2001:db8::1"), 0);
}

Test(netaddr, judges_an_ipv4_mapped_ipv6_address_as_its_ipv4_address)
{
	static const char *const v[] = { "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:192.168.1.1",
		"::ffff:169.254.169.254", "::ffff:100.64.0.1", "::ffff:0.0.0.0", "::127.0.0.1",
		"64:ff9b::10.0.0.1", "::ffff:7f00:1", NULL };
	all_private(v);
	cr_expect_eq(private_of("::ffff:93.184.216.34"), 0);
	cr_expect_eq(private_of("64:ff9b::8.8.8.8"), 0);
}

Test(netaddr, lets_public_addresses_through)
{
	static const char *const v[] = { "8.8.8.8", "1.1.1.1", "93.184.216.34", "203.0.113.9",
		"2606:4700:4700::1111", "2a00:1450:4001:82a::200e", NULL };
	for (int i = 0; v[i]; i++)
		cr_expect_eq(private_of(v[i]), 0, "%s should be allowed", v[i]);
}

Test(netaddr, refuses_an_address_of_another_family)
{
	struct sockaddr sa = { .sa_family = AF_UNIX };
	cr_expect_eq(netaddr_is_private(&sa), 1);
}

Test(netaddr, formats_the_numeric_address)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	inet_pton(AF_INET, "127.0.0.2", &in.sin_addr);
	char out[64];
	netaddr_format((struct sockaddr *)&in, out, sizeof(out));
	cr_expect_str_eq(out, "127.0.0.2");
}
