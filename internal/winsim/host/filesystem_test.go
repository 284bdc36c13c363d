package host

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

func explicitOf(acl hostapi.ACL, identity string) []hostapi.ACE {
	var out []hostapi.ACE
	for _, e := range acl.Entries {
		if !e.Inherited && strings.EqualFold(e.Identity, identity) {
			out = append(out, e)
		}
	}
	return out
}

// The stock web root: IIS_IUSRS may read it explicitly, and it inherits
// C:\inetpub's protected ACL, not the drive root's.
func TestStockWebRootACL(t *testing.T) {
	h := New(Options{})
	acl := anonMustCall[hostapi.ACL](t, h, hostapi.OpACLGet, hostapi.ACLPath{Path: `%SystemDrive%\inetpub\wwwroot\`})
	if acl.Path != `C:\inetpub\wwwroot` {
		t.Errorf("path read back as %q", acl.Path)
	}
	want := hostapi.ACE{Identity: `BUILTIN\IIS_IUSRS`, Rights: "ReadAndExecute, Synchronize", Type: "Allow",
		InheritanceFlags: "ContainerInherit, ObjectInherit", PropagationFlags: "None"}
	if acl.Entries[0] != want {
		t.Errorf("first entry %+v, want %+v", acl.Entries[0], want)
	}
	for _, e := range acl.Entries {
		if strings.Contains(e.Identity, "Authenticated Users") {
			t.Errorf("wwwroot inherits from the drive root through protected C:\\inetpub: %+v", e)
		}
	}
	if !strings.Contains(acl.Entries[1].Identity, "TrustedInstaller") || !acl.Entries[1].Inherited {
		t.Errorf("second entry %+v, want TrustedInstaller inherited", acl.Entries[1])
	}
}

func TestGrantReplacesTheIdentitysExplicitEntryAndRevokeRemovesOnlyIt(t *testing.T) {
	ctx := context.Background()
	h := shopHost(t)
	if err := h.MakeDir(ctx, `C:\sites\shop\uploads`); err != nil {
		t.Fatal(err)
	}
	grant := func(rights string) hostapi.ACL {
		return anonMustCall[hostapi.ACL](t, h, hostapi.OpACLGrant, hostapi.ACLGrant{Path: `c:/sites/shop`, Identity: `IIS AppPool\shop`, Rights: rights})
	}
	grant("ReadAndExecute")
	acl := grant("modify")
	got := explicitOf(acl, `IIS APPPOOL\shop`)
	if len(got) != 1 || got[0].Rights != "Modify, Synchronize" {
		t.Fatalf("explicit entries after two grants: %+v", got)
	}
	// The subdirectory inherits it.
	sub, err := h.ACL(ctx, `C:\sites\shop\uploads`)
	if err != nil {
		t.Fatal(err)
	}
	if !slicesContain(sub.Entries, hostapi.ACE{Identity: `IIS APPPOOL\shop`, Rights: "Modify, Synchronize", Type: "Allow", Inherited: true,
		InheritanceFlags: "ContainerInherit, ObjectInherit", PropagationFlags: "None"}) {
		t.Errorf("uploads does not inherit the grant: %+v", sub.Entries)
	}
	// A Deny entry of the same identity is not the grant's to remove.
	if err := h.SetAccessRule(ctx, `C:\sites\shop`, `IIS AppPool\shop`, "Delete", "Deny", "None"); err != nil {
		t.Fatal(err)
	}
	acl = anonMustCall[hostapi.ACL](t, h, hostapi.OpACLRevoke, hostapi.ACLRevoke{Path: `C:\sites\shop`, Identity: `iis apppool\SHOP`})
	got = explicitOf(acl, `IIS APPPOOL\shop`)
	if len(got) != 1 || got[0].Type != "Deny" {
		t.Errorf("after revoke: %+v, want only the Deny entry", got)
	}
	if inherited := slicesContain(acl.Entries, hostapi.ACE{Identity: `NT AUTHORITY\Authenticated Users`, Rights: "Modify, Synchronize", Type: "Allow",
		Inherited: true, InheritanceFlags: "ContainerInherit, ObjectInherit", PropagationFlags: "None"}); !inherited {
		t.Errorf("a directory created under C:\\ inherits Authenticated Users' modify right: %+v", acl.Entries)
	}
}

func TestGrantRefusals(t *testing.T) {
	h := New(Options{})
	for _, tt := range []struct {
		args hostapi.ACLGrant
		kind protocol.Kind
		msg  string
	}{
		{hostapi.ACLGrant{Path: `D:\none`, Identity: "IUSR", Rights: "Modify"}, protocol.NotFound, `Cannot find path 'D:\none' because it does not exist.`},
		{hostapi.ACLGrant{Path: `C:\inetpub\wwwroot`, Identity: `IIS AppPool\nopool`, Rights: "Modify"}, protocol.InvalidArgument, hostapi.MsgIdentityNotMapped},
		{hostapi.ACLGrant{Path: `C:\inetpub\wwwroot`, Identity: "nobody", Rights: "Modify"}, protocol.InvalidArgument, hostapi.MsgIdentityNotMapped},
		{hostapi.ACLGrant{Path: `C:\inetpub\wwwroot`, Identity: "IUSR", Rights: "Write"}, protocol.InvalidArgument, "FileSystemRights"},
	} {
		_, perr := anonCall[hostapi.ACL](t, h, hostapi.OpACLGrant, tt.args)
		if perr == nil || perr.Kind != tt.kind || !strings.Contains(perr.Message, tt.msg) {
			t.Errorf("%+v: got %v, want %s %q", tt.args, perr, tt.kind, tt.msg)
		}
	}
}

func TestACLAdminCommandsAndPersistence(t *testing.T) {
	path := t.TempDir() + "/host.json"
	h, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, args := range [][]string{{"mkdir", `C:\sites\blog`}, {"grant", `C:\sites\blog`, "IUSR", "ReadAndExecute"}, {"acl", `C:\sites\blog`}} {
		if err := RunAdmin(h, args, &out); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if !regexp.MustCompile(`NT AUTHORITY\\IUSR +\(OI\)\(CI\)\(RX\)\n`).MatchString(out.String()) {
		t.Errorf("acl output:\n%s", out.String())
	}
	again, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	acl, err := again.ACL(context.Background(), `C:\sites\blog`)
	if err != nil || len(explicitOf(acl, `NT AUTHORITY\IUSR`)) != 1 {
		t.Errorf("reopened host lost the grant: %+v %v", acl, err)
	}
}

func slicesContain(list []hostapi.ACE, want hostapi.ACE) bool {
	for _, e := range list {
		if e == want {
			return true
		}
	}
	return false
}
