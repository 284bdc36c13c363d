package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// identityAdoption describes the identity that creating the resource would
// take over, or returns "" when the pool runs as a new pool does
// (ApplicationPoolIdentity, no credentials stored), which is nobody's
// choice to overwrite. Anything else someone chose, on the console or in
// another configuration, and writing over it silently would lose that
// choice without a trace in any plan.
func identityAdoption(id iis.PoolIdentity) string {
	switch {
	case id.Type == hostapi.IdentityAppPool && id.UserName == "" && !id.PasswordSet:
		return ""
	case id.Type == hostapi.IdentitySpecificUser:
		return fmt.Sprintf("SpecificUser %s", id.UserName)
	case id.Type == hostapi.IdentityAppPool:
		return "ApplicationPoolIdentity with the credentials of an earlier specific user still stored"
	default:
		return id.Type
	}
}

// refuseAdoption reads the pool's identity before a create and adds an
// error saying to import it when someone already chose one. A pool that
// does not exist passes: the create itself reports it, as it always has.
func (r *appPoolIdentityResource) refuseAdoption(ctx context.Context, plan appPoolIdentityModel, diags *diag.Diagnostics) bool {
	ctx = r.data.logContext(ctx)
	client, host, ok := r.client(ctx, plan.Host, diags)
	if !ok {
		return true
	}
	pool := plan.Pool.ValueString()
	current, err := iis.GetPoolIdentity(ctx, client, pool, iis.PasswordProof{})
	switch {
	case iis.IsNotFound(err):
		return false
	case err != nil:
		diags.Append(r.diagnostic(err, "read", host))
		return true
	}
	existing := identityAdoption(current)
	if existing == "" {
		return false
	}
	diags.AddAttributeError(path.Root("pool"), "Application pool identity already set",
		fmt.Sprintf("Application pool %q on host %s already runs as %s, which this configuration did not set. "+
			"The provider does not take over an identity someone chose silently: import it "+
			"(terraform import <address> %s, or an import block) to manage it; the plan then shows what would change.",
			pool, host, existing, pool))
	return true
}
