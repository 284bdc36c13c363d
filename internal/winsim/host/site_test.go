package host

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

const testThumb = "0123456789ABCDEF0123456789ABCDEF01234567"

func TestSiteCreateReadsBackWithDefaultsAndNextID(t *testing.T) {
	h := New(Options{ComputerName: "WEB01"})
	got := anonMustCall[hostapi.Site](t, h, hostapi.OpSiteCreate, hostapi.SiteSettings{
		Name: "shop", PhysicalPath: ptr(`D:\sites\shop`),
		Bindings: &[]hostapi.Binding{{Protocol: "HTTP", Port: 80, HostName: "shop.example.com"}},
	})
	if got.ID != 2 || got.State != "Started" || got.ApplicationPool != "DefaultAppPool" || got.PhysicalPath != `D:\sites\shop` {
		t.Errorf("created %+v", got)
	}
	want := hostapi.Binding{Protocol: "http", IPAddress: "*", Port: 80, HostName: "shop.example.com"}
	if len(got.Bindings) != 1 || got.Bindings[0] != want {
		t.Errorf("bindings %+v, want %+v", got.Bindings, want)
	}
	if len(got.Applications) != 1 || got.Applications[0].IdentityType != "ApplicationPoolIdentity" ||
		!got.Applications[0].AnonymousEnabled || got.Applications[0].AnonymousUserName != "IUSR" {
		t.Errorf("root application %+v: want the default pool's identity and the inherited IUSR", got.Applications)
	}
	_, perr := anonCall[hostapi.Site](t, h, hostapi.OpSiteCreate, hostapi.SiteSettings{
		Name: "SHOP", PhysicalPath: ptr(`D:\x`), Bindings: &[]hostapi.Binding{{Protocol: "http", Port: 81}},
	})
	if perr == nil || perr.Kind != protocol.AlreadyExists || !strings.Contains(perr.Message, "unique key attribute 'name' set to 'SHOP'") {
		t.Errorf("duplicate name: %v", perr)
	}
}

// A binding a started site already answers is refused before anything is
// written, with the text IIS gives when the site cannot start.
func TestSiteCreateRefusesABindingInUse(t *testing.T) {
	h := New(Options{})
	_, perr := anonCall[hostapi.Site](t, h, hostapi.OpSiteCreate, hostapi.SiteSettings{
		Name: "shop", PhysicalPath: ptr(`C:\inetpub\wwwroot`), Bindings: &[]hostapi.Binding{{Protocol: "http", IPAddress: "*", Port: 80}},
	})
	if perr == nil || perr.Kind != protocol.Conflict || !strings.Contains(perr.Message, "0x800700B7") || !strings.Contains(perr.Message, "Default Web Site") {
		t.Fatalf("want a conflict naming Default Web Site, got %v", perr)
	}
	list := anonMustCall[hostapi.SiteList](t, h, hostapi.OpSiteList, nil)
	if len(list.Sites) != 1 {
		t.Errorf("a refused site was left behind: %+v", list.Sites)
	}
	// Stopped, it may share the binding, as IIS allows.
	anonMustCall[hostapi.Site](t, h, hostapi.OpSiteCreate, hostapi.SiteSettings{
		Name: "shop", PhysicalPath: ptr(`C:\inetpub\wwwroot`), State: ptr("Stopped"),
		Bindings: &[]hostapi.Binding{{Protocol: "http", Port: 80}},
	})
	if err := h.SetSiteState(context.Background(), "shop", true); err == nil {
		t.Error("starting a site on a binding in use succeeded")
	}
}

func TestSiteHTTPSBindingNeedsACertificateInTheStore(t *testing.T) {
	h := New(Options{})
	https := hostapi.Binding{Protocol: "https", Port: 443, HostName: "shop.example.com",
		CertificateThumbprint: "01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67", CertificateStore: "webhosting"}
	settings := hostapi.SiteSettings{Name: "shop", PhysicalPath: ptr(`D:\shop`), Bindings: &[]hostapi.Binding{https}}
	_, perr := anonCall[hostapi.Site](t, h, hostapi.OpSiteCreate, settings)
	if perr == nil || perr.Kind != protocol.NotFound || !strings.Contains(perr.Message, `Cert:\LocalMachine\WebHosting`) {
		t.Fatalf("want certificate not found, got %v", perr)
	}
	if err := h.AddCertificate(context.Background(), "WebHosting", testThumb, "CN=shop.example.com"); err != nil {
		t.Fatal(err)
	}
	got := anonMustCall[hostapi.Site](t, h, hostapi.OpSiteCreate, settings)
	b := got.Bindings[0]
	if b.CertificateThumbprint != testThumb || b.CertificateStore != "WebHosting" || b.SslFlags != 1 {
		t.Errorf("https binding read back as %+v", b)
	}
	_, perr = anonCall[hostapi.Site](t, h, hostapi.OpSiteUpdate, hostapi.SiteSettings{Name: "shop",
		Bindings: &[]hostapi.Binding{{Protocol: "http", Port: 8080, CertificateThumbprint: testThumb, CertificateStore: "My"}}})
	if perr == nil || perr.Kind != protocol.InvalidArgument {
		t.Errorf("http binding with a certificate: %v", perr)
	}
}

