package fwrule

import (
	"math/big"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Remote address keywords, in Windows' spelling. Each also takes a 4 or 6
// suffix that restricts it to one IP version (LocalSubnet4). CaptivePortal
// is not in the cmdlet help but is an address keyword of the firewall
// service (FW_ADDRESS_KEYWORD_CAPTIVE_PORTAL).
var addressKeywords = []string{
	"LocalSubnet", "DNS", "DHCP", "WINS", "DefaultGateway", "Internet",
	"Intranet", "IntranetRemoteAccess", "PlayToDevice", "CaptivePortal",
}

// The text Windows gives for an address it cannot parse
// (New-NetFirewallRule, seen in dotnet-architecture/eShopOnContainers #43).
const addressInvalid = "The address is invalid.  Addresses may be specified as IP addresses, ranges, or subnets.  " +
	"Also, the following address keywords are allowed in certain places: LocalSubnet, DNS, DHCP, WINS, " +
	"DefaultGateway, Internet, Intranet, IntranetRemoteAccess, PlayToDevice.  " +
	"Keywords can be restricted to IPv4 or IPv6 by appending a 4 or 6."

func addressesAccepted(side Side) string {
	forms := "Any alone, or IPv4/IPv6 addresses (10.1.2.3, fe80::1), subnets by prefix length (10.1.2.0/24, fe80::/48) " +
		"or IPv4 mask (10.1.2.0/255.255.255.0), ranges with the lower address first (10.1.2.3-10.1.2.7)"
	if side == Local {
		return forms + "; the address keywords are only valid on the remote side."
	}
	return forms + ", or the keywords " + strings.Join(addressKeywords, ", ") +
		" (add 4 or 6 to restrict one to IPv4 or IPv6, as in LocalSubnet4)."
}

// addrKind orders canonical address lists: keywords, then IPv4, then IPv6.
type addrKind int

const (
	kindKeyword addrKind = iota
	kindV4
	kindV6
)

// addrEntry is one parsed address item: its canonical text and, for
// literal addresses, the first and last address it covers.
type addrEntry struct {
	text   string
	kind   addrKind
	lo, hi netip.Addr
}

// ParseAddresses returns the canonical list of local or remote addresses,
// in the form Windows reads back, so the user's list and the host's compare
// equal:
//   - ["Any"] alone, also for an empty list;
//   - keywords in Windows' spelling (remote side only), sorted, first;
//   - IPv4 entries, sorted by address: a subnet as masked network/dotted
//     mask (10.1.2.3/8 reads 10.0.0.0/255.0.0.0), a /32 as the bare address;
//   - IPv6 entries, sorted by address, lower-case and compressed, a prefix
//     kept as given (Windows returns IPv6 prefixes unmasked), a /128 as the
//     bare address;
//   - ranges as first-last, a range of one address as the bare address.
//
// Duplicates are dropped; overlapping subnets are kept as given.
func ParseAddresses(side Side, values []string) ([]string, error) {
	accepted := addressesAccepted(side)
	items, err := splitItems(values, accepted)
	if err != nil {
		return nil, err
	}
	var entries []addrEntry
	sawAny := false
	for _, item := range items {
		e, err := parseAddressItem(item, accepted)
		if err != nil {
			return nil, err
		}
		if e.text == Any {
			sawAny = true
			continue
		}
		if side == Local && e.kind == kindKeyword {
			return nil, &ValueError{Value: item, Reason: "Some of the keywords specified on the local address are only valid on the remote address.", Accepted: accepted}
		}
		entries = append(entries, e)
	}
	if sawAny {
		if len(entries) > 0 {
			return nil, standAlone(strings.Join(items, ","), Any, accepted)
		}
		return []string{Any}, nil
	}
	if len(entries) == 0 {
		return []string{Any}, nil
	}
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.kind != kindKeyword {
			if c := a.lo.Compare(b.lo); c != 0 {
				return c < 0
			}
			if c := a.hi.Compare(b.hi); c != 0 {
				return c < 0
			}
		}
		return a.text < b.text
	})
	var out []string
	for _, e := range entries {
		if len(out) == 0 || out[len(out)-1] != e.text {
			out = append(out, e.text)
		}
	}
	return out, nil
}

