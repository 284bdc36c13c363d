package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

var _ function.Function = identityPrivilegeFunction{}

// verdictType is what both risk functions return: an object, so that
// checks can compare .level and still quote .reason in their message.
var verdictType = map[string]attr.Type{"level": types.StringType, "reason": types.StringType}

func verdictValue(level, reason string) types.Object {
	return types.ObjectValueMust(verdictType, map[string]attr.Value{
		"level": types.StringValue(level), "reason": types.StringValue(reason),
	})
}

// identityPrivilegeFunction is provider::iis::identity_privilege.
type identityPrivilegeFunction struct{}

func newIdentityPrivilegeFunction() function.Function { return identityPrivilegeFunction{} }

func (identityPrivilegeFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "identity_privilege"
}

func (identityPrivilegeFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Privilege level of an application pool identity, as iis_app_pool_identity computes it",
		MarkdownDescription: "Returns `{ level, reason }` for an identity: `level` is `least`, `low`, `medium`, `high` or `full`, and `reason` " +
			"the one-line explanation the resources give, from the same classification. " +
			"Functions cannot reach a host, so a `SpecificUser` is judged by its name alone: the built-in Administrator, SYSTEM, " +
			"LOCAL SERVICE, NETWORK SERVICE, `IIS AppPool\\<pool>` and group managed service accounts (`DOMAIN\\name$`) are known, " +
			"any other account is `high` (\"group membership unknown, needs review\"), where `iis_app_pool_identity` resolves its groups on the host. " +
			"Reasons name the computer account as `(DOMAIN\\HOST$)` for the same reason.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "identity_type",
				MarkdownDescription: "`ApplicationPoolIdentity`, `LocalService`, `NetworkService`, `SpecificUser` or `LocalSystem`, as in " +
					"`iis_app_pool_identity`. `null` judges `username` alone, as anonymous authentication's user name is judged.",
				AllowNullValue: true,
			},
			function.StringParameter{
				Name:                "username",
				MarkdownDescription: "The account for `SpecificUser` (or with a `null` type); `null` for the built-in types.",
				AllowNullValue:      true,
			},
		},
		Return: function.ObjectReturn{AttributeTypes: verdictType},
	}
}

func (identityPrivilegeFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var typ, user types.String
	if resp.Error = req.Arguments.Get(ctx, &typ, &user); resp.Error != nil {
		return
	}
	level, reason, ferr := identityPrivilege(typ, user)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	resp.Error = resp.Result.Set(ctx, verdictValue(level.String(), reason))
}

// identityPrivilege applies the resources' rules without a host: the same
// identity types and account names, judged by risk.ClassifyIdentity.
func identityPrivilege(typ, user types.String) (risk.Privilege, string, *function.FuncError) {
	username := strings.TrimSpace(user.ValueString())
	if typ.IsNull() {
		if username == "" {
			return 0, "", function.NewArgumentFuncError(1, "identity_privilege: give an identity_type, a username, or both")
		}
		level, reason := risk.ClassifyIdentity(risk.Identity{Account: username})
		return level, reason, nil
	}
	identityType := typ.ValueString()
	known := false
	for _, t := range iis.IdentityTypes() {
		known = known || t == identityType
	}
	if !known {
		return 0, "", function.NewArgumentFuncError(0, fmt.Sprintf("identity_privilege: identity_type %q is not one of %s",
			identityType, strings.Join(iis.IdentityTypes(), ", ")))
	}
	specific := identityType == hostapi.IdentitySpecificUser
	switch {
	case specific && username == "":
		return 0, "", function.NewArgumentFuncError(1, "identity_privilege: SpecificUser needs a username")
	case !specific && !user.IsNull():
		return 0, "", function.NewArgumentFuncError(1, fmt.Sprintf("identity_privilege: a username goes only with SpecificUser, not %s; pass null", identityType))
	}
	level, reason := risk.ClassifyIdentity(risk.Identity{Type: identityType, Account: iis.AccountFor("", identityType, username)})
	return level, reason, nil
}