func TestSiteUpdateAndDelete(t *testing.T) {
	h := New(Options{})
	got := anonMustCall[hostapi.Site](t, h, hostapi.OpSiteUpdate, hostapi.SiteSettings{
		Name: "default web site", PhysicalPath: ptr(`D:\www`), ApplicationPool: ptr(".NET v4.5"), State: ptr("Stopped"),
		Bindings: &[]hostapi.Binding{{Protocol: "http", IPAddress: "10.0.0.5", Port: 8080}, {Protocol: "http", IPAddress: "::1", Port: 80}},
	})
	if got.Name != "Default Web Site" || got.PhysicalPath != `D:\www` || got.ApplicationPool != ".NET v4.5" || got.State != "Stopped" {
		t.Errorf("updated %+v", got)
	}
	if got.Bindings[1].IPAddress != "::1" || got.Bindings[1].Port != 80 {
		t.Errorf("IPv6 binding read back as %+v", got.Bindings[1])
	}
	anonMustCall[struct{}](t, h, hostapi.OpSiteDelete, hostapi.SiteName{Name: "Default Web Site"})
	if _, perr := anonCall[hostapi.Site](t, h, hostapi.OpSiteGet, hostapi.SiteName{Name: "Default Web Site"}); perr == nil ||
		perr.Message != `Cannot find path 'IIS:\Sites\Default Web Site' because it does not exist.` {
		t.Errorf("get after delete: %v", perr)
	}
}

func TestApplicationLifecycle(t *testing.T) {
	h := New(Options{})
	key := hostapi.ApplicationKey{Site: "Default Web Site", Path: "/shop"}
	got := anonMustCall[hostapi.Application](t, h, hostapi.OpApplicationCreate, hostapi.ApplicationSettings{
		Site: "default web site", Path: "shop/", PhysicalPath: ptr(`D:\shop`), ApplicationPool: ptr("missing"),
	})
	if got.Site != "Default Web Site" || got.Path != "/shop" || got.ApplicationPool != "missing" || got.PoolFound {
		t.Errorf("created %+v: want a pool that does not exist reported as such", got)
	}
	_, perr := anonCall[hostapi.Application](t, h, hostapi.OpApplicationCreate, hostapi.ApplicationSettings{Site: key.Site, Path: "/SHOP", PhysicalPath: ptr(`D:\x`)})
	if perr == nil || perr.Kind != protocol.AlreadyExists {
		t.Errorf("duplicate path: %v", perr)
	}
	got = anonMustCall[hostapi.Application](t, h, hostapi.OpApplicationUpdate, hostapi.ApplicationSettings{Site: key.Site, Path: key.Path, ApplicationPool: ptr("DefaultAppPool")})
	if !got.PoolFound || got.PhysicalPath != `D:\shop` {
		t.Errorf("updated %+v", got)
	}
	if _, perr := anonCall[struct{}](t, h, hostapi.OpApplicationDelete, hostapi.ApplicationKey{Site: key.Site, Path: "/"}); perr == nil || perr.Message != hostapi.MsgRootApplication {
		t.Errorf("deleting the root application: %v", perr)
	}
	anonMustCall[struct{}](t, h, hostapi.OpApplicationDelete, key)
	if _, perr := anonCall[hostapi.Application](t, h, hostapi.OpApplicationGet, key); perr == nil || perr.Kind != protocol.NotFound {
		t.Errorf("get after delete: %v", perr)
	}
}

func TestSiteAdminCommands(t *testing.T) {
	h := New(Options{})
	var out bytes.Buffer
	for _, args := range [][]string{
		{"mkdir", `D:\sites\shop`},
		{"add-cert", "My", testThumb, "CN=x"},
		{"stop-site", "Default Web Site"},
		{"set-site-path", "Default Web Site", `D:\sites\shop`},
	} {
		if err := RunAdmin(h, args, &out); err == nil {
			continue
		} else if args[0] == "mkdir" && strings.Contains(err.Error(), "drive with the name 'D'") {
			continue // a stock server has only C:
		} else {
			t.Fatalf("%v: %v", args, err)
		}
	}
	site, err := h.Site(context.Background(), "Default Web Site")
	if err != nil || site.State != "Stopped" || site.PhysicalPath != `D:\sites\shop` {
		t.Errorf("after admin commands: %+v %v", site, err)
	}
}
