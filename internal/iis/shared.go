package iis

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// AppPoolFromList reads one pool as GetAppPool does. When ctx shares reads
// (remote.WithReadCache, as every request of the provider does), it takes
// the pool from the host's pool list instead, which the read cache then
// serves to every other pool of the refresh: one host operation for all of
// them, not one each. A pool missing from the list is asked for by name
// before it is called gone, and a failed list costs each read no more than
// its own read by name.
func AppPoolFromList(ctx context.Context, c Caller, name string) (AppPool, error) {
	if idx, ok := sharedPools(ctx, c); ok {
		if p, ok := idx.find(name); ok {
			return p, nil
		}
	}
	return GetAppPool(ctx, c, name)
}

// PoolIdentityFromList reads a pool's identity as GetPoolIdentity does
// without a proof, from the shared pool list when ctx shares reads. The
// list does not say whether a password is stored: PasswordSet is false in
// what it returns, and a caller that needs it, or a proof, reads the
// identity by name with GetPoolIdentity.
func PoolIdentityFromList(ctx context.Context, c Caller, pool string) (PoolIdentity, error) {
	if idx, ok := sharedPools(ctx, c); ok {
		if p, ok := idx.find(pool); ok {
			return PoolIdentity{Pool: p.Name, ComputerName: idx.computerName, Identity: p.Identity}, nil
		}
	}
	return GetPoolIdentity(ctx, c, pool, PasswordProof{})
}

// poolIndex is the host's pool list by name. One is shared by every read
// of a command (remote.Client.CallShared): at 500 resources decoding the
// list once per read cost a tenth of the provider's CPU.
type poolIndex struct {
	computerName string
	byName       map[string]AppPool // by lower-cased name
}

func newPoolIndex(list PoolList) *poolIndex {
	idx := &poolIndex{computerName: list.ComputerName, byName: make(map[string]AppPool, len(list.Pools))}
	for _, p := range list.Pools {
		idx.byName[strings.ToLower(p.Name)] = p
	}
	return idx
}

// find returns a copy of the pool the caller may change.
func (idx *poolIndex) find(name string) (AppPool, bool) {
	p, ok := idx.byName[strings.ToLower(name)]
	if !ok || !strings.EqualFold(p.Name, name) {
		return AppPool{}, false
	}
	p.Applications = slices.Clone(p.Applications)
	p.PeriodicRestart.Schedule = slices.Clone(p.PeriodicRestart.Schedule)
	return p, true
}

// sharedCaller is what remote.Client offers for values shared by a read
// cache.
type sharedCaller interface {
	CallShared(ctx context.Context, op string, args any, key string, build func(json.RawMessage) (any, error)) (any, error)
}

func sharedPools(ctx context.Context, c Caller) (*poolIndex, bool) {
	if !remote.SharesReads(ctx) {
		return nil, false
	}
	sc, ok := c.(sharedCaller)
	if !ok {
		list, err := ListAppPools(ctx, c)
		return newPoolIndex(list), err == nil
	}
	v, err := sc.CallShared(ctx, hostapi.OpAppPoolList, nil, "iis.poolIndex", func(raw json.RawMessage) (any, error) {
		var res hostapi.AppPoolList
		if err := json.Unmarshal(raw, &res); err != nil {
			return nil, err
		}
		return newPoolIndex(poolListFromWire(res)), nil
	})
	idx, ok := v.(*poolIndex)
	return idx, ok && err == nil
}
