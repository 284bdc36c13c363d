package host

import (
	"context"
	"encoding/json"
	"regexp"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// The apppool.identity.* operations: processModel's identity as one unit,
// and the password digest that lets the provider detect a changed password
// without the password leaving the host.

var timeOfDayRe = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$`)

// identityAttrs are the processModel attributes that make up who a pool
// runs as; a change to any of them recycles the pool.
var identityAttrs = []string{
	"processModel.identityType", "processModel.userName", "processModel.password", "processModel.logonType",
}

// identityRead is the agent's Read-AppPoolIdentity. The password is read
// in clear, as an administrator's Get-Item does, but only its digest
// leaves.
func identityRead(s *State, p AppPool, check *hostapi.PasswordCheck) (hostapi.AppPoolIdentity, error) {
	e := effective(poolSchema, s.IIS.PoolDefaults, p.Attrs)
	out := hostapi.AppPoolIdentity{
		Name:         p.Name,
		ComputerName: s.System.ComputerName,
		IdentityType: e["processModel.identityType"],
		UserName:     e["processModel.userName"],
		LogonType:    e["processModel.logonType"],
		PasswordSet:  e["processModel.password"] != "",
	}
	if check != nil && out.PasswordSet {
		d, err := passwordDigest(e["processModel.password"], check)
		if err != nil {
			return out, err
		}
		out.PasswordDigest = d
	}
	return out, nil
}

func opAppPoolIdentityGet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AppPoolIdentityQuery
	if err := poolArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.AppPoolIdentity
	err := h.view(ctx, func(s *State) error {
		i := findPool(s, a.Name)
		if i < 0 {
			return poolNotFound(a.Name)
		}
		var err error
		out, err = identityRead(s, s.IIS.Pools[i], a.Check)
		return err
	})
	return out, err
}

// opAppPoolIdentitySet writes the identity as the agent's one
// Set-ItemProperty processModel call does. Leaving SpecificUser clears
// userName and password, as the hardened peers do (a real host would keep
// them otherwise, readable by any administrator). A changed identity
// recycles a started pool.
func opAppPoolIdentitySet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AppPoolIdentitySettings
	if err := poolArgs(args, &a); err != nil {
		return nil, err
	}
	typ, err := canonical(poolSchema, "processModel.identityType", a.IdentityType)
	if err != nil {
		return nil, err
	}
	// A bad check is refused before anything is written, as the agent does.
	if _, err := readCheck(a.Check); err != nil {
		return nil, err
	}
	var out hostapi.AppPoolIdentity
	err = h.update(ctx, func(s *State) error {
		i := findPool(s, a.Name)
		if i < 0 {
			return poolNotFound(a.Name)
		}
		p := &s.IIS.Pools[i]
		before := effective(poolSchema, s.IIS.PoolDefaults, p.Attrs)
		set := map[string]string{"processModel.identityType": typ}
		if typ == hostapi.IdentitySpecificUser {
			set["processModel.userName"] = a.UserName
			if a.Password != nil {
				set["processModel.password"] = *a.Password
			}
		} else {
			set["processModel.userName"] = ""
			set["processModel.password"] = ""
		}
		if a.LogonType != "" {
			set["processModel.logonType"] = a.LogonType
		}
		for _, attr := range identityAttrs {
			v, ok := set[attr]
			if !ok {
				continue
			}
			c, err := canonical(poolSchema, attr, v)
			if err != nil {
				return err
			}
			p.Attrs[attr] = c
		}
		after := effective(poolSchema, s.IIS.PoolDefaults, p.Attrs)
		changed := false
		for _, attr := range identityAttrs {
			changed = changed || before[attr] != after[attr]
		}
		if changed && p.State == "Started" {
			p.Recycles++
		}
		out, err = identityRead(s, *p, a.Check)
		return err
	})
	return out, err
}
