package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A name no Windows account can have fails the plan, before any host is
// asked, at the attribute that holds it, saying why and which forms are
// accepted; IIS would store it and fail only when the pool starts or an
// anonymous request logs on.
func TestAccAccountNamesRefusedAtPlan(t *testing.T) {
	h := newAnonSimHost(t)
	step := func(cfg, want string) resource.TestStep {
		return resource.TestStep{Config: h.providerConfig() + cfg, PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Invalid account name.*` + want + `.*Accepted\s+forms:\s+DOMAIN\\user`)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			step(identityConfig("test", `"DefaultAppPool"`, `identity_type = "SpecificUser"`,
				`username = "CONTOSO\\abcdefghijklmnopqrstu"`, `password = "x"`),
				`username = "CONTOSO\\\\abcdefghijklmnopqrstu" cannot be a Windows account: the\s+account name has 21 characters`),
			step(identityConfig("test", `"DefaultAppPool"`, `identity_type = "SpecificUser"`,
				`username = "svc@contoso_com"`, `password = "x"`),
				`username = "svc@contoso_com" cannot be a Windows account: "contoso_com" after\s+'@' is not a domain name`),
			step(anonConfig("test", anonShop, `identity = "specific_user"`, `username = "web|anon"`, `password = "x"`),
				`username = "web\|anon" cannot be a Windows account: it contains "\|"`),
			step(contentConfig(`path = "C:\\sites\\shop"`, `account = "BUILTIN\\IIS[IUSRS]"`, `access = "read"`),
				`account = "BUILTIN\\\\IIS\[IUSRS\]" cannot be a Windows account: it contains "\["`),
		},
	})
}
