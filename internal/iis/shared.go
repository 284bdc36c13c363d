package iis

import (
	"context"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// AppPoolFromList reads one pool as GetAppPool does. When ctx shares reads
// (remote.WithReadCache, as every request of the provider does unless its
// share_reads is off), it takes the pool from the host's pool list
// instead, which the read cache then serves to every other pool of the
// refresh: one host operation for all of them, not one each. A pool
// missing from the list is asked for by name before it is called gone,
// and a failed list costs each read no more than its own read by name.
func AppPoolFromList(ctx context.Context, c Caller, name string) (AppPool, error) {
	list, ok := sharedPoolList(ctx, c)
	if ok {
		for _, p := range list.Pools {
			if strings.EqualFold(p.Name, name) {
				return p, nil
			}
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
	list, ok := sharedPoolList(ctx, c)
	if ok {
		for _, p := range list.Pools {
			if strings.EqualFold(p.Name, pool) {
				return PoolIdentity{Pool: p.Name, ComputerName: list.ComputerName, Identity: p.Identity}, nil
			}
		}
	}
	return GetPoolIdentity(ctx, c, pool, PasswordProof{})
}

func sharedPoolList(ctx context.Context, c Caller) (PoolList, bool) {
	if !remote.SharesReads(ctx) {
		return PoolList{}, false
	}
	list, err := ListAppPools(ctx, c)
	return list, err == nil
}
