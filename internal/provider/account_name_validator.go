package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// accountNameValidator refuses, at plan time, a name no Windows account can
// have. IIS stores any text as a user name, and the mistake would show only
// when the pool fails to start or anonymous requests fail to log on.
// Whether the account exists is the host's to say, at plan time too, where
// the attribute is judged for its privilege.
type accountNameValidator struct {
	// groups allows group names, which are not held to a user's 20
	// characters.
	groups bool
}

func (v accountNameValidator) Description(context.Context) string {
	return "a Windows account name: " + iis.AccountNameForms
}

func (v accountNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v accountNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	if _, err := iis.ParseAccountName(name, v.groups); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid account name",
			fmt.Sprintf("%s = %q cannot be a Windows account: %v. Accepted forms: %s.", req.Path, name, err, iis.AccountNameForms))
	}
}
