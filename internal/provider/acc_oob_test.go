package provider

import (
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/acchost"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// realAdmin connects to the real host a test runs against (IIS_ACC_HOST)
// with the out-of-band agent, so a step that changes the host behind
// Terraform's back runs the cmdlets an administrator would, not the
// provider's own handlers. Against the simulator, tests use its admin API
// (h.host) instead.
func realAdmin(t *testing.T, h *testHost) *acchost.Admin {
	t.Helper()
	if h.host != nil {
		t.Fatal("realAdmin is for a real host; a simulated one is changed through h.host")
	}
	pool := remote.NewPool(nil)
	t.Cleanup(func() { pool.Close() })
	a, err := acchost.New(pool, remote.Config{
		Host: h.Host, Port: h.Port, HTTPS: h.HTTPS, Insecure: h.Insecure, CACert: []byte(h.CACert),
		Auth: remote.Auth(h.Auth), Username: h.Username, Password: h.Password,
	})
	if err != nil {
		t.Fatalf("connect to the test host for out-of-band changes: %v", err)
	}
	return a
}
