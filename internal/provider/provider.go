// Package provider is the Terraform side of terraform-provider-iis: the
// provider block, the resources and data sources, and the mapping of host
// errors to diagnostics. It talks to hosts only through internal/remote and
// the typed host operations, and knows nothing of WinRM or PowerShell.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

var _ provider.Provider = (*Provider)(nil)

// Provider is the iis provider. Each instance owns its connection pool, so
// two providers in one process (aliases, tests) never share sessions.
type Provider struct {
	version string
	pool    *remote.Pool
}

// New returns a factory of independent providers, as the tests use it.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return NewProvider(version) }
}

// NewProvider returns one provider. The binary keeps it to Close it when
// Terraform ends the plugin, so agent sessions on the hosts end too instead
// of idling until WinRM's own timeout.
func NewProvider(version string) *Provider {
	return &Provider{version: version, pool: remote.NewPool(logRemote)}
}

// Close ends the provider's sessions on every host.
func (p *Provider) Close() error {
	if err := p.pool.Close(); err != nil {
		return fmt.Errorf("close host sessions: %w", err)
	}
	return nil
}

// logRemote sends the remote client's log lines to Terraform's provider
// log. The remote layer logs with the ctx of the call, which carries the
// masks logContext set up.
func logRemote(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "iis"
	resp.Version = p.version
}

