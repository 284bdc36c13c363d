package acchost

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// recorder is a caller that keeps what each method sends; it answers
// nothing, so only the requests are under test here.
type recorder struct {
	op   string
	args map[string]any
}

func (r *recorder) Call(_ context.Context, op string, args, _ any) error {
	r.op = op
	r.args, _ = args.(map[string]any)
	return nil
}

// adminCalls makes every out-of-band step once. A method of Admin missing
// here fails TestEveryStepReachesAHandlerThatReadsItsArguments.
var adminCalls = map[string]func(context.Context, *Admin) error{
	"WidenFirewallRule":  func(ctx context.Context, a *Admin) error { return a.WidenFirewallRule(ctx, "tfacc-r", []string{"80"}) },
	"RemoveFirewallRule": func(ctx context.Context, a *Admin) error { return a.RemoveFirewallRule(ctx, "tfacc-r") },
	"AddAppPool":         func(ctx context.Context, a *Admin) error { return a.AddAppPool(ctx, "tfacc-p") },
	"RemoveAppPool":      func(ctx context.Context, a *Admin) error { return a.RemoveAppPool(ctx, "tfacc-p") },
	"SetAppPoolAttr": func(ctx context.Context, a *Admin) error {
		return a.SetAppPoolAttr(ctx, "tfacc-p", "processModel.identityType", "LocalSystem")
	},
	"AppPoolValue": func(ctx context.Context, a *Admin) error {
		_, err := a.AppPoolValue(ctx, "tfacc-p", "managedPipelineMode")
		return err
	},
	"AddUser":        func(ctx context.Context, a *Admin) error { return a.AddUser(ctx, "tfacc-u", `pw "x" $(y)`) },
	"AddGroupMember": func(ctx context.Context, a *Admin) error { return a.AddGroupMember(ctx, "Administrators", "tfacc-u") },
	"RemoveGroupMember": func(ctx context.Context, a *Admin) error {
		return a.RemoveGroupMember(ctx, "Administrators", "tfacc-u")
	},
	"AddApplication": func(ctx context.Context, a *Admin) error {
		return a.AddApplication(ctx, "Default Web Site", "/tfacc-a", "tfacc-p", "")
	},
	"SetApplicationPool": func(ctx context.Context, a *Admin) error {
		return a.SetApplicationPool(ctx, "Default Web Site", "/tfacc-a", "DefaultAppPool")
	},
	"RemoveApplication": func(ctx context.Context, a *Admin) error {
		return a.RemoveApplication(ctx, "Default Web Site", "/tfacc-a")
	},
	"SetAnonymousAuth": func(ctx context.Context, a *Admin) error {
		return a.SetAnonymousAuth(ctx, "Default Web Site/tfacc-a", "enabled", "false")
	},
	"AnonymousAuthValue": func(ctx context.Context, a *Admin) error {
		_, err := a.AnonymousAuthValue(ctx, "Default Web Site/tfacc-a", "userName")
		return err
	},
	"RemoveUser": func(ctx context.Context, a *Admin) error { return a.RemoveUser(ctx, "tfacc-u") },
	"ClearAnonymousAuth": func(ctx context.Context, a *Admin) error {
		return a.ClearAnonymousAuth(ctx, "Default Web Site/tfacc-a")
	},
	"AddSite": func(ctx context.Context, a *Admin) error {
		return a.AddSite(ctx, "tfacc-s", "tfacc-p", `C:\sites\tfacc-s`)
	},
	"RemoveSite":   func(ctx context.Context, a *Admin) error { return a.RemoveSite(ctx, "tfacc-s") },
	"SetSiteState": func(ctx context.Context, a *Admin) error { return a.SetSiteState(ctx, "tfacc-s", false) },
	"MakeDir":      func(ctx context.Context, a *Admin) error { return a.MakeDir(ctx, `C:\sites\tfacc-s\uploads`) },
	"SetAccessRule": func(ctx context.Context, a *Admin) error {
		return a.SetAccessRule(ctx, `C:\sites\tfacc-s`, "IUSR", "ReadAndExecute, Synchronize", "Allow", "ContainerInherit, ObjectInherit")
	},
	"RemoveAccessRules": func(ctx context.Context, a *Admin) error { return a.RemoveAccessRules(ctx, `C:\sites\tfacc-s`, "IUSR") },
}

