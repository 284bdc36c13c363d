package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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

// withTimeout bounds ctx by the operation's configured timeout: every host
// call of the operation, its retries and its checks included, ends by then.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, dd := get(ctx, defaultOpTimeout)
	diags.Append(dd...)
	return context.WithTimeout(ctx, d)
}
