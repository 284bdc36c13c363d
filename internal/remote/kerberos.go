package remote

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// KerberosError is a Kerberos setting that cannot work; Setting names the
// provider attribute to fix.
type KerberosError struct {
	Setting string
	Msg     string
}

func (e *KerberosError) Error() string { return e.Msg }

// ErrKerberos marks a failure of the Kerberos logon itself (at the KDC,
// with the credential cache, or the host refusing the ticket): its message
// already says what to fix, and no WinRM listener advice applies.
var ErrKerberos = errors.New("kerberos logon failed")

// KerberosLogon is what the Kerberos transport logs on with.
type KerberosLogon struct {
	User  string // principal name without the realm; empty with a ccache
	Realm string
	SPN   string // empty: HTTP/<host> as the client library derives it
}

// ResolveKerberos checks the Kerberos settings against krb5.conf and the
// credential cache, and returns the principal to log on as. The realm is
// kerberos_realm, else the one in a user@REALM username (upper-cased, as
// Windows does with a UPN suffix), else krb5.conf's default_realm; it must
// have a KDC in krb5.conf unless DNS lookup of KDCs is on. It reads files
// only, never the network, so it can run at plan time.
func (c Config) ResolveKerberos() (KerberosLogon, error) {
	path := c.kerberosConfig()
	text, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return KerberosLogon{}, &KerberosError{"kerberos_config",
			fmt.Sprintf("cannot read the Kerberos configuration %s: %v; set kerberos_config to the krb5.conf of the realm", path, err)}
	}
	krbCfg, err := config.NewFromString(string(text))
	if err != nil {
		return KerberosLogon{}, &KerberosError{"kerberos_config", fmt.Sprintf("%s is not a valid krb5.conf: %v", path, err)}
	}
	l := KerberosLogon{Realm: c.KerberosRealm, SPN: c.KerberosSPN}
	if c.KerberosCCache != "" {
		b, err := os.ReadFile(c.KerberosCCache)
		if err != nil {
			return l, &KerberosError{"kerberos_ccache", fmt.Sprintf("cannot read the credential cache: %v; run kinit first, or log on with username and password", err)}
		}
		var cc credentials.CCache
		if err := cc.Unmarshal(b); err != nil {
			return l, &KerberosError{"kerberos_ccache", fmt.Sprintf("%s is not a Kerberos credential cache (kinit -c FILE:%s writes one): %v", c.KerberosCCache, c.KerberosCCache, err)}
		}
		if l.Realm == "" {
			l.Realm = cc.DefaultPrincipal.Realm
		}
		return l, checkKDC(krbCfg, path, l.Realm)
	}

	user := c.Username
	if strings.Contains(user, `\`) {
		return l, &KerberosError{"username", fmt.Sprintf(
			"username %q is in the DOMAIN\\user form, which Kerberos does not use: give user@REALM (for example admin@CORP.EXAMPLE.COM), or user with kerberos_realm", user)}
	}
	if name, realm, ok := strings.Cut(user, "@"); ok {
		realm = strings.ToUpper(realm)
		if l.Realm != "" && !strings.EqualFold(l.Realm, realm) {
			return l, &KerberosError{"kerberos_realm", fmt.Sprintf("username %q names realm %s but kerberos_realm is %s", user, realm, l.Realm)}
		}
		if l.Realm == "" {
			l.Realm = realm
		}
		user = name
	}
	l.User = user
	if l.Realm == "" {
		l.Realm = krbCfg.LibDefaults.DefaultRealm
	}
	if l.Realm == "" {
		return l, &KerberosError{"kerberos_realm", fmt.Sprintf(
			"no Kerberos realm: set kerberos_realm, give the username as user@REALM, or set default_realm in %s", path)}
	}
	return l, checkKDC(krbCfg, path, l.Realm)
}

func checkKDC(krbCfg *config.Config, path, realm string) error {
	if krbCfg.LibDefaults.DNSLookupKDC {
		return nil
	}
	for _, r := range krbCfg.Realms {
		if r.Realm == realm && len(r.KDC) > 0 {
			return nil
		}
	}
	return &KerberosError{"kerberos_config", fmt.Sprintf(
		"%s lists no KDC for realm %s and dns_lookup_kdc is off: add the realm under [realms] with its kdc, or set kerberos_realm to a realm it lists", path, realm)}
}

// krbCode finds the Kerberos error name (KDC_ERR_..., KRB_AP_ERR_...) that
// gokrb5 puts in its error texts.
var krbCode = regexp.MustCompile(`\b(KDC_ERR_[A-Z_]+|KRB_AP_ERR_[A-Z_]+|KRB_ERR_[A-Z_]+)\b`)

// classifyKerberos turns a failure of masterzen's Kerberos transport into
// an error that says which side failed and what to change, or returns nil
// when err is no Kerberos failure (a TLS or network error to the host, a
// WinRM status). The texts name the user and realm, never the password.
func (t *transport) classifyKerberos(err error) error {
	msg := err.Error()
	l, _ := t.cfg.ResolveKerberos()
	who := l.User + "@" + l.Realm
	if t.cfg.KerberosCCache != "" {
		who = "the credential cache's user"
	}
	spn := l.SPN
	if spn == "" {
		spn = "HTTP/" + t.cfg.Host
	}
	code := krbCode.FindString(msg)
	switch code {
	case "KDC_ERR_PREAUTH_FAILED", "KDC_ERR_C_PRINCIPAL_UNKNOWN":
		return newKindError(protocol.AccessDenied, ErrKerberos,
			"Kerberos: the KDC of realm %s refused the logon of %s (%s): check the username and password", l.Realm, who, code)
	case "KDC_ERR_CLIENT_REVOKED", "KDC_ERR_KEY_EXPIRED", "KDC_ERR_POLICY":
		return newKindError(protocol.AccessDenied, ErrKerberos,
			"Kerberos: the KDC of realm %s refused the logon of %s (%s): the account is disabled, locked out or its password expired", l.Realm, who, code)
	case "KRB_AP_ERR_SKEW":
		return newKindError(protocol.Unavailable, ErrKerberos,
			"Kerberos: this machine's clock differs from the KDC's by more than the allowed skew (5 minutes by default) (%s): synchronise the clocks with NTP", code)
	case "KDC_ERR_S_PRINCIPAL_UNKNOWN":
		return newKindError(protocol.InvalidArgument, ErrKerberos,
			"Kerberos: the KDC of realm %s knows no service principal %s (%s): register it for the host (setspn -S %s <host>), connect by the name it is registered under, or set kerberos_spn", l.Realm, spn, code, spn)
	case "":
	default:
		return newKindError(protocol.AccessDenied, ErrKerberos, "Kerberos: logon of %s in realm %s failed (%s)", who, l.Realm, code)
	}
	switch {
	case strings.Contains(msg, "communicate with KDC"), strings.Contains(msg, "sending to a KDC"),
		strings.Contains(msg, "no KDCs defined"), strings.Contains(msg, krbNetworkingError):
		return newKindError(protocol.Unavailable, ErrKerberos,
			"Kerberos: cannot reach a KDC of realm %s as listed in %s: %s", l.Realm, t.cfg.kerberosConfig(), lastCause(msg))
	case strings.Contains(msg, "unable to read ccache"), strings.Contains(msg, "unable to parse ccache"),
		strings.Contains(msg, "from ccache"):
		return newKindError(protocol.AccessDenied, ErrKerberos, "Kerberos: the credential cache %s cannot be used: %s; run kinit again", t.cfg.KerberosCCache, lastCause(msg))
	case strings.Contains(msg, "TGT") && strings.Contains(msg, "expired"):
		return newKindError(protocol.AccessDenied, ErrKerberos, "Kerberos: the ticket in the credential cache %s has expired; run kinit again", t.cfg.KerberosCCache)
	case strings.Contains(msg, "SPNego"), strings.Contains(msg, "configuration file could not be opened"):
		return newKindError(protocol.AccessDenied, ErrKerberos, "Kerberos: logon of %s in realm %s failed: %s", who, l.Realm, lastCause(msg))
	}
	return nil
}

const krbNetworkingError = "Networking_Error"

// lastCause keeps the innermost reason of gokrb5's "a < b < c" chains and
// of the "unable to set SPNego Header: ...: AS Exchange Error: ..." wrapping
// around it, which is the part a user can act on.
func lastCause(msg string) string {
	if i := strings.LastIndex(msg, " < "); i >= 0 {
		msg = msg[i+3:]
	}
	for _, marker := range []string{"failed to communicate with KDC", "error sending to", "no KDCs defined", "dial tcp", "dial udp"} {
		if i := strings.Index(msg, marker); i >= 0 {
			return strings.TrimSpace(msg[i:])
		}
	}
	if i := strings.LastIndex(msg, "_Error: "); i >= 0 {
		msg = msg[i+len("_Error: "):]
	}
	return strings.TrimSpace(msg)
}
