package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// hostileQuotes are every quote a PowerShell or cmd.exe parser might treat
// as one: ASCII, and U+2018 to U+201E, which PowerShell takes as quotes.
const hostileQuotes = "'\"\u2018\u2019\u201a\u201b\u201c\u201d\u201e"

// hostileText is text that would run something if it reached a shell or a
// script unquoted, or break out of XML: subexpressions, backticks,
// statement separators, a CDATA end, a comment, non-ASCII. Not "|", which
// Windows refuses in firewall rule texts (tested on its own below).
const hostileText = hostileQuotes + " $(Remove-Item C:\\ -Recurse) `whoami` ; & ]]> <!-- \u00e9\u00e8 \u65e5\u672c \U0001F512"

// Firewall display names and descriptions, and website and application
// physical paths, hold hostile text byte-exact on the host, through the
// real CLI; the plan after is empty, so nothing was altered on the way.
func TestAccHostileStringsStoredByteExact(t *testing.T) {
	h := newSiteSimHost(t)
	ctx := context.Background()
	if err := h.admin(t).AddSite(ctx, "shop", "shop", `C:\sites\shop`); err != nil {
		t.Fatal(err)
	}
	display := hostileText + "\nsecond line"
	desc := strings.Repeat(hostileText+"\n", 40) // about 2.5 KB
	sitePath := `C:\sites\` + hostileText
	appPath := `D:\apps\` + hostileText + `\api`
	cfg := h.providerConfig() +
		fwRuleConfig("hostile", "tfacc-hostile-attrs", `display_name = `+hclString(display), `description = `+hclString(desc),
			`protocol = "TCP"`, `local_ports = ["8443"]`, `remote_addresses = ["LocalSubnet"]`) +
		siteConfig("test", "hostile", `physical_path = `+hclString(sitePath), `application_pool = "shop"`, httpBinding("hostile.example.com")) +
		appConfig(`site = "shop"`, `path = "/api"`, `physical_path = `+hclString(appPath), `application_pool = "blog"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			// New-NetFirewallRule refuses "|" in both; so does the plan.
			Config: h.providerConfig() + fwRuleConfig("pipe", "tfacc-hostile-pipe", `display_name = "a | b"`, `description = "c | d"`,
				`protocol = "TCP"`, `local_ports = ["8443"]`),
			ExpectError: regexp.MustCompile(`(?s)display name must not contain the "\|" character.*description must not contain the "\|" character`),
		}, {
			Config: cfg,
			Check: func(*terraform.State) error {
				r, err := h.host.FirewallRule(ctx, "tfacc-hostile-attrs")
				if err != nil {
					return err
				}
				if r.DisplayName != display || r.Description != desc {
					return fmt.Errorf("rule on the host: display %q, description %d bytes (equal %v)", r.DisplayName, len(r.Description), r.Description == desc)
				}
				s, err := h.host.Site(ctx, "hostile")
				if err != nil {
					return err
				}
				if s.PhysicalPath != sitePath {
					return fmt.Errorf("site physical path on the host: %q, want %q", s.PhysicalPath, sitePath)
				}
				if s, err = h.host.Site(ctx, "shop"); err != nil {
					return err
				}
				for _, a := range s.Applications {
					if a.Path == "/api" && a.PhysicalPath == appPath {
						return nil
					}
				}
				return fmt.Errorf("no /api with physical path %q on the host: %+v", appPath, s.Applications)
			},
		}},
	})
}

// Pool names: IIS refuses some characters, and the plan refuses them
// first, naming the character; the rest, quotes of every kind, $() and
// backticks included, name a pool byte-exact.
func TestAccHostilePoolNames(t *testing.T) {
	h := newSimHost(t, simOptions{})
	// Every quote but '"', which IIS refuses.
	allowed := "p" + strings.ReplaceAll(hostileQuotes, `"`, "") + " $(x) `y` \u00e9\u65e5"
	steps := []resource.TestStep{}
	// Each refusal names what is wrong (the character, as %q quotes it).
	for bad, says := range map[string]string{
		`p"q`:                   `"\""`,
		"p;q":                   `";"`,
		"p]]>q":                 `"]"`,
		"p|q":                   `"|"`,
		`p\q`:                   `"\\"`,
		"p$(x)&y":               `"&"`,
		"p\nq":                  "control",
		".p":                    "starts",
		strings.Repeat("p", 65): "65",
	} {
		steps = append(steps, resource.TestStep{
			Config:      h.providerConfig() + poolConfig("bad", bad),
			ExpectError: regexp.MustCompile(`(?s)Invalid application pool name.*` + regexp.QuoteMeta(says)),
		})
	}
	steps = append(steps, resource.TestStep{
		Config: h.providerConfig() + poolConfig("test", allowed),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("iis_app_pool.test", plancheck.ResourceActionCreate),
		}},
		Check: func(*terraform.State) error {
			p, err := h.host.AppPool(context.Background(), allowed)
			if err != nil || p.Name != allowed {
				return fmt.Errorf("pool on the host: %q (%v), want %q", p.Name, err, allowed)
			}
			return nil
		},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps:                    steps,
	})
}

// User names with quotes, $() and backticks reach the host byte-exact as
// the identity of a pool and as the anonymous user; the passwords too.
// Names no Windows account can have (with '"' and ';') are refused at plan
// time, naming the attribute, the character and the accepted forms: IIS
// would store them and fail only when the pool starts or a request logs on.
func TestAccHostileUserNames(t *testing.T) {
	h := newAnonSimHost(t)
	admin := h.oob(t)
	// Windows refuses `"/\[]:;|=,+*?<>@` in account names; every other
	// quote is allowed.
	user := "svc" + strings.ReplaceAll(hostileQuotes, `"`, "") + "$(x)`y`\u00e9"
	pw := hostileText
	admin.addUser(user, pw)
	cfg := h.providerConfig() + poolConfig("p", "hostile-users") +
		identityConfig("test", "iis_app_pool.p.name", `identity_type = "SpecificUser"`,
			`username = `+hclString(`.\`+user), `password = `+hclString(pw)) +
		anonConfig("test", anonShop, `identity = "specific_user"`, `username = `+hclString(user), `password = `+hclString(pw))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: h.providerConfig() + identityConfig("bad", `"DefaultAppPool"`, `identity_type = "SpecificUser"`,
				`username = ".\\svc\"; $(x)"`, `password = "x"`),
			ExpectError: regexp.MustCompile(`(?s)Invalid account name.*username = ".*cannot be a Windows account: it\s+contains.*Accepted forms: DOMAIN\\user`),
		}, {
			Config: h.providerConfig() + anonConfig("bad", anonShop, `identity = "specific_user"`,
				`username = "svc\"; $(x)"`, `password = "x"`),
			ExpectError: regexp.MustCompile(`(?s)Invalid account name.*username = .*Accepted forms`),
		}, {
			Config: cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				func(*terraform.State) error {
					if got := admin.poolValue("hostile-users", "processModel.userName"); got != `.\`+user {
						return fmt.Errorf("pool identity on the host: %q, want %q", got, `.\`+user)
					}
					if admin.poolValue("hostile-users", "processModel.password") != pw {
						return fmt.Errorf("the pool's password on the host differs from the configured one")
					}
					return nil
				},
				expectAnonOnHost(t, h, anonShop, "true", user, pw),
			),
		}},
	})
}
