package host

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// How the firewall service takes the values of New-/Set-NetFirewallRule
// and what it stores (reference/windows-host.md 4.1 and 4.2). This is the
// simulator's own reading, written from the reference and not shared with
// the provider's parsers, so the provider is tested against Windows'
// behaviour rather than against itself. Unlike the provider's canonical
// form, Windows keeps lists in the order given and does not merge or sort
// them; it only rewrites each value: IPv4 subnets masked with a dotted
// mask, a /32 as the bare address, keywords and protocol names in its own
// spelling.

// Windows' texts for refused values (HRESULT 0x80070057, InvalidArgument).
const (
	msgAddressInvalid = "The address is invalid.  Addresses may be specified as IP addresses, ranges, or subnets.  " +
		"Also, the following address keywords are allowed in certain places: LocalSubnet, DNS, DHCP, WINS, " +
		"DefaultGateway, Internet, Intranet, IntranetRemoteAccess, PlayToDevice.  " +
		"Keywords can be restricted to IPv4 or IPv6 by appending a 4 or 6."
	msgLocalKeyword     = "Some of the keywords specified on the local address are only valid on the remote address."
	msgRangeReversed    = "The address range is invalid.  The end address is less than the beginning address."
	msgMaskInvalid      = "One or more of the subnet masks is invalid."
	msgPrefixInvalid    = "One or more of the address prefixes is invalid."
	msgPortInvalid      = "The port is invalid. When Protocol is TCP or UDP, individual ports or ranges are allowed."
	msgPortRange        = "An invalid port range was specified, or 0 was used as a port number."
	msgPortKeyword      = "One of the port keywords is invalid."
	msgProtocolOptions  = "The protocol-specific options do not match the protocol that was chosen."
	msgProtocolInvalid  = "The protocol is invalid."
	msgIcmpInvalid      = "Invalid ICMP code specified."
	msgEdgeOutbound     = "Edge traversal is valid only for inbound rules."
	msgDeferToUser      = "The 'Defer to user' setting can only be used in a firewall rule where program path and TCP/UDP protocol are specified."
	msgDisplayNameAll   = "This parameter cannot be set to All."
	msgDisplayNameEmpty = "The DisplayName parameter is required when creating a rule."
	msgPipeCharacter    = "The string contains the '|' character, which is not allowed."
)

func invalid(msg string) error { return errf(protocol.InvalidArgument, "%s", msg) }

// enumError is PowerShell's parameter binding failure for a value that is
// not one of an enum's names.
func enumError(param, typeName, value string, names []string) error {
	return errf(protocol.InvalidArgument,
		"Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetSecurity.%s\". "+
			"Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\n%s\"",
		param, value, typeName, value, strings.Join(names, ", "))
}

// winEnum converts one enum value the way PowerShell does: by name,
// ignoring case.
func winEnum(param, typeName, value string, names []string) (string, error) {
	for _, n := range names {
		if strings.EqualFold(strings.TrimSpace(value), n) {
			return n, nil
		}
	}
	return "", enumError(param, typeName, value, names)
}

