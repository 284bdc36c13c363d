package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
)

// Windows does not return firewall values as they were written: subnets
// come back masked (10.1.2.3/8 reads 10.0.0.0/255.0.0.0), lists in its own
// order, profiles as one string, protocols by name. The custom types below
// compare values in fwrule's canonical form, so the framework keeps the
// configuration's spelling in state when the host's answer means the same
// (no perpetual diff), and takes the host's answer when it means something
// else (real drift shows).

// fwValueKind names a firewall attribute whose values have a canonical form.
type fwValueKind string

const (
	fwLocalPorts      fwValueKind = fwrule.AttrLocalPorts
	fwRemotePorts     fwValueKind = fwrule.AttrRemotePorts
	fwLocalAddresses  fwValueKind = fwrule.AttrLocalAddresses
	fwRemoteAddresses fwValueKind = fwrule.AttrRemoteAddresses
	fwIcmpTypes       fwValueKind = fwrule.AttrIcmpTypes
	fwProfiles        fwValueKind = fwrule.AttrProfiles
	fwInterfaceTypes  fwValueKind = fwrule.AttrInterfaceTypes
	fwProtocol        fwValueKind = fwrule.AttrProtocol
)

// canonicalList parses a list attribute's values with the fwrule parser of
// its kind.
func canonicalList(kind fwValueKind, values []string) ([]string, error) {
	switch kind {
	case fwLocalPorts:
		return fwrule.ParsePorts(fwrule.Local, values)
	case fwRemotePorts:
		return fwrule.ParsePorts(fwrule.Remote, values)
	case fwLocalAddresses:
		return fwrule.ParseAddresses(fwrule.Local, values)
	case fwRemoteAddresses:
		return fwrule.ParseAddresses(fwrule.Remote, values)
	case fwIcmpTypes:
		return fwrule.ParseIcmpTypes(values)
	case fwProfiles:
		return fwrule.ParseProfiles(values)
	case fwInterfaceTypes:
		return fwrule.ParseInterfaceTypes(values)
	}
	return nil, fmt.Errorf("no canonical form for %s", kind)
}

var (
	_ basetypes.SetTypable                       = fwSetType{}
	_ basetypes.SetValuableWithSemanticEquals    = fwSetValue{}
	_ basetypes.StringTypable                    = fwStringType{}
	_ basetypes.StringValuableWithSemanticEquals = fwStringValue{}
)

// fwSetType is a set of strings compared in the canonical form of its kind.
type fwSetType struct {
	basetypes.SetType
	kind fwValueKind
}

func newFWSetType(kind fwValueKind) fwSetType {
	return fwSetType{SetType: basetypes.SetType{ElemType: types.StringType}, kind: kind}
}

func (t fwSetType) Equal(o attr.Type) bool {
	other, ok := o.(fwSetType)
	return ok && other.kind == t.kind && t.SetType.Equal(other.SetType)
}

func (t fwSetType) String() string { return "firewall " + string(t.kind) + " set" }

func (t fwSetType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return fwSetValue{SetValue: in, kind: t.kind}, nil
}

func (t fwSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return fwSetValue{SetValue: set, kind: t.kind}, nil
}

func (t fwSetType) ValueType(context.Context) attr.Value { return fwSetValue{kind: t.kind} }

// fwSetValue is a value of fwSetType.
type fwSetValue struct {
	basetypes.SetValue
	kind fwValueKind
}

func (v fwSetValue) Type(context.Context) attr.Type { return newFWSetType(v.kind) }

func (v fwSetValue) Equal(o attr.Value) bool {
	other, ok := o.(fwSetValue)
	return ok && other.kind == v.kind && v.SetValue.Equal(other.SetValue)
}

// SetSemanticEquals reports whether both sets name the same values once
// canonical. A value that does not parse is only equal to itself, so a
// broken value is never hidden.
func (v fwSetValue) SetSemanticEquals(ctx context.Context, other basetypes.SetValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	o, d := other.ToSetValue(ctx)
	diags.Append(d...)
	if diags.HasError() {
		return false, diags
	}
	a, okA := setStrings(v.SetValue)
	b, okB := setStrings(o)
	if !okA || !okB {
		return false, diags
	}
	ca, errA := canonicalList(v.kind, a)
	cb, errB := canonicalList(v.kind, b)
	if errA != nil || errB != nil {
		return false, diags
	}
	return slices.Equal(ca, cb), diags
}

// fwStringType is a string compared in the canonical form of its kind
// (today the protocol: tcp, TCP and 6 are the same protocol).
type fwStringType struct {
	basetypes.StringType
	kind fwValueKind
}

func (t fwStringType) Equal(o attr.Type) bool {
	other, ok := o.(fwStringType)
	return ok && other.kind == t.kind
}

func (t fwStringType) String() string { return "firewall " + string(t.kind) }

func (t fwStringType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return fwStringValue{StringValue: in, kind: t.kind}, nil
}

func (t fwStringType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return fwStringValue{StringValue: s, kind: t.kind}, nil
}

func (t fwStringType) ValueType(context.Context) attr.Value { return fwStringValue{kind: t.kind} }

// fwStringValue is a value of fwStringType.
type fwStringValue struct {
	basetypes.StringValue
	kind fwValueKind
}

func (v fwStringValue) Type(context.Context) attr.Type { return fwStringType{kind: v.kind} }

func (v fwStringValue) Equal(o attr.Value) bool {
	other, ok := o.(fwStringValue)
	return ok && other.kind == v.kind && v.StringValue.Equal(other.StringValue)
}

func (v fwStringValue) StringSemanticEquals(ctx context.Context, other basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	o, d := other.ToStringValue(ctx)
	diags.Append(d...)
	if diags.HasError() || v.IsNull() || v.IsUnknown() || o.IsNull() || o.IsUnknown() {
		return false, diags
	}
	a, errA := fwrule.ParseProtocol(v.ValueString())
	b, errB := fwrule.ParseProtocol(o.ValueString())
	return errA == nil && errB == nil && a == b, diags
}

func newProtocolValue(s string) fwStringValue {
	return fwStringValue{StringValue: types.StringValue(s), kind: fwProtocol}
}

// setStrings returns the elements of a known set of strings; ok is false
// when the set or any element is null or unknown.
func setStrings(s basetypes.SetValue) (out []string, ok bool) {
	if s.IsNull() || s.IsUnknown() {
		return nil, false
	}
	for _, e := range s.Elements() {
		str, isStr := e.(basetypes.StringValue)
		if !isStr || str.IsNull() || str.IsUnknown() {
			return nil, false
		}
		out = append(out, str.ValueString())
	}
	return out, true
}

// newFWSet builds a known set value of the kind from strings.
func newFWSet(kind fwValueKind, values []string) fwSetValue {
	elems := make([]attr.Value, len(values))
	for i, s := range values {
		elems[i] = types.StringValue(s)
	}
	return fwSetValue{SetValue: basetypes.NewSetValueMust(types.StringType, elems), kind: kind}
}
