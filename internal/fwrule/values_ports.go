package fwrule

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Side tells local from remote values: ports and addresses accept different
// keywords on each side.
type Side int

const (
	Local Side = iota
	Remote
)

func (s Side) String() string {
	if s == Remote {
		return "remote"
	}
	return "local"
}

// portKeyword is a port keyword with the one protocol Windows accepts it
// with. NetworkingDsc #34 shows PlayToDiscovery failing with TCP ("One of
// the port keywords is invalid."); the cmdlet help, which says keywords need
// no protocol, is known to be wrong.
type portKeyword struct {
	name     string
	protocol string
	ports    int // how many ports the keyword opens, for PortCount
}

// Windows spells the endpoint-mapper keyword RPCEPMap on the local side and
// RPC-EPMap on the remote side (New-NetFirewallRule help).
var portKeywords = map[Side][]portKeyword{
	Local: {
		{"RPC", "TCP", dynamicRPCPorts},
		{"RPCEPMap", "TCP", 1},
		{"Teredo", "UDP", 1},
		{"IPHTTPSIn", "TCP", 1},
		{"IPHTTPSOut", "TCP", 1},
		{"PlayToDiscovery", "UDP", 1},
	},
	Remote: {
		{"RPC", "TCP", dynamicRPCPorts},
		{"RPC-EPMap", "TCP", 1},
		{"IPHTTPS", "TCP", 1},
	},
}

// dynamicRPCPorts is the size of the default dynamic RPC range
// (49152-65535) that the RPC keyword opens.
const dynamicRPCPorts = 65535 - 49152 + 1

// maxPort is the highest port; 0 is not a port to Windows ("An invalid port
// range was specified, or 0 was used as a port number.", FW_RULE_STATUS).
const maxPort = 65535

func portsAccepted(side Side) string {
	var names []string
	for _, k := range portKeywords[side] {
		names = append(names, fmt.Sprintf("%s (%s)", k.name, k.protocol))
	}
	return fmt.Sprintf("Any alone, or ports 1-65535 as a number (80), a range with the lower port first (5000-5020), "+
		"a comma list of those, or the %s-port keywords %s.", side, strings.Join(names, ", "))
}

// PortKeywordProtocol returns the protocol a port keyword needs (TCP or
// UDP), or "" if s is not a keyword on that side. s must be canonical.
func PortKeywordProtocol(side Side, s string) string {
	for _, k := range portKeywords[side] {
		if k.name == s {
			return k.protocol
		}
	}
	return ""
}

type portRange struct{ lo, hi int }

// ParsePorts returns the canonical list of local or remote ports: ["Any"],
// or the keywords (in Windows' spelling, sorted) followed by the port
// numbers and ranges sorted, deduplicated, and with overlapping or adjacent
// ranges merged, so two lists naming the same ports have the same canonical
// form ("80", "81" and "80-81" all become "80-81"). A range of one port is
// written as the bare port. An empty list is ["Any"].
//
// Whether the ports suit the rule's protocol is checked by Validate.
func ParsePorts(side Side, values []string) ([]string, error) {
	accepted := portsAccepted(side)
	items, err := splitItems(values, accepted)
	if err != nil {
		return nil, err
	}
	keywords := map[string]bool{}
	var ranges []portRange
	sawAny := false
	for _, item := range items {
		if strings.EqualFold(item, Any) {
			sawAny = true
			continue
		}
		if kw, ok := matchPortKeyword(side, item); ok {
			keywords[kw] = true
			continue
		}
		r, err := parsePortItem(side, item, accepted)
		if err != nil {
			return nil, err
		}
		ranges = append(ranges, r)
	}
	if sawAny {
		if len(keywords) > 0 || len(ranges) > 0 {
			return nil, standAlone(strings.Join(items, ","), Any, accepted)
		}
		return []string{Any}, nil
	}
	if len(keywords) == 0 && len(ranges) == 0 {
		return []string{Any}, nil
	}
	var out []string
	for kw := range keywords {
		out = append(out, kw)
	}
	sort.Strings(out)
	for _, r := range mergeRanges(ranges) {
		out = append(out, r.String())
	}
	return out, nil
}

func (r portRange) String() string {
	if r.lo == r.hi {
		return strconv.Itoa(r.lo)
	}
	return strconv.Itoa(r.lo) + "-" + strconv.Itoa(r.hi)
}

func matchPortKeyword(side Side, s string) (string, bool) {
	for _, k := range portKeywords[side] {
		if strings.EqualFold(s, k.name) {
			return k.name, true
		}
	}
	return "", false
}

func parsePortItem(side Side, item, accepted string) (portRange, error) {
	other := Remote
	if side == Remote {
		other = Local
	}
	if kw, ok := matchPortKeyword(other, item); ok && PortKeywordProtocol(side, kw) == "" {
		return portRange{}, &ValueError{Value: item, Reason: fmt.Sprintf(
			"One of the port keywords is invalid. %s is a %s-port keyword; Windows spells the %s-port keywords differently.",
			kw, other, side), Accepted: accepted}
	}
	loText, hiText, isRange := strings.Cut(item, "-")
	lo, okLo := parseDecimal(strings.TrimSpace(loText), maxPort)
	hi, okHi := lo, okLo
	if isRange {
		hi, okHi = parseDecimal(strings.TrimSpace(hiText), maxPort)
	}
	if !okLo || !okHi {
		return portRange{}, &ValueError{Value: item, Reason: "The port is invalid. When Protocol is TCP or UDP, individual ports or ranges are allowed.", Accepted: accepted}
	}
	if lo == 0 || hi == 0 || lo > hi {
		return portRange{}, &ValueError{Value: item, Reason: "An invalid port range was specified, or 0 was used as a port number.", Accepted: accepted}
	}
	return portRange{lo, hi}, nil
}

func mergeRanges(in []portRange) []portRange {
	if len(in) == 0 {
		return nil
	}
	rs := append([]portRange(nil), in...)
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].lo != rs[j].lo {
			return rs[i].lo < rs[j].lo
		}
		return rs[i].hi < rs[j].hi
	})
	out := []portRange{rs[0]}
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.lo <= last.hi+1 {
			if r.hi > last.hi {
				last.hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// PortCount returns how many ports a list opens: Any counts as all 65535,
// RPC as the 16384 ports of the default dynamic RPC range, other keywords as
// one port each, and numbers and ranges by their size (overlaps counted
// once). It accepts any form ParsePorts accepts.
func PortCount(side Side, ports []string) (int, error) {
	canon, err := ParsePorts(side, ports)
	if err != nil {
		return 0, err
	}
	if len(canon) == 1 && canon[0] == Any {
		return maxPort, nil
	}
	total := 0
	for _, item := range canon {
		if kw, ok := matchPortKeyword(side, item); ok {
			for _, k := range portKeywords[side] {
				if k.name == kw {
					total += k.ports
				}
			}
			continue
		}
		r, err := parsePortItem(side, item, "")
		if err != nil {
			return 0, err
		}
		total += r.hi - r.lo + 1
	}
	return total, nil
}
