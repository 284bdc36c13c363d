package host

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// HandleOutOfBand answers the acceptance tests' out-of-band agent
// (hostapi.OpOOB*) with the admin API's own changes, which follow what
// the cmdlets oob.ps1 runs do on Windows (docs/simulator-fidelity.md). It
// is not counted in Stats, which count what the provider asked. The
// cleanup operations, which only make testacc-windows-clean's sense on a
// shared real host, are not offered.
func (h *Host) HandleOutOfBand(ctx context.Context, op string, raw json.RawMessage) (json.RawMessage, *protocol.Error) {
	var a hostapi.OOBArgs
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, errf(protocol.InvalidArgument, "arguments of %s: %v", op, err)
		}
	}
	var result any
	var err error
	switch op {
	case hostapi.OpOOBFirewallWiden:
		err = h.SetFirewallRule(ctx, a.Name, FWParams{RemoteAddress: []string{"Any"}, LocalPort: a.LocalPort})
	case hostapi.OpOOBFirewallRemove:
		err = h.RemoveFirewallRule(ctx, a.Name)
	case hostapi.OpOOBAppPoolAdd:
		err = h.AddAppPool(ctx, a.Pool)
	case hostapi.OpOOBAppPoolRemove:
		err = h.RemoveAppPool(ctx, a.Pool)
	case hostapi.OpOOBAppPoolSet:
		err = h.SetAppPoolAttr(ctx, a.Pool, a.Attribute, a.Value)
	case hostapi.OpOOBAppPoolGet:
		var v string
		v, err = h.AppPoolValue(ctx, a.Pool, a.Attribute)
		result = hostapi.OOBValue{Value: v}
	case hostapi.OpOOBUserAdd:
		err = h.AddUser(ctx, a.Name, a.Password)
	case hostapi.OpOOBGroupAddMember:
		err = h.AddGroupMember(ctx, a.Group, a.Member)
	case hostapi.OpOOBGroupRemoveMember:
		err = h.RemoveGroupMember(ctx, a.Group, a.Member)
	case hostapi.OpOOBApplicationAdd:
		err = h.AddApplication(ctx, a.Site, a.Path, a.Pool, a.PhysicalPath)
	case hostapi.OpOOBApplicationSetPool:
		err = h.SetApplicationPool(ctx, a.Site, a.Path, a.Pool)
	case hostapi.OpOOBApplicationRemove:
		err = h.RemoveApplication(ctx, a.Site, a.Path)
	case hostapi.OpOOBAnonAuthSet:
		err = h.SetAnonymousAuth(ctx, a.Location, a.Attribute, a.Value)
	case hostapi.OpOOBAnonAuthGet:
		var v string
		v, err = h.AnonymousAuthValue(ctx, a.Location, a.Attribute)
		result = hostapi.OOBValue{Value: v}
	case hostapi.OpOOBUserRemove:
		err = h.RemoveUser(ctx, a.Name)
	case hostapi.OpOOBAnonAuthClear:
		err = h.ClearAnonymousAuth(ctx, a.Location)
	case hostapi.OpOOBSiteAdd:
		err = h.AddSite(ctx, a.Name, a.Pool, a.PhysicalPath)
	case hostapi.OpOOBSiteRemove:
		err = h.RemoveSite(ctx, a.Name)
	case hostapi.OpOOBSiteState:
		err = h.SetSiteState(ctx, a.Name, a.Started)
	case hostapi.OpOOBDirMake:
		err = h.MakeDir(ctx, a.Path)
	case hostapi.OpOOBACLSetRule:
		err = h.SetAccessRule(ctx, a.Path, a.Identity, a.Rights, a.Type, a.Inheritance)
	case hostapi.OpOOBACLRemoveRules:
		err = h.RemoveAccessRules(ctx, a.Path, a.Identity)
	default:
		return nil, &protocol.Error{Kind: protocol.InvalidArgument, Message: "unknown operation"}
	}
	if err != nil {
		return nil, asProtocolError(err)
	}
	out, err := json.Marshal(result)
	if err != nil {
		return nil, asProtocolError(fmt.Errorf("encode %s result: %w", op, err))
	}
	return out, nil
}
