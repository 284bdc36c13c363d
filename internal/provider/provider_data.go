package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/retry"
)

// providerData is what Configure hands to every resource and data source:
// the shared pool and the provider-level settings that a resource's own
// `host` can override.
type providerData struct {
	pool     *remote.Pool
	settings settings
	// unknown names provider attributes whose values Terraform will only
	// know after apply; no connection can be made until then.
	unknown []string
	// firewallRules is how firewall rule CRUD reaches a host. With
	// share_reads (the default) it is a *firewall.Snapshots, which serves
	// the rule reads of a refresh from one bulk read per host. It lives as
	// long as this configuration, which Terraform makes anew for every
	// command, so a snapshot never outlives the command that took it (nor
	// its maximum age). Without share_reads, each rule is read by name.
	firewallRules firewallRuleStore
	// reach is what this run learned of each host's reachability, so that
	// a dead host fails its resources fast instead of one by one.
	reach reachability
	// reads shares the answers to read operations between the requests
	// of this configuration (a resource's read and its plan ask the host
	// the same questions), until a write or for at most 30 s. Nil without
	// share_reads: every request then asks the host itself.
	reads *remote.ReadCache
	// clients remembers each host's pooled client (host name to
	// *remote.Client): the settings cannot change within a configuration,
	// and building and checking the connection settings (a 118 KB agent
	// line, the CA certificate) on every request of a large plan cost
	// the provider more CPU than its calls to the hosts.
	clientsMu sync.Mutex
	clients   map[string]*remote.Client
}

// newProviderData is the data of one provider configuration. With
// s.ShareReads the resources of the command share what is read from each
// host; without it nothing read is shared, so every resource costs the
// host its own reads, as each does with peer providers (the benchmark's
// per-resource baseline, and a way to rule a shared read out when a
// refresh looks wrong).
func newProviderData(pool *remote.Pool, s settings, unknown []string) *providerData {
	d := &providerData{pool: pool, settings: s, unknown: unknown, firewallRules: firewallByName{}}
	if s.ShareReads {
		d.firewallRules = firewall.NewSnapshots(0)
		d.reads = remote.NewReadCache(retry.IsRead, 0)
	}
	return d
}

// firewallRuleStore is the firewall rule CRUD of iis_firewall_rule:
// *firewall.Snapshots, or firewallByName.
type firewallRuleStore interface {
	Get(ctx context.Context, c firewall.Caller, name string) (firewall.Rule, error)
	Create(ctx context.Context, c firewall.Caller, spec fwrule.RuleSpec) (firewall.Rule, error)
	Update(ctx context.Context, c firewall.Caller, spec fwrule.RuleSpec) (firewall.Rule, error)
	Delete(ctx context.Context, c firewall.Caller, name string) error
}

// firewallByName asks the host about each rule by its name, sharing
// nothing between rules.
type firewallByName struct{}

func (firewallByName) Get(ctx context.Context, c firewall.Caller, name string) (firewall.Rule, error) {
	return firewall.Get(ctx, c, name)
}

func (firewallByName) Create(ctx context.Context, c firewall.Caller, spec fwrule.RuleSpec) (firewall.Rule, error) {
	return firewall.Create(ctx, c, spec)
}

func (firewallByName) Update(ctx context.Context, c firewall.Caller, spec fwrule.RuleSpec) (firewall.Rule, error) {
	return firewall.Update(ctx, c, spec)
}

func (firewallByName) Delete(ctx context.Context, c firewall.Caller, name string) error {
	return firewall.Delete(ctx, c, name)
}

// logContext returns ctx with every secret of the provider block masked in
// all log output, whatever field or message it would appear in, and with
// the configuration's read cache attached when it shares reads. Every CRUD
// method calls it first, because the framework gives each call a fresh ctx.
func (d *providerData) logContext(ctx context.Context) context.Context {
	ctx = remote.WithReadCache(ctx, d.reads)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "password", "client_key", "Password", "ClientKey")
	if secrets := d.settings.secrets(); len(secrets) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
		ctx = tflog.MaskMessageStrings(ctx, secrets...)
	}
	return ctx
}

// hostFor is the host an object with the given host attribute lives on.
func (d *providerData) hostFor(hostOverride string) string {
	if hostOverride != "" {
		return hostOverride
	}
	return d.settings.Host
}

