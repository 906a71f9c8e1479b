/*
 * netaddr.h: which network addresses an outgoing request (a webhook) may
 * reach. A pure function over a resolved address, so that the check is made
 * on the address a connection will actually use, not on a host name.
 */
#ifndef RETAIN_NETADDR_H
#define RETAIN_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * 1 when sa (AF_INET or AF_INET6) is not a public unicast address: loopback
 * (127/8, ::1), "this network" (0/8, ::), private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), shared (100.64/10), link-local (169.254/16,
 * fe80::/10), the IETF and benchmark blocks (192.0.0/24, 198.18/15),
 * multicast and reserved (224/4, 240/4, ff00::/8), site-local (fec0::/10);
 * an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) or NAT64
 * (64:ff9b::a.b.c.d) IPv6 address as its IPv4 address. 1 too for any other
 * family. 0 for everything else.
 */
int netaddr_is_private(const struct sockaddr *sa);

/* The numeric form of sa ("127.0.0.1", "::1") into out; "" when it has none. */
void netaddr_format(const struct sockaddr *sa, char *out, size_t size);

#endif
