package pact

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
)

// Partner addresses. A partner's base and token URLs are given by an
// operator, but the host in them is resolved by DNS that someone else may
// control, so this host would otherwise POST footprints and present client
// secrets to whatever address the name points at: its own loopback
// services, the private network, a cloud metadata endpoint. Such addresses
// are refused twice: when the partner is added (CheckPartnerURL, which
// resolves the host) and when the responder connects (dialControl, which
// sees the address actually dialled, so a DNS answer changed after the
// check does not get past it). Both allow them when private partners are
// allowed (ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS, for tests and closed
// networks).

// metadataAddrs are cloud instance metadata endpoints outside the
// link-local and private ranges refused anyway: AWS's IPv6 one (fd00:ec2::254
// is in fc00::/7, listed for the error message's sake).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
}

// cgnat is the shared address space (RFC 6598), private in practice.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// ErrPrivatePartnerAddr: a partner URL's host is or resolves to an address
// this host does not send to.
var ErrPrivatePartnerAddr = errors.New("partner address not allowed")

// specialPurpose are IANA special-purpose blocks that are never a public
// partner: benchmarking (RFC 2544), IETF protocol assignments, reserved
// (240.0.0.0/4), IPv6 site-local (deprecated, still routed internally),
// local-use NAT64 (RFC 8215, a network's own translator).
var specialPurpose = []netip.Prefix{
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("fec0::/10"),
}

// Blocks of IPv6 addresses that embed an IPv4 address, which a gateway may
// reach: the well-known NAT64 prefix (RFC 6052), 6to4 (RFC 3056) and the
// deprecated IPv4-compatible ::a.b.c.d.
var (
	nat64      = []netip.Prefix{netip.MustParsePrefix("64:ff9b::/96")}
	sixToFour  = netip.MustParsePrefix("2002::/16")
	v4Compat   = netip.MustParsePrefix("::/96")
	embeddedV4 = func(a netip.Addr, at int) netip.Addr {
		b := a.As16()
		return netip.AddrFrom4([4]byte{b[at], b[at+1], b[at+2], b[at+3]})
	}
)

// forbiddenAddr returns why a is not a partner address, or "" if it may be
// one: loopback, unspecified, link-local, private (RFC 1918, RFC 6598,
// IPv6 ULA), multicast, IANA special-purpose and cloud metadata addresses
// are not; IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 addresses are
// judged as the IPv4 address they embed.
func forbiddenAddr(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		for _, p := range nat64 {
			if p.Contains(a) {
				return forbiddenEmbedded(embeddedV4(a, 12))
			}
		}
		switch {
		case sixToFour.Contains(a):
			return forbiddenEmbedded(embeddedV4(a, 2))
		case v4Compat.Contains(a) && !a.IsLoopback() && !a.IsUnspecified():
			return forbiddenEmbedded(embeddedV4(a, 12))
		}
	}
	for _, m := range metadataAddrs {
		if a == m {
			return "a cloud metadata address"
		}
	}
	switch {
	case !a.IsValid():
		return "not an IP address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsUnspecified():
		return "an unspecified address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case a.IsPrivate(), cgnat.Contains(a):
		return "a private address"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "a multicast address"
	case a.Is4() && a.As4()[0] == 0: // 0.0.0.0/8, "this network"
		return "an unspecified address"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "a broadcast address"
	}
	for _, p := range specialPurpose {
		if p.Contains(a) {
			return "a special-purpose address"
		}
	}
	return ""
}

// forbiddenEmbedded judges the IPv4 address an IPv6 address embeds.
func forbiddenEmbedded(v4 netip.Addr) string {
	if why := forbiddenAddr(v4); why != "" {
		return why + " (embedded in an IPv6 address)"
	}
	return ""
}

// CheckPartnerURL resolves the host of a partner's base or token URL with
// resolver (nil: net.DefaultResolver) and returns an error wrapping
// ErrPrivatePartnerAddr, naming the address, if the host is or resolves to
// an address forbiddenAddr refuses, or if it does not resolve. field names
// the URL in the error ("base URL").
func CheckPartnerURL(ctx context.Context, resolver *net.Resolver, field, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("%s %q: not an absolute URL", field, rawURL)
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if resolver == nil {
			resolver = net.DefaultResolver
		}
		if addrs, err = resolver.LookupNetIP(ctx, "ip", host); err != nil {
			return fmt.Errorf("%s %q: resolve %s: %w", field, rawURL, host, err)
		}
	}
	for _, a := range addrs {
		if why := forbiddenAddr(a); why != "" {
			return fmt.Errorf("%w: %s host %s is %s (%s); PACT answers go to public addresses only, unless ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS=1",
				ErrPrivatePartnerAddr, field, host, why, a.Unmap())
		}
	}
	return nil
}

// dialControl is a net.Dialer Control function that refuses to connect to
// an address forbiddenAddr refuses: it runs after DNS, on the address
// about to be dialled.
func dialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check %s address %q", ErrPrivatePartnerAddr, network, address)
	}
	if why := forbiddenAddr(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrPrivatePartnerAddr, ap.Addr().Unmap(), why)
	}
	return nil
}