func parseAddressItem(item, accepted string) (addrEntry, error) {
	if strings.EqualFold(item, Any) {
		return addrEntry{text: Any, kind: kindKeyword}, nil
	}
	if kw, ok := matchAddressKeyword(item); ok {
		return addrEntry{text: kw, kind: kindKeyword}, nil
	}
	invalid := func(reason string) (addrEntry, error) {
		return addrEntry{}, &ValueError{Value: item, Reason: reason, Accepted: accepted}
	}
	if first, last, ok := strings.Cut(item, "-"); ok {
		lo, okLo := parseAddr(first)
		hi, okHi := parseAddr(last)
		if !okLo || !okHi || lo.Is4() != hi.Is4() {
			return invalid(addressInvalid)
		}
		if hi.Less(lo) {
			return invalid("The address range is invalid.  The end address is less than the beginning address.")
		}
		if lo == hi {
			return single(lo, invalid)
		}
		return literalEntry(lo, hi, lo.String()+"-"+hi.String()), nil
	}
	if addrText, maskText, ok := strings.Cut(item, "/"); ok {
		return parseSubnet(addrText, maskText, invalid)
	}
	a, ok := parseAddr(item)
	if !ok {
		return invalid(addressInvalid)
	}
	return single(a, invalid)
}

// single is one address however it was written (bare, /32, /128, a-a).
func single(a netip.Addr, invalid func(string) (addrEntry, error)) (addrEntry, error) {
	if a.Is6() && (a.IsUnspecified() || a.IsLoopback() || a.IsMulticast()) {
		// The firewall refuses these in a rule (FW_RULE_STATUS_SEMANTIC_ERROR_ADDR_V6;
		// falahati/WindowsFirewallHelper #8 shows ::1 failing while 127.0.0.1 works).
		return invalid("An unspecified, multicast, broadcast, or loopback IPv6 address was specified.")
	}
	return literalEntry(a, a, a.String()), nil
}

func parseSubnet(addrText, maskText string, invalid func(string) (addrEntry, error)) (addrEntry, error) {
	a, ok := parseAddr(addrText)
	if !ok {
		return invalid(addressInvalid)
	}
	maskText = strings.TrimSpace(maskText)
	bits, ok := parseDecimal(maskText, a.BitLen())
	if !ok {
		if strings.Contains(maskText, ".") && a.Is4() {
			if bits, ok = maskBits(maskText); !ok {
				return invalid("One or more of the subnet masks is invalid.")
			}
		} else {
			return invalid("One or more of the address prefixes is invalid.")
		}
	}
	if bits == a.BitLen() {
		return single(a, invalid)
	}
	prefix := netip.PrefixFrom(a, bits)
	lo := prefix.Masked().Addr()
	hi := lastAddr(prefix)
	if a.Is4() {
		return literalEntry(lo, hi, lo.String()+"/"+dottedMask(bits)), nil
	}
	return literalEntry(lo, hi, a.String()+"/"+strconv.Itoa(bits)), nil
}

func literalEntry(lo, hi netip.Addr, text string) addrEntry {
	kind := kindV6
	if lo.Is4() {
		kind = kindV4
	}
	return addrEntry{text: text, kind: kind, lo: lo, hi: hi}
}

// parseAddr accepts a plain IPv4 or IPv6 address; zones (fe80::1%12) are
// refused because a rule cannot carry them.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

func matchAddressKeyword(s string) (string, bool) {
	base, suffix := s, ""
	if n := len(s); n > 0 && (s[n-1] == '4' || s[n-1] == '6') {
		base, suffix = s[:n-1], s[n-1:]
	}
	if kw, ok := matchFold(base, addressKeywords); ok {
		return kw + suffix, true
	}
	return "", false
}