// The out-of-band agent cannot run without Windows, so this holds its two
// halves to each other: every step the tests can take is an operation the
// agent registers, whose handler is defined in oob.ps1 and reads exactly
// the arguments the Go side sends (a misspelt key would otherwise surface
// only on a real host, as "argument x must be a non-empty string").
func TestEveryStepReachesAHandlerThatReadsItsArguments(t *testing.T) {
	agent := string(Agent())
	typ := reflect.TypeOf(&Admin{})
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if name == "Cleanup" {
			continue // tested against its own operations below
		}
		if _, ok := adminCalls[name]; !ok {
			t.Errorf("Admin.%s has no entry in adminCalls: its request is not checked against oob.ps1", name)
		}
	}
	for name, call := range adminCalls {
		rec := &recorder{}
		if err := call(t.Context(), &Admin{c: rec}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m := regexp.MustCompile(`\$script:IisAgentOps\['` + regexp.QuoteMeta(rec.op) + `'\] = '([A-Za-z-]+)'`).FindStringSubmatch(agent)
		if m == nil {
			t.Errorf("%s sends %s, which the out-of-band agent does not register", name, rec.op)
			continue
		}
		reads := psArgReads(oobScript, m[1], map[string]bool{})
		sent := slices.Sorted(maps.Keys(rec.args))
		if got := slices.Sorted(maps.Keys(reads)); !slices.Equal(got, sent) {
			t.Errorf("%s sends %v to %s, whose handler %s reads %v", name, sent, rec.op, m[1], got)
		}
	}
	for _, op := range []string{"oob.cleanup", "oob.cleanup.apppools"} {
		if !strings.Contains(agent, "$script:IisAgentOps['"+op+"']") {
			t.Errorf("Cleanup calls %s, which the agent does not register", op)
		}
	}
}

var (
	psArgKeyRE  = regexp.MustCompile(`Get-OobArg(?:String|Text) \$Arguments '([a-z_]+)'|\$Arguments\.([a-z_]+)`)
	psHelperRE  = regexp.MustCompile(`(Get-Oob[A-Za-z]+) \$Arguments`)
	psFuncStart = regexp.MustCompile(`(?m)^function ([A-Za-z-]+) \{$`)
)

// psArgReads is the request arguments a function of script reads, directly
// or through the Get-Oob* helpers it hands $Arguments to.
func psArgReads(script, fn string, seen map[string]bool) map[string]bool {
	out := map[string]bool{}
	if seen[fn] {
		return out
	}
	seen[fn] = true
	body := psFunctionBody(script, fn)
	for _, m := range psArgKeyRE.FindAllStringSubmatch(body, -1) {
		out[m[1]+m[2]] = true
	}
	for _, m := range psHelperRE.FindAllStringSubmatch(body, -1) {
		if m[1] == "Get-OobArgString" || m[1] == "Get-OobArgText" {
			continue
		}
		maps.Copy(out, psArgReads(script, m[1], seen))
	}
	return out
}

// psFunctionBody is the text from "function fn {" to the next top-level
// closing brace: the scripts keep each function's braces at column 0.
func psFunctionBody(script, fn string) string {
	for _, loc := range psFuncStart.FindAllStringSubmatchIndex(script, -1) {
		if script[loc[2]:loc[3]] != fn {
			continue
		}
		rest := script[loc[1]:]
		if end := strings.Index(rest, "\n}"); end >= 0 {
			return rest[:end]
		}
	}
	return ""
}

// The simulator answers every out-of-band step the tests can take, so
// TestAccRealHostPath (internal/provider) can run them without Windows.
func TestTheSimulatorAnswersEveryStep(t *testing.T) {
	for name, call := range adminCalls {
		rec := &recorder{}
		if err := call(t.Context(), &Admin{c: rec}); err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(rec.args)
		if err != nil {
			t.Fatal(err)
		}
		h := host.New(host.Options{})
		if _, perr := h.HandleOutOfBand(t.Context(), rec.op, raw); perr != nil && perr.Message == "unknown operation" {
			t.Errorf("%s: the simulator does not answer %s", name, rec.op)
		}
	}
}
