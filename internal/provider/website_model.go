package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// websiteModel is iis_website's plan and state.
type websiteModel struct {
	ID              types.String `tfsdk:"id"`
	Host            types.String `tfsdk:"host"`
	Name            types.String `tfsdk:"name"`
	PhysicalPath    types.String `tfsdk:"physical_path"`
	ApplicationPool types.String `tfsdk:"application_pool"`
	Bindings        types.List   `tfsdk:"bindings"`
	State           types.String `tfsdk:"state"`
	SiteID          types.Int64  `tfsdk:"site_id"`
	Identities      types.List   `tfsdk:"identities"`
}

// bindingModel is one element of bindings.
type bindingModel struct {
	Protocol              types.String `tfsdk:"protocol"`
	IPAddress             types.String `tfsdk:"ip_address"`
	Port                  types.Int64  `tfsdk:"port"`
	HostName              types.String `tfsdk:"host_name"`
	CertificateThumbprint types.String `tfsdk:"certificate_thumbprint"`
	CertificateStore      types.String `tfsdk:"certificate_store"`
}

func bindingAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"protocol":               types.StringType,
		"ip_address":             types.StringType,
		"port":                   types.Int64Type,
		"host_name":              types.StringType,
		"certificate_thumbprint": types.StringType,
		"certificate_store":      types.StringType,
	}
}

func bindingObjectType() types.ObjectType { return types.ObjectType{AttrTypes: bindingAttrTypes()} }

// bindingsOf reads the configured bindings; ok is false when some value is
// not known yet.
func bindingsOf(ctx context.Context, l types.List) ([]iis.Binding, bool, diag.Diagnostics) {
	if l.IsNull() || l.IsUnknown() {
		return nil, false, nil
	}
	var ms []bindingModel
	diags := l.ElementsAs(ctx, &ms, false)
	if diags.HasError() {
		return nil, false, diags
	}
	out := make([]iis.Binding, 0, len(ms))
	for _, m := range ms {
		for _, v := range []attr.Value{m.Protocol, m.IPAddress, m.Port, m.HostName, m.CertificateThumbprint, m.CertificateStore} {
			if v.IsUnknown() {
				return nil, false, diags
			}
		}
		out = append(out, iis.Binding{
			Protocol: m.Protocol.ValueString(), IPAddress: m.IPAddress.ValueString(), Port: int(m.Port.ValueInt64()),
			HostName: m.HostName.ValueString(), CertificateThumbprint: m.CertificateThumbprint.ValueString(),
			CertificateStore: m.CertificateStore.ValueString(),
		})
	}
	return out, true, diags
}

// bindingsValue is the host's bindings as state. Where a prior binding at
// the same position says the same thing in another spelling (a host name's
// case, a thumbprint with spaces, "0:0::1" for "::1"), the prior spelling
// is kept, so that a configuration the host normalises does not show a
// difference on every plan.
func bindingsValue(ctx context.Context, host []iis.Binding, prior []iis.Binding) (types.List, diag.Diagnostics) {
	elems := make([]attr.Value, 0, len(host))
	var diags diag.Diagnostics
	for i, b := range host {
		if i < len(prior) && sameBinding(prior[i], b) {
			b = prior[i]
			if b.IPAddress == "" {
				b.IPAddress = "*"
			}
		}
		m := bindingModel{
			Protocol: types.StringValue(b.Protocol), IPAddress: types.StringValue(b.IPAddress),
			Port: types.Int64Value(int64(b.Port)), HostName: types.StringValue(b.HostName),
			CertificateThumbprint: types.StringNull(), CertificateStore: types.StringNull(),
		}
		if b.Protocol == "https" {
			m.CertificateThumbprint, m.CertificateStore = types.StringValue(b.CertificateThumbprint), types.StringValue(b.CertificateStore)
		}
		o, d := types.ObjectValueFrom(ctx, bindingAttrTypes(), m)
		diags.Append(d...)
		elems = append(elems, o)
	}
	l, d := types.ListValue(bindingObjectType(), elems)
	diags.Append(d...)
	return l, diags
}

// sameBinding compares a configured binding with one read back, as IIS
// compares them.
func sameBinding(cfg, host iis.Binding) bool {
	c := cfg.Normalize()
	return c.Protocol == host.Protocol && c.IPAddress == host.IPAddress && c.Port == host.Port &&
		strings.EqualFold(c.HostName, host.HostName) && c.CertificateThumbprint == host.CertificateThumbprint &&
		c.CertificateStore == host.CertificateStore
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// fromHost sets everything the host decides, the name as the host spells
// it (keepCaseOf hides a difference in case); identities keep a known
// planned value (the
// next refresh reads them again), because another resource in the same
// apply may still change them.
func (m *websiteModel) fromHost(ctx context.Context, s iis.Site, keepIdentities bool) diag.Diagnostics {
	prior, _, _ := bindingsOf(ctx, m.Bindings)
	l, diags := bindingsValue(ctx, s.Bindings, prior)
	m.Bindings = l
	m.Name = types.StringValue(s.Name)
	m.ID = m.Name
	if !strings.EqualFold(m.PhysicalPath.ValueString(), s.PhysicalPath) || m.PhysicalPath.IsUnknown() {
		m.PhysicalPath = types.StringValue(s.PhysicalPath)
	}
	if !strings.EqualFold(m.ApplicationPool.ValueString(), s.ApplicationPool) || m.ApplicationPool.IsUnknown() || m.ApplicationPool.IsNull() {
		m.ApplicationPool = types.StringValue(s.ApplicationPool)
	}
	m.State = types.StringValue(s.State)
	m.SiteID = types.Int64Value(s.ID)
	if !keepIdentities || m.Identities.IsUnknown() || m.Identities.IsNull() {
		m.Identities = stringList(s.Identities())
	}
	return diags
}

// settings are the values to write.
func (m websiteModel) settings(ctx context.Context) (iis.SiteSettings, diag.Diagnostics) {
	bs, _, diags := bindingsOf(ctx, m.Bindings)
	s := iis.SiteSettings{Name: m.Name.ValueString(), PhysicalPath: knownString(m.PhysicalPath), State: knownString(m.State)}
	if !m.ApplicationPool.IsNull() && !m.ApplicationPool.IsUnknown() {
		s.ApplicationPool = knownString(m.ApplicationPool)
	}
	if bs != nil {
		s.Bindings = &bs
	}
	return s, diags
}

// sameSettings reports whether m and o write the same site: every
// attribute but the computed identities is equal.
func (m websiteModel) sameSettings(o websiteModel) bool {
	return m.Host.Equal(o.Host) && m.Name.Equal(o.Name) && m.PhysicalPath.Equal(o.PhysicalPath) &&
		m.ApplicationPool.Equal(o.ApplicationPool) && m.Bindings.Equal(o.Bindings) && m.State.Equal(o.State)
}
