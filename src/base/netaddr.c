/* netaddr.c: see netaddr.h. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

/* Blocks of IPv4 that are not public unicast: address, prefix length. */
static const struct { uint32_t net; int bits; } private_v4[] = {
	{ 0x00000000u, 8 },	/* 0/8 "this network" */
	{ 0x0a000000u, 8 },	/* 10/8 */
	{ 0x64400000u, 10 },	/* 100.64/10 shared (carrier-grade NAT) */
	{ 0x7f000000u, 8 },	/* 127/8 loopback */
	{ 0xa9fe0000u, 16 },	/* 169.254/16 link-local */
	{ 0xac100000u, 12 },	/* 172.16/12 */
	{ 0xc0000000u, 24 },	/* 192.0.0/24 IETF protocol assignments */
	{ 0xc0a80000u, 16 },	/* 192.168/16 */
	{ 0xc6120000u, 15 },	/* 198.18/15 benchmarking */
	{ 0xe0000000u, 4 },	/* 224/4 multicast */
	{ 0xf0000000u, 4 },	/* 240/4 reserved, and the broadcast address */
};

static int v4_is_private(uint32_t a)
{
	for (size_t i = 0; i < sizeof(private_v4) / sizeof(private_v4[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - private_v4[i].bits);
		if ((a & mask) == private_v4[i].net)
			return 1;
	}
	return 0;
}

static uint32_t v4_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int v6_is_private(const uint8_t *b)
{
	static const uint8_t zero[12], mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff },
		nat64[12] = { 0, 0x64, 0xff, 0x9b };
	if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12))
		return v4_is_private(v4_at(b + 12));
	if (!memcmp(b, zero, 12))	/* ::, ::1 and the IPv4-compatible ::a.b.c.d */
		return 1;
	if ((b[0] & 0xfe) == 0xfc)	/* fc00::/7 unique local */
		return 1;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)	/* fe80::/10 link-local */
		return 1;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)	/* fec0::/10 site-local */
		return 1;
	return b[0] == 0xff;	/* ff00::/8 multicast */
}

int netaddr_is_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return v4_is_private(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return v6_is_private(in6->sin6_addr.s6_addr);
	}
	return 1;
}

void netaddr_format(const struct sockaddr *sa, char *out, size_t size)
{
	const void *a = NULL;
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!a || !inet_ntop(sa->sa_family, a, out, (socklen_t)size))
		*out = 0;
}
