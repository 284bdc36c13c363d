package remote

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The errors of masterzen's Kerberos transport (gokrb5's texts, wrapped)
// become messages that say which side failed and what to change. The
// acceptance tests reach most of them against a real KDC; clock skew
// cannot be staged there, so its text is checked here.
func TestClassifyKerberos(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = CORP.TEST\n[realms]\n CORP.TEST = {\n  kdc = 127.0.0.1:88\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := validConfig()
	cfg.Auth, cfg.KerberosConfigPath = AuthKerberos, conf
	tr := &transport{cfg: cfg}
	for _, c := range []struct{ in, want string }{
		{"unable to set SPNego Header: could not acquire client credential: [Root cause: KDC_Error] KDC_Error: AS Exchange Error: kerberos error response from KDC: KRB Error: (37) KRB_AP_ERR_SKEW Clock skew too great",
			"clock differs from the KDC's by more than the allowed skew"},
		{"unable to set SPNego Header: could not acquire client credential: [Root cause: KDC_Error] KDC_Error: AS Exchange Error: kerberos error response from KDC: KRB Error: (18) KDC_ERR_CLIENT_REVOKED Clients credentials have been revoked",
			"the account is disabled, locked out or its password expired"},
		{"unable to set SPNego Header: could not acquire client credential: [Root cause: Networking_Error] Networking_Error: AS Exchange Error: failed sending AS_REQ to KDC: communication error with KDC via TCP: error sending to a KDC: dial tcp 127.0.0.1:88: connect: connection refused",
			"cannot reach a KDC of realm CORP.TEST as listed in " + conf + ": error sending to a KDC: dial tcp 127.0.0.1:88: connect: connection refused"},
	} {
		err := tr.classify("Create", errors.New(c.in))
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("classify(%q)\n = %q\nwant it to contain %q", c.in, err, c.want)
		}
		if strings.Contains(err.Error(), cfg.Password) {
			t.Errorf("the password leaks: %v", err)
		}
	}
}