// winFlags converts a flags enum ("Domain, Private", or several values):
// the names are OR-ed, Any being 0, so "Any, Domain" is just Domain. The
// result lists the set flags in flag order; nil is Any.
func winFlags(param, typeName string, values []string, flagOrder []string, extra ...string) ([]string, error) {
	all := append(append([]string{"Any"}, flagOrder...), extra...)
	set := map[string]bool{}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			n, err := winEnum(param, typeName, part, all)
			if err != nil {
				return nil, err
			}
			set[n] = true
		}
	}
	var out []string
	for _, n := range append(append([]string{}, flagOrder...), extra...) {
		if set[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

var (
	profileFlags   = []string{"Domain", "Private", "Public"}
	interfaceFlags = []string{"Wired", "Wireless", "RemoteAccess"}
)

// winProtocol returns the stored protocol: "" for Any, a name for the four
// Windows names, else the decimal number.
func winProtocol(s string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" || strings.EqualFold(v, "Any") {
		return "", nil
	}
	names := map[int]string{1: "ICMPv4", 6: "TCP", 17: "UDP", 58: "ICMPv6"}
	for _, n := range names {
		if strings.EqualFold(v, n) {
			return n, nil
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 255 || strings.HasPrefix(v, "+") {
		return "", invalid(msgProtocolInvalid)
	}
	if name, ok := names[n]; ok {
		return name, nil
	}
	return strconv.Itoa(n), nil
}

// Port keywords per side, with the one protocol each works with.
var (
	localPortKeywords  = map[string]string{"RPC": "TCP", "RPCEPMap": "TCP", "IPHTTPSIn": "TCP", "IPHTTPSOut": "TCP", "Teredo": "UDP", "PlayToDiscovery": "UDP"}
	remotePortKeywords = map[string]string{"RPC": "TCP", "RPC-EPMap": "TCP", "IPHTTPS": "TCP"}
)

// winPorts returns the stored ports in the order given; nil is Any.
func winPorts(values []string, keywords map[string]string) ([]string, error) {
	items, sawAny, err := winItems(values, msgPortInvalid)
	if err != nil || sawAny {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		if kw, ok := matchKeyword(item, keywords); ok {
			out = append(out, kw)
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		a, errA := portNumber(lo)
		b, errB := a, errA
		if isRange {
			b, errB = portNumber(hi)
		}
		if errA != nil || errB != nil {
			return nil, invalid(msgPortInvalid)
		}
		if a == 0 || b == 0 || a > b {
			return nil, invalid(msgPortRange)
		}
		if a == b {
			out = append(out, strconv.Itoa(a))
		} else {
			out = append(out, strconv.Itoa(a)+"-"+strconv.Itoa(b))
		}
	}
	return out, nil
}

func portNumber(s string) (int, error) {
	s = strings.TrimSpace(s)
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("not a port")
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 65535 {
		return 0, fmt.Errorf("not a port")
	}
	return n, nil
}

func matchKeyword(item string, keywords map[string]string) (string, bool) {
	for kw := range keywords {
		if strings.EqualFold(item, kw) {
			return kw, true
		}
	}
	return "", false
}

// winItems splits comma lists, trims, and takes out Any, which Windows
// accepts only alone (anything else with it is an invalid value).
func winItems(values []string, msg string) (items []string, sawAny bool, err error) {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			item := strings.TrimSpace(part)
			if item == "" {
				return nil, false, invalid(msg)
			}
			if strings.EqualFold(item, "Any") {
				sawAny = true
				continue
			}
			items = append(items, item)
		}
	}
	if sawAny && len(items) > 0 {
		return nil, false, invalid(msg)
	}
	return items, sawAny, nil
}

var remoteAddressKeywords = []string{
	"LocalSubnet", "DNS", "DHCP", "WINS", "DefaultGateway", "Internet",
	"Intranet", "IntranetRemoteAccess", "PlayToDevice", "CaptivePortal",
}

// winAddresses returns the stored addresses in the order given; nil is
// Any. remote allows the address keywords.
func winAddresses(values []string, remote bool) ([]string, error) {
	items, sawAny, err := winItems(values, msgAddressInvalid)
	if err != nil || sawAny {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		if kw, ok := addressKeyword(item); ok {
			if !remote {
				return nil, invalid(msgLocalKeyword)
			}
			out = append(out, kw)
			continue
		}
		a, err := winAddress(item)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func addressKeyword(item string) (string, bool) {
	base, suffix := item, ""
	if n := len(item); n > 1 && (item[n-1] == '4' || item[n-1] == '6') {
		base, suffix = item[:n-1], item[n-1:]
	}
	for _, kw := range remoteAddressKeywords {
		if strings.EqualFold(base, kw) {
			return kw + suffix, true
		}
	}
	return "", false
}

// winAddress rewrites one literal address as Windows reads it back.
func winAddress(item string) (string, error) {
	if lo, hi, ok := strings.Cut(item, "-"); ok {
		a, errA := netip.ParseAddr(strings.TrimSpace(lo))
		b, errB := netip.ParseAddr(strings.TrimSpace(hi))
		if errA != nil || errB != nil || a.Is4() != b.Is4() || a.Zone() != "" || b.Zone() != "" {
			return "", invalid(msgAddressInvalid)
		}
		if b.Less(a) {
			return "", invalid(msgRangeReversed)
		}
		return item, nil
	}
	addrText, maskText, hasMask := strings.Cut(item, "/")
	a, err := netip.ParseAddr(strings.TrimSpace(addrText))
	if err != nil || a.Zone() != "" {
		return "", invalid(msgAddressInvalid)
	}
	if !hasMask {
		return a.String(), nil
	}
	if a.Is6() {
		bits, err := strconv.Atoi(strings.TrimSpace(maskText))
		if err != nil || bits < 0 || bits > 128 {
			return "", invalid(msgPrefixInvalid)
		}
		return item, nil // IPv6 prefixes come back as given
	}
	bits, err := strconv.Atoi(strings.TrimSpace(maskText))
	if err != nil {
		m, perr := netip.ParseAddr(strings.TrimSpace(maskText))
		if perr != nil || !m.Is4() {
			return "", invalid(msgMaskInvalid)
		}
		if bits = contiguousOnes(m.As4()); bits < 0 {
			return "", invalid(msgMaskInvalid)
		}
	} else if bits < 0 || bits > 32 {
		return "", invalid(msgPrefixInvalid)
	}
	if bits == 32 {
		return a.String(), nil
	}
	network := netip.PrefixFrom(a, bits).Masked().Addr()
	return network.String() + "/" + dotted(bits), nil
}

// contiguousOnes is the prefix length of a dotted mask, or -1 when its
// ones are not contiguous.
func contiguousOnes(b [4]byte) int {
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && v<<n != 0 {
		return -1
	}
	return n
}

func dotted(bits int) string {
	var v uint32
	if bits > 0 {
		v = ^uint32(0) << (32 - bits)
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// winIcmpTypes returns the stored ICMP types in the order given; nil is
// Any.
func winIcmpTypes(values []string) ([]string, error) {
	items, sawAny, err := winItems(values, msgIcmpInvalid)
	if err != nil || sawAny {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		typ, code, hasCode := strings.Cut(item, ":")
		t, err := strconv.Atoi(strings.TrimSpace(typ))
		if err != nil || t < 0 || t > 255 {
			return nil, invalid(msgIcmpInvalid)
		}
		s := strconv.Itoa(t)
		if hasCode {
			c, err := strconv.Atoi(strings.TrimSpace(code))
			if err != nil || c < 0 || c > 255 {
				return nil, invalid(msgIcmpInvalid)
			}
			s += ":" + strconv.Itoa(c)
		}
		out = append(out, s)
	}
	return out, nil
}

// orAny is how a stored empty value reads back.
func orAny(s string) string {
	if s == "" {
		return "Any"
	}
	return s
}

func listOrAny(list []string) []string {
	if len(list) == 0 {
		return []string{"Any"}
	}
	return append([]string(nil), list...)
}
