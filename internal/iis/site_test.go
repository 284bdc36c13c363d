package iis

import (
	"context"
	"reflect"
	"testing"
)

func TestSiteLifecycleNormalisesWhatTheHostReturns(t *testing.T) {
	ctx := context.Background()
	c, h := newSim(t)
	if err := h.AddCertificate(ctx, "WebHosting", "AB"+"0123456789ABCDEF0123456789ABCDEF012345", "CN=shop"); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateAppPool(ctx, c, PoolSettings{Name: "shop"}); err != nil {
		t.Fatal(err)
	}
	s, err := CreateSite(ctx, c, SiteSettings{Name: "shop", PhysicalPath: ptr(`C:\sites\shop`), ApplicationPool: ptr("shop"),
		Bindings: &[]Binding{
			{Protocol: "HTTP", Port: 80, HostName: "shop.example.com"},
			{Protocol: "https", IPAddress: "0:0::1", Port: 443, HostName: "shop.example.com",
				CertificateThumbprint: "ab 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45", CertificateStore: "webhosting"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Binding{
		{Protocol: "http", IPAddress: "*", Port: 80, HostName: "shop.example.com"},
		{Protocol: "https", IPAddress: "::1", Port: 443, HostName: "shop.example.com",
			CertificateThumbprint: "AB0123456789ABCDEF0123456789ABCDEF012345", CertificateStore: "WebHosting"},
	}
	if !reflect.DeepEqual(s.Bindings, want) {
		t.Errorf("bindings %+v, want %+v", s.Bindings, want)
	}
	if got := s.Identities(); !reflect.DeepEqual(got, []string{`IIS AppPool\shop`, AccountIUSR}) {
		t.Errorf("identities %v", got)
	}
	// The anonymous identity set to the pool's folds into one identity.
	if err := h.SetAnonymousAuth(ctx, "shop", "userName", ""); err != nil {
		t.Fatal(err)
	}
	s, err = GetSite(ctx, c, "SHOP")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Identities(); !reflect.DeepEqual(got, []string{`IIS AppPool\shop`}) {
		t.Errorf("identities with anonymous = pool identity: %v", got)
	}
	app, err := CreateApplication(ctx, c, ApplicationSettings{Site: "shop", Path: "api", PhysicalPath: ptr(`C:\sites\api`), ApplicationPool: ptr("DefaultAppPool")})
	if err != nil {
		t.Fatal(err)
	}
	if app.Location() != "shop/api" || app.PoolAccount() != `IIS AppPool\DefaultAppPool` || app.AnonymousAccount() != `IIS AppPool\DefaultAppPool` {
		t.Errorf("application %+v: location %s, pool account %s, anonymous %s", app, app.Location(), app.PoolAccount(), app.AnonymousAccount())
	}
	if err := DeleteApplication(ctx, c, "shop", "/api"); err != nil {
		t.Fatal(err)
	}
	if err := DeleteSite(ctx, c, "shop"); err != nil {
		t.Fatal(err)
	}
	if _, err := GetSite(ctx, c, "shop"); !IsNotFound(err) {
		t.Errorf("read after delete: %v", err)
	}
}

func TestCheckBinding(t *testing.T) {
	for _, tt := range []struct {
		b  Binding
		ok bool
	}{
		{Binding{Protocol: "http", Port: 80}, true},
		{Binding{Protocol: "http", Port: 80, IPAddress: "10.0.0.1", HostName: "*.example.com"}, true},
		{Binding{Protocol: "ftp", Port: 21}, false},
		{Binding{Protocol: "http", Port: 0}, false},
		{Binding{Protocol: "http", Port: 80, HostName: "bad host"}, false},
		{Binding{Protocol: "http", Port: 80, IPAddress: "10.0.0"}, false},
		{Binding{Protocol: "http", Port: 80, CertificateStore: "My"}, false},
		{Binding{Protocol: "https", Port: 443, CertificateThumbprint: "12", CertificateStore: "My"}, false},
		{Binding{Protocol: "https", Port: 443, CertificateThumbprint: "0123456789ABCDEF0123456789ABCDEF01234567", CertificateStore: "Root"}, false},
		{Binding{Protocol: "https", Port: 443, CertificateThumbprint: "0123456789abcdef0123456789abcdef01234567", CertificateStore: "My"}, true},
	} {
		if err := CheckBinding(tt.b); (err == nil) != tt.ok {
			t.Errorf("%+v: err %v, want ok=%v", tt.b, err, tt.ok)
		}
	}
}
