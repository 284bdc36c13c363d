package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func callIdentityPrivilege(t *testing.T, args ...*tfprotov6.DynamicValue) (level string, resp *tfprotov6.CallFunctionResponse) {
	t.Helper()
	server := NewProtocol6Server(New("test")())()
	resp, err := server.CallFunction(context.Background(), &tfprotov6.CallFunctionRequest{Name: "identity_privilege", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Error != nil {
		return "", resp
	}
	ret := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"level": tftypes.String, "reason": tftypes.String}}
	v, err := resp.Result.Unmarshal(ret)
	if err != nil {
		t.Fatalf("result: %v", err)
	}
	var obj map[string]tftypes.Value
	if err := v.As(&obj); err != nil {
		t.Fatal(err)
	}
	if err := obj["level"].As(&level); err != nil {
		t.Fatal(err)
	}
	return level, resp
}

func stringArg(t *testing.T, s string) *tfprotov6.DynamicValue {
	t.Helper()
	v, err := tfprotov6.NewDynamicValue(tftypes.String, tftypes.NewValue(tftypes.String, s))
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// OpenTofu sends a null function argument as an empty value, Terraform as
// MessagePack nil; both must mean null, so identity_privilege("LocalSystem",
// null) answers the same under either client.
func TestCallFunctionTakesOpenTofusEmptyArgumentAsNull(t *testing.T) {
	tfNull, err := tfprotov6.NewDynamicValue(tftypes.String, tftypes.NewValue(tftypes.String, nil))
	if err != nil {
		t.Fatal(err)
	}
	clients := map[string]*tfprotov6.DynamicValue{
		"terraform (msgpack nil)":       &tfNull,
		"opentofu (no value)":           nil,
		"opentofu (empty DynamicValue)": {},
	}
	for name, null := range clients {
		t.Run(name, func(t *testing.T) {
			level, resp := callIdentityPrivilege(t, stringArg(t, "LocalSystem"), null)
			if resp.Error != nil {
				t.Fatalf("identity_privilege(\"LocalSystem\", null) failed: %s", resp.Error.Text)
			}
			if level != "full" {
				t.Errorf("level = %q, want full", level)
			}
		})
	}
}

// A value that is there is passed on untouched.
func TestCallFunctionPassesValuesThrough(t *testing.T) {
	level, resp := callIdentityPrivilege(t, stringArg(t, "SpecificUser"), stringArg(t, `CORP\web$`))
	if resp.Error != nil {
		t.Fatal(resp.Error.Text)
	}
	if level != "medium" {
		t.Errorf("level of a gMSA = %q, want medium", level)
	}
}
