package iis

import (
	"context"
	"testing"
)

func TestGrantReadBackAndRevoke(t *testing.T) {
	ctx := context.Background()
	c, h := newSim(t)
	if err := h.MakeDir(ctx, `C:\sites\shop`); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateAppPool(ctx, c, PoolSettings{Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	acl, err := Grant(ctx, c, `%SystemDrive%\sites\shop\`, `IIS AppPool\shop`, AccessModify)
	if err != nil {
		t.Fatal(err)
	}
	got := acl.Explicit(`iis apppool\SHOP`)
	if acl.Path != `C:\sites\shop` || len(got) != 1 || got[0].Access != AccessModify || got[0].Identity != `IIS APPPOOL\Shop` {
		t.Fatalf("after grant: path %s, entries %+v", acl.Path, got)
	}
	// Changed out of band to something a grant never writes: it reads as
	// no level, described in Windows' terms.
	if err := h.SetAccessRule(ctx, `C:\sites\shop`, `IIS AppPool\shop`, "Write, Synchronize", "Allow", "None"); err != nil {
		t.Fatal(err)
	}
	acl, err = GetACL(ctx, c, `C:\sites\shop`)
	if err != nil {
		t.Fatal(err)
	}
	got = acl.Explicit(`IIS AppPool\shop`)
	if len(got) != 1 || got[0].Access != "" || got[0].Describe() != "Write, Synchronize; inheritance None; propagation None" {
		t.Errorf("drifted entry %+v (%s)", got, got[0].Describe())
	}
	acl, err = Revoke(ctx, c, `C:\sites\shop`, "IIS AppPool\\shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(acl.Explicit(`IIS AppPool\shop`)) != 0 {
		t.Errorf("revoke left %+v", acl.Explicit(`IIS AppPool\shop`))
	}
	if _, err := GetACL(ctx, c, `C:\nowhere`); !IsNotFound(err) {
		t.Errorf("missing path: %v", err)
	}
}

func TestPathWithin(t *testing.T) {
	for _, tt := range []struct {
		p, root string
		want    bool
	}{
		{`C:\sites\shop`, `c:/sites/shop/`, true},
		{`C:\sites\shop\uploads`, `C:\sites\shop`, true},
		{`C:\sites\shopping`, `C:\sites\shop`, false},
		{`C:\inetpub\wwwroot`, `%SystemDrive%\inetpub\wwwroot`, true},
		{`D:\x`, `D:\`, true},
	} {
		if got := PathWithin(tt.p, tt.root); got != tt.want {
			t.Errorf("PathWithin(%q, %q) = %v", tt.p, tt.root, got)
		}
	}
}
