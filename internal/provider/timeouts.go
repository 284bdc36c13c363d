package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// defaultOpTimeout bounds one create, read, update or delete of a resource
// when its timeouts block does not: long enough for the retries of a few
// operations against a slow host, short enough that a host that stopped
// answering fails the apply instead of holding it for Terraform's lifetime.
const defaultOpTimeout = 10 * time.Minute

// timeoutsAttribute is the `timeouts` block every resource takes:
// create, read, update and delete, as durations ("30s", "5m").
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	return timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true})
}

// noTimeouts is an unset timeouts block typed as the schema declares it. A
// model built from what the host returns starts with it, because the zero
// timeouts.Value has no attribute types and the framework refuses to store
// it; the configured block is copied over it where there is one.
func noTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType, "read": types.StringType,
		"update": types.StringType, "delete": types.StringType,
	})}
}

// withTimeout bounds ctx by the operation's configured timeout: every host
// call of the operation, its retries and its checks included, ends by then.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, dd := get(ctx, defaultOpTimeout)
	diags.Append(dd...)
	return context.WithTimeout(ctx, d)
}