// remoteConfig is the connection configuration for one host: the provider's
// settings with the host replaced when hostOverride is not empty.
func (d *providerData) remoteConfig(hostOverride string) remote.Config {
	s := d.settings
	return remote.Config{
		Host:                 d.hostFor(hostOverride),
		Port:                 s.Port,
		HTTPS:                s.HTTPS,
		Insecure:             s.Insecure,
		CACert:               []byte(s.CACert),
		TLSServerName:        s.TLSServerName,
		Auth:                 remote.Auth(s.Auth),
		Secrets:              s.secrets(),
		Username:             s.Username,
		Password:             s.Password,
		KerberosRealm:        s.KerberosRealm,
		KerberosConfigPath:   s.KerberosConfig,
		KerberosSPN:          s.KerberosSPN,
		KerberosCCache:       s.KerberosCCache,
		ClientCert:           []byte(s.ClientCert),
		ClientKey:            []byte(s.ClientKey),
		AllowBasicOverHTTP:   s.AllowBasicOverHTTP,
		AllowUnencryptedHTTP: s.AllowUnencrypted,
		Timeout:              s.Timeout,
		MaxSessions:          s.MaxSessions,
		OneShot:              s.OneShot,
		// Reads are retried with backoff; a write whose answer was lost
		// is checked on the host before anything is sent again.
		Retry:  retry.DefaultPolicy().Func(),
		Settle: retry.Settle,
		Scripts: remote.Scripts{
			CommandLine: hostscript.CommandLine(),
			AgentLine:   hostscript.AgentLine(),
		},
	}
}

// clientFor returns the pooled client for hostOverride, or for the provider's
// host when hostOverride is empty. The diagnostics say which setting to fix.
func (d *providerData) clientFor(ctx context.Context, hostOverride string) (*remote.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if len(d.unknown) > 0 {
		diags.AddError("Provider configuration not known yet",
			fmt.Sprintf("The provider attributes %s depend on values known only after apply, so no host can be reached now. "+
				"Apply the resources they depend on first (terraform apply -target=...), or set them from known values.",
				strings.Join(d.unknown, ", ")))
		return nil, diags
	}
	host := d.hostFor(hostOverride)
	if host == "" {
		diags.AddError("No host to connect to",
			"Set host in the provider block (or IIS_HOST), or set host on this resource or data source.")
		return nil, diags
	}
	c, err := d.client(host, hostOverride)
	if err != nil {
		diags.AddError("Invalid connection settings", fmt.Sprintf("Cannot connect to host %q: %v", host, err))
		return nil, diags
	}
	if err := d.reach.check(ctx, c, d.settings.Timeout); err != nil {
		diags.Append(remoteDiagnostic(err, d.settings.Username, "connect", host))
		return nil, diags
	}
	tflog.Trace(ctx, "client ready", map[string]any{"host": host, "port": d.settings.Port})
	return c, diags
}

// client returns the host's pooled client, building it on first use.
// resolveSettings has checked everything Validate checks except the host,
// which a resource may set; Validate is what catches a URL given as host.
func (d *providerData) client(host, hostOverride string) (*remote.Client, error) {
	d.clientsMu.Lock()
	defer d.clientsMu.Unlock()
	if c, ok := d.clients[host]; ok {
		return c, nil
	}
	c, err := d.pool.Client(d.remoteConfig(hostOverride))
	if err != nil {
		return nil, err
	}
	if d.clients == nil {
		d.clients = map[string]*remote.Client{}
	}
	d.clients[host] = c
	return c, nil
}

// configureData is every resource's and data source's Configure: the
// framework calls it first without provider data (before the provider is
// configured), which leaves *dst alone.
func configureData(dst **providerData, v any, diags *diag.Diagnostics) {
	if v == nil {
		return
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider.", v))
		return
	}
	*dst = data
}

// hostClient is the client a resource of type typeName uses: for the host
// its host attribute names, else the provider's. d is nil when the
// provider was not configured.
func (d *providerData) hostClient(ctx context.Context, typeName string, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	if d == nil {
		diags.AddError("Provider not configured", fmt.Sprintf("The iis provider was not configured before using %s.", typeName))
		return nil, "", false
	}
	host := d.hostFor(hostAttr.ValueString())
	c, cd := d.clientFor(ctx, host)
	diags.Append(cd...)
	return c, host, !cd.HasError()
}