func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the identity and exposure side of IIS web servers over WinRM: " +
			"application pool identities, the anonymous authentication identity and Windows Firewall rules. " +
			"Every attribute can also be set by an environment variable; a value in the provider block wins over the environment.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				MarkdownDescription: "Windows host to manage (DNS name or IP address). Resources and data sources can override it with their own `host`, which is how one provider block manages a fleet with `for_each`. Environment: `IIS_HOST`.",
				Optional:            true,
			},
			"port": schema.Int64Attribute{
				MarkdownDescription: "WinRM port. Defaults to `5986` with HTTPS and `5985` without. Environment: `IIS_PORT`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 65535)},
			},
			"https": schema.BoolAttribute{
				MarkdownDescription: "Connect over HTTPS. Defaults to `true`. Environment: `IIS_HTTPS`.",
				Optional:            true,
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip verification of the host's TLS certificate. Defaults to `false`; `true` produces a warning on every run, because anyone on the network path could then impersonate the host. Prefer `ca_cert`. Environment: `IIS_INSECURE`.",
				Optional:            true,
			},
			"ca_cert": schema.StringAttribute{
				MarkdownDescription: "PEM certificate(s) of the CA that signed the host's WinRM certificate, for example `file(\"winrm-ca.pem\")`. Defaults to the system roots. Environment: `IIS_CA_CERT` (PEM text or the path of a PEM file).",
				Optional:            true,
			},
			"tls_server_name": schema.StringAttribute{
				MarkdownDescription: "Name to verify the host's certificate against, when it differs from `host` (for example when connecting by IP address). Environment: `IIS_TLS_SERVER_NAME`.",
				Optional:            true,
			},
			"auth": schema.StringAttribute{
				MarkdownDescription: "Authentication method: `ntlm` (default), `basic`, `kerberos` or `certificate`. Over plain HTTP, `ntlm` seals (encrypts) every message; `basic` is refused unless `allow_basic_over_http` is set, and `kerberos`, which cannot seal messages, unless `allow_unencrypted_http` is set. Environment: `IIS_AUTH`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(authValues...)},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Account to log on with, such as `Administrator`, `HOST\\admin` or `admin@corp.example.com`. Environment: `IIS_USERNAME`.",
				Optional:            true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password of `username`. Never logged or shown in diagnostics. Environment: `IIS_PASSWORD` (preferred, so the password stays out of configuration files).",
				Optional:            true,
				Sensitive:           true,
			},
			"kerberos_realm": schema.StringAttribute{
				MarkdownDescription: "Kerberos realm, for `auth = \"kerberos\"`, for example `CORP.EXAMPLE.COM`. Defaults to the realm of a `user@REALM` username, else to `default_realm` in the krb5.conf. " +
					"Checked at plan time: the krb5.conf must list a KDC for it (or have `dns_lookup_kdc = true`). Environment: `IIS_KERBEROS_REALM`.",
				Optional: true,
			},
			"kerberos_config": schema.StringAttribute{
				MarkdownDescription: "Path of the krb5.conf to use with `auth = \"kerberos\"`. Defaults to `$KRB5_CONFIG`, else `/etc/krb5.conf`. Environment: `IIS_KERBEROS_CONFIG`.",
				Optional:            true,
			},
			"kerberos_spn": schema.StringAttribute{
				MarkdownDescription: "Service principal name of the host's WinRM service, when it is not `HTTP/<host>` (for example when connecting by IP address or an alias). Environment: `IIS_KERBEROS_SPN`.",
				Optional:            true,
			},
			"kerberos_ccache": schema.StringAttribute{
				MarkdownDescription: "Path of a Kerberos credential cache file (as `kinit -c FILE:<path>` writes it) to log on from, instead of `username` and `password`, with `auth = \"kerberos\"`. " +
					"Its tickets must still be valid when Terraform runs. Environment: `IIS_KERBEROS_CCACHE`.",
				Optional: true,
			},
			"client_cert": schema.StringAttribute{
				MarkdownDescription: "PEM client certificate, for `auth = \"certificate\"`. Environment: `IIS_CLIENT_CERT` (PEM text or a file path).",
				Optional:            true,
			},
			"client_key": schema.StringAttribute{
				MarkdownDescription: "PEM private key of `client_cert`. Never logged. Environment: `IIS_CLIENT_KEY` (PEM text or a file path).",
				Optional:            true,
				Sensitive:           true,
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Longest wait for one operation on a host, as a duration such as `\"60s\"` or `\"2m\"`. Defaults to `\"%gs\"`. Environment: `IIS_TIMEOUT`.", defaultTimeout.Seconds()),
				Optional:            true,
			},
			"max_sessions_per_host": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Most WinRM sessions (each with its own PowerShell agent) kept open to one host at a time; operations beyond it wait their turn. Between 1 and 30 (Windows allows 30 shells per user by default, shared by every run and tool of that user). "+
					"Defaults to `%d`, chosen by measurement (the sessions sweep in the repository's `docs/benchmarks.md`, 500 resources on one host): 4 sessions halve the host's share of an apply against 2; "+
					"8 halve it again, but a no-change plan then costs 0.6 HTTP round trips per resource instead of 0.5 (calls batch less) and each run holds twice the host's shells and PowerShell processes. Environment: `IIS_MAX_SESSIONS_PER_HOST`.", defaultMaxSessions),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 30)},
			},
			"allow_basic_over_http": schema.BoolAttribute{
				MarkdownDescription: "Opt in to `auth = \"basic\"` with `https = false`, which sends the password readable with every request. Only for isolated lab hosts. Defaults to `false`. Environment: `IIS_ALLOW_BASIC_OVER_HTTP`.",
				Optional:            true,
			},
			"allow_unencrypted_http": schema.BoolAttribute{
				MarkdownDescription: "Opt out of message encryption with `https = false`: NTLM messages are then sent unsealed, and `auth = \"kerberos\"` (which cannot seal) is allowed over HTTP. " +
					"Commands and their output, passwords set on the host included, then cross the network in clear text, and the host must allow it (`AllowUnencrypted=true`, which Windows refuses by default). " +
					"Only for isolated lab hosts; every run warns while it is on. Defaults to `false`. Environment: `IIS_ALLOW_UNENCRYPTED_HTTP`.",
				Optional: true,
			},
			"max_privilege": schema.StringAttribute{
				MarkdownDescription: "Guardrail: the highest privilege (`least`, `low`, `medium`, `high` or `full`) any application pool identity or anonymous identity may plan to. " +
					"A plan that brings one above it fails, naming the resource, the level and the reason, unless that resource sets `accept_privilege` to at least that level. " +
					"Unset (the default), rising privilege only warns. Environment: `IIS_MAX_PRIVILEGE`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(privilegeNames()...)},
			},
			"max_exposure": schema.StringAttribute{
				MarkdownDescription: "Guardrail: the highest exposure (`none`, `low`, `medium`, `high` or `critical`) any firewall rule may plan to; outbound rules count " +
					"`egress-low` as `low` and `egress` as `medium`. A plan that brings a rule above it fails, naming the rule, the level and the reason, " +
					"unless the rule sets `accept_exposure` to at least that level. Unset (the default), widening exposure only warns. Environment: `IIS_MAX_EXPOSURE`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(inboundExposures...)},
			},
			"one_shot": schema.BoolAttribute{
				MarkdownDescription: "Fallback: start one PowerShell process per operation instead of one long-lived agent per session. Slower; use it only when a host's policy stops the long-lived agent. Defaults to `false`. Environment: `IIS_ONE_SHOT`.",
				Optional:            true,
			},
			"share_reads": schema.BoolAttribute{
				MarkdownDescription: "Share what is read from a host between the resources of one Terraform command. With `true` (the default), a refresh reads each host's firewall rules and application pool list once " +
					"and answers every resource from that, and the questions many resources ask alike (a pool's identity, the host's sites and anonymous authentication settings) reach the host once; " +
					"a write through the provider forgets what was read, and nothing read is served after 30 seconds or outlives the command. " +
					"With `false`, each resource asks the host itself: slower, with many more operations on the host (one or more per resource instead of one list per host), " +
					"but useful to rule out a shared read when diagnosing a refresh, and, with `one_shot = true`, the per-resource baseline the repository's benchmark measures against. " +
					"Defaults to `true`. Environment: `IIS_SHARE_READS`.",
				Optional: true,
			},
		},
	}
}

func (p *Provider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, unknown, diags := resolveSettings(m, os.LookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := newProviderData(p.pool, s, unknown)
	ctx = data.logContext(ctx)
	tflog.Debug(ctx, "provider configured", map[string]any{
		"host": s.Host, "port": s.Port, "https": s.HTTPS, "auth": s.Auth,
		"username": s.Username, "unknown": strings.Join(unknown, ","),
		"one_shot": s.OneShot, "share_reads": s.ShareReads,
	})
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *Provider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newHostDataSource,
		newFirewallRulesDataSource,
		newAppPoolsDataSource,
	}
}

func (p *Provider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newFirewallRuleResource,
		newAppPoolResource,
		newAppPoolIdentityResource,
		newAnonAuthResource,
		newWebsiteResource,
		newApplicationResource,
		newContentAccessResource,
	}
}