// maskBits converts a contiguous dotted IPv4 mask to its prefix length.
func maskBits(s string) (int, bool) {
	m, err := netip.ParseAddr(s)
	if err != nil || !m.Is4() {
		return 0, false
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	bits := 0
	for bits < 32 && v&(1<<(31-bits)) != 0 {
		bits++
	}
	if bits < 32 && v<<bits != 0 {
		return 0, false // ones after a zero: not a contiguous mask
	}
	return bits, true
}

func dottedMask(bits int) string {
	var v uint32
	if bits > 0 {
		v = ^uint32(0) << (32 - bits)
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// AddressScope ranks how far an address list reaches, narrowest first.
type AddressScope int

const (
	// ScopeHosts: specific hosts, subnets or ranges of at most 256 addresses.
	ScopeHosts AddressScope = iota
	// ScopeLocal: keywords naming nearby or infrastructure machines
	// (LocalSubnet, DefaultGateway, DNS, DHCP, WINS, PlayToDevice, CaptivePortal).
	ScopeLocal
	// ScopePrivate: Intranet, IntranetRemoteAccess, or private address space
	// (RFC 1918, CGNAT 100.64/10, link-local, loopback, IPv6 ULA and
	// link-local) wider than 256 addresses.
	ScopePrivate
	// ScopePublic: public address space wider than 256 addresses.
	ScopePublic
	// ScopeAny: Any, Internet, or a subnet or range covering a whole IP version.
	ScopeAny
)

// narrowHosts is the widest subnet still counted as specific hosts: a /24.
const narrowHosts = 256

var scopeNames = []string{"hosts", "local", "private", "public", "any"}

func (s AddressScope) String() string {
	if s < 0 || int(s) >= len(scopeNames) {
		return "unknown"
	}
	return scopeNames[s]
}

// AddressBreadth summarises an address list for risk classification.
type AddressBreadth struct {
	Scope AddressScope // the reach of the widest entry
	// Widest is the entry that set Scope, in canonical form.
	Widest string
	// Addresses counts the literal addresses the list covers (overlaps
	// counted twice); keywords add nothing.
	Addresses *big.Int
}

var privateBlocks = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
		"169.254.0.0/16", "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Breadth returns the reach of an address list (local or remote) for risk
// classification. It accepts any form ParseAddresses accepts on the remote
// side.
func Breadth(addresses []string) (AddressBreadth, error) {
	canon, err := ParseAddresses(Remote, addresses)
	if err != nil {
		return AddressBreadth{}, err
	}
	b := AddressBreadth{Scope: ScopeHosts, Addresses: new(big.Int)}
	for i, item := range canon {
		e, err := parseAddressItem(item, "")
		if err != nil {
			return AddressBreadth{}, err
		}
		scope := entryScope(e, b.Addresses)
		if i == 0 || scope > b.Scope {
			b.Scope, b.Widest = scope, e.text
		}
	}
	return b, nil
}

// entryScope classifies one entry and adds its literal addresses to total.
func entryScope(e addrEntry, total *big.Int) AddressScope {
	if e.kind == kindKeyword {
		base := strings.TrimRight(e.text, "46")
		switch base {
		case Any, "Internet":
			return ScopeAny
		case "Intranet", "IntranetRemoteAccess":
			return ScopePrivate
		}
		return ScopeLocal
	}
	n := new(big.Int).Sub(new(big.Int).SetBytes(e.hi.AsSlice()), new(big.Int).SetBytes(e.lo.AsSlice()))
	n.Add(n, big.NewInt(1))
	total.Add(total, n)
	switch {
	case n.Cmp(big.NewInt(narrowHosts)) <= 0:
		return ScopeHosts
	case n.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(e.lo.BitLen()))) == 0:
		return ScopeAny
	}
	for _, p := range privateBlocks {
		if p.Contains(e.lo) && p.Contains(e.hi) {
			return ScopePrivate
		}
	}
	return ScopePublic
}
