package winsim

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/kdc"
)

const (
	krbRealm = "WINSIM.TEST"
	krbUser  = "administrator"
	krbPass  = "Krb-P@ss $(not run) 'q' ${var}"
)

// kerberosHost starts a KDC, a user and a simulated host in its realm with
// the keytab of HTTP/<host>, over plain HTTP with AllowUnencrypted=true:
// Kerberos messages are not sealed (masterzen has no Kerberos sealing).
func kerberosHost(t *testing.T) (*kdc.KDC, *Server) {
	t.Helper()
	k := kdc.StartForTest(t, krbRealm)
	ctx := t.Context()
	if err := k.AddUser(ctx, krbUser, krbPass); err != nil {
		t.Fatal(err)
	}
	kt, err := k.AddService(ctx, "HTTP/127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Options{Kerberos: &KerberosOptions{Keytab: kt, Realm: krbRealm},
		Users: map[string]string{krbUser: "local password, unused by Kerberos"}, AllowUnencrypted: true})
	return k, s
}

// krbPost sends one Create with a Negotiate header carrying a service
// ticket for spn, as masterzen's Kerberos transport does.
func krbPost(t *testing.T, k *kdc.KDC, s *Server, user, pass, spn string) (*http.Response, error) {
	t.Helper()
	cfg, err := config.Load(k.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	cl := client.NewWithPassword(user, krbRealm, pass, cfg, client.DisablePAFXFAST(true), client.AssumePreAuthentication(true))
	defer cl.Destroy()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL(),
		strings.NewReader(soapRequest(actCreate, "", "PT5S", "", createBody())))
	req.Header.Set("Content-Type", soapContentType)
	if err := spnego.SetSPNEGOHeader(cl, req, spn); err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp, nil
}

func TestKerberosServiceTicket(t *testing.T) {
	k, s := kerberosHost(t)

	resp, err := krbPost(t, k, s, krbUser, krbPass, "HTTP/127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("valid ticket: HTTP %d, want 200", resp.StatusCode)
	}
	if st := s.Stats(); st.Shells != 1 || st.KerberosLogons != 1 {
		t.Fatalf("shells = %d, Kerberos logons = %d, want 1 and 1", st.Shells, st.KerberosLogons)
	}

	// A ticket for a service whose key this host does not hold (another
	// host's SPN) is refused like Windows does: 401 offering Negotiate
	// and Kerberos again.
	if _, err := k.AddService(t.Context(), "HTTP/other.winsim.test"); err != nil {
		t.Fatal(err)
	}
	resp, err = krbPost(t, k, s, krbUser, krbPass, "HTTP/other.winsim.test")
	if err != nil {
		t.Fatal(err)
	}
	assertKerberosRefused(t, resp)

	// A ticket the KDC never issued: no request reaches the host.
	if _, err := krbPost(t, k, s, krbUser, "wrong", "HTTP/127.0.0.1"); err == nil ||
		!strings.Contains(err.Error(), "KDC_ERR_PREAUTH_FAILED") {
		t.Fatalf("wrong password: err = %v, want KDC_ERR_PREAUTH_FAILED", err)
	}

	// No ticket at all, and a token that is not one.
	for _, auth := range []string{"", "Negotiate oQcwBaADCgEC", "Kerberos YIIBAAYJKoZIhvcSAQICAQBu"} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL(),
			strings.NewReader(soapRequest(actCreate, "", "PT5S", "", createBody())))
		req.Header.Set("Content-Type", soapContentType)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		assertKerberosRefused(t, resp)
	}
	if got := s.Stats().Shells; got != 1 {
		t.Fatalf("shells = %d after refused requests, want still 1", got)
	}
}

func assertKerberosRefused(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("HTTP %d, want 401", resp.StatusCode)
	}
	offers := strings.Join(resp.Header.Values("WWW-Authenticate"), ",")
	if offers != "Negotiate,Kerberos" {
		t.Fatalf("WWW-Authenticate = %q, want Negotiate and Kerberos offered", offers)
	}
}
