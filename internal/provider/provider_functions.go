package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
)

var _ provider.ProviderWithFunctions = (*Provider)(nil)

// Functions are provider::iis::identity_privilege and
// provider::iis::rule_exposure (Terraform 1.8 and later): the resources'
// classification, for check blocks, preconditions and variable validation.
func (p *Provider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newIdentityPrivilegeFunction, newRuleExposureFunction}
}
