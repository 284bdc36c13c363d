// Package iis is the typed host operations on IIS: one function per
// hostapi operation, Go structs in and out, and the normalisation of what
// Windows returns (enum spellings, TimeSpan forms, list order), so callers
// compare what the host holds with a configuration without caring how
// Windows spells it. It also holds the pure rules IIS applies to values
// (pool names, TimeSpans), so the provider can refuse at plan time what the
// host would refuse at apply.
//
// It knows nothing of Terraform.
package iis

import (
	"context"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// Caller runs one operation on a host; *remote.Client is one.
type Caller interface {
	Call(ctx context.Context, op string, args, result any) error
}

// IsNotFound reports whether err says the object does not exist.
func IsNotFound(err error) bool { return remote.IsKind(err, protocol.NotFound) }

// IsAlreadyExists reports whether err says the name is already taken.
func IsAlreadyExists(err error) bool { return remote.IsKind(err, protocol.AlreadyExists) }

// IsConflict reports whether err says the host refused because of other
// objects, such as applications still running in a pool being deleted.
func IsConflict(err error) bool { return remote.IsKind(err, protocol.Conflict) }
