package risk

import (
	"reflect"
	"strings"
	"testing"
)

func TestClassifyContent(t *testing.T) {
	for _, tt := range []struct {
		name     string
		g        ContentGrant
		level    Privilege
		exposure string
		reason   string
	}{
		{"read own root", ContentGrant{Account: `IIS APPPOOL\shop`, Access: "read", Path: `D:\sites\shop`, WebRootOf: []string{"shop"}, RunsCodeIn: []string{"shop"}},
			PrivilegeLeast, `IIS APPPOOL\shop can read D:\sites\shop: read-only web content`, "it is the content of shop"},
		{"modify own root", ContentGrant{Account: `IIS APPPOOL\shop`, Access: "modify", Path: `D:\sites\shop`, WebRootOf: []string{"shop"}, RunsCodeIn: []string{"shop"}},
			PrivilegeHigh, `IIS APPPOOL\shop can modify D:\sites\shop: writable web root`, ""},
		{"modify uploads", ContentGrant{Account: `IIS APPPOOL\shop`, Access: "modify", Path: `D:\data\uploads`},
			PrivilegeMedium, `IIS APPPOOL\shop can modify D:\data\uploads: writable, outside every web root`, ""},
		{"full", ContentGrant{Account: `WEB01\deploy`, Access: "full", Path: `D:\x`},
			PrivilegeFull, `WEB01\deploy can take full control of D:\x: can change its permissions and take ownership`, ""},
		{"unknown level is full", ContentGrant{Account: "a", Access: "Write", Path: `D:\x`}, PrivilegeFull, "", ""},
		{"shared IUSR crosses", ContentGrant{Account: `NT AUTHORITY\IUSR`, Access: "read", Path: `D:\sites\shop`, WebRootOf: []string{"shop"},
			RunsCodeIn: []string{"Default Web Site", "shop"}, ServesAnonymous: []string{"Default Web Site", "shop"}},
			PrivilegeLow, "", `NT AUTHORITY\IUSR also runs code in Default Web Site, which this directory does not belong to: the boundary between them is gone; NT AUTHORITY\IUSR serves anonymous requests at Default Web Site, shop`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ClassifyContent(tt.g)
			if r.Privilege != tt.level {
				t.Errorf("level %s, want %s (%s)", r.Privilege, tt.level, r.Reason)
			}
			if tt.exposure != "" && r.Exposure != tt.exposure {
				t.Errorf("exposure %q, want %q", r.Exposure, tt.exposure)
			}
			if !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", r.Reason, tt.reason)
			}
		})
	}
	if !(ContentGrant{Access: "modify", ServesAnonymous: []string{"x"}}).WritesForAnonymous() ||
		(ContentGrant{Access: "read", ServesAnonymous: []string{"x"}}).WritesForAnonymous() {
		t.Error("WritesForAnonymous")
	}
}

func TestSharedAccounts(t *testing.T) {
	self := Runner{Name: "blog", Accounts: []string{`IIS AppPool\shop`, "IUSR"}}
	others := []Runner{
		{Name: "shop", Accounts: []string{`IIS APPPOOL\SHOP`}},
		{Name: "Default Web Site", Accounts: []string{`IIS AppPool\DefaultAppPool`, `NT AUTHORITY\IUSR`}},
		{Name: "BLOG", Accounts: []string{"IUSR"}},
	}
	got := SharedAccounts(self, others)
	want := []Shared{{Account: `IIS AppPool\shop`, With: []string{"shop"}}, {Account: "IUSR", With: []string{"Default Web Site"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
