package host

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// opFunc answers one agent operation. It returns the result to encode as
// JSON, or an error (a *protocol.Error keeps its kind).
type opFunc func(ctx context.Context, h *Host, args json.RawMessage) (any, error)

// operations is the simulator's side of hostapi's operation list.
func operations() map[string]opFunc {
	return map[string]opFunc{
		hostapi.OpHostInfo:           opHostInfo,
		hostapi.OpFirewallRuleGet:    opFirewallRuleGet,
		hostapi.OpFirewallRuleList:   opFirewallRuleList,
		hostapi.OpFirewallRuleCreate: opFirewallRuleCreate,
		hostapi.OpFirewallRuleUpdate: opFirewallRuleUpdate,
		hostapi.OpFirewallRuleDelete: opFirewallRuleDelete,
		hostapi.OpAnonAuthGet:        opAnonAuthGet,
		hostapi.OpAnonAuthSet:        opAnonAuthSet,
		hostapi.OpAnonAuthClear:      opAnonAuthClear,
		hostapi.OpAnonAuthResolve:    opAnonAuthResolve,
		hostapi.OpAppPoolList:        opAppPoolList,
		hostapi.OpAppPoolGet:         opAppPoolGet,
		hostapi.OpAppPoolCreate:      opAppPoolCreate,
		hostapi.OpAppPoolUpdate:      opAppPoolUpdate,
		hostapi.OpAppPoolDelete:      opAppPoolDelete,
		hostapi.OpAppPoolIdentityGet: opAppPoolIdentityGet,
		hostapi.OpAppPoolIdentitySet: opAppPoolIdentitySet,
		hostapi.OpAccountResolve:     opAccountResolve,
		hostapi.OpSiteList:           opSiteList,
		hostapi.OpSiteGet:            opSiteGet,
		hostapi.OpSiteCreate:         opSiteCreate,
		hostapi.OpSiteUpdate:         opSiteUpdate,
		hostapi.OpSiteDelete:         opSiteDelete,
		hostapi.OpApplicationGet:     opApplicationGet,
		hostapi.OpApplicationCreate:  opApplicationCreate,
		hostapi.OpApplicationUpdate:  opApplicationUpdate,
		hostapi.OpApplicationDelete:  opApplicationDelete,
		hostapi.OpACLGet:             opACLGet,
		hostapi.OpACLGrant:           opACLGrant,
		hostapi.OpACLRevoke:          opACLRevoke,
	}
}

// Handle answers one agent operation as the PowerShell agent would on a
// real host, after charging the latency model's cost for it.
func (h *Host) Handle(ctx context.Context, op string, args json.RawMessage) (json.RawMessage, *protocol.Error) {
	fn, ok := h.ops[op]
	if !ok {
		return nil, &protocol.Error{Kind: protocol.InvalidArgument, Message: "unknown operation"}
	}
	cost := h.cost(ctx, op)
	h.count(func(s *Stats) {
		s.Ops++
		s.ByOp[op]++
		s.Work += cost
	})
	if err := h.lat.CPUs.Run(ctx, cost); err != nil {
		return nil, asProtocolError(err)
	}
	res, err := fn(ctx, h, args)
	if err != nil {
		return nil, asProtocolError(err)
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, asProtocolError(fmt.Errorf("encode %s result: %w", op, err))
	}
	return raw, nil
}

// cost is the latency model's price of op on the host as it is now.
func (h *Host) cost(ctx context.Context, op string) time.Duration {
	total := h.lat.PerOp
	if h.lat.PerFirewallRule > 0 && strings.HasPrefix(op, "firewall.") {
		n := 0
		_ = h.view(ctx, func(s *State) error { n = len(s.Firewall); return nil })
		total += h.lat.PerFirewallRule * time.Duration(n)
	}
	return total
}

func opHostInfo(ctx context.Context, h *Host, _ json.RawMessage) (any, error) {
	var out hostapi.HostInfo
	err := h.view(ctx, func(s *State) error {
		out = hostapi.HostInfo{
			ComputerName: s.System.ComputerName,
			OSCaption:    s.System.OSCaption,
			OSVersion:    s.System.OSVersion,
			IISVersion:   iisVersion(s.System),
			PSVersion:    s.System.PSVersion,
			Domain:       s.System.Domain,
			DomainJoined: s.System.DomainJoined,
		}
		return nil
	})
	return out, err
}

// iisVersion reads like the InetStp key: empty when IIS is not installed.
func iisVersion(s System) string {
	if s.IISMajor == 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d", s.IISMajor, s.IISMinor)
}
