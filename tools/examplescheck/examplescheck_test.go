package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A resource.tf and its import-by-string-id.tf declare the same resource,
// so validating their directory as one module would fail on a duplicate;
// a root module such as demo must be validated whole, or its references
// between files would fail.
func TestFindUnitsSplitsRegistryFilesAndKeepsModulesWhole(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "resources/iis_app_pool/resource.tf"), "")
	write(t, filepath.Join(root, "resources/iis_app_pool/import-by-string-id.tf"), "")
	write(t, filepath.Join(root, "resources/iis_app_pool/import.sh"), "")
	write(t, filepath.Join(root, "functions/rule_exposure/function.tf"), "")
	write(t, filepath.Join(root, "demo/main.tf"), "")
	write(t, filepath.Join(root, "demo/variables.tf"), "")
	write(t, filepath.Join(root, "demo/.terraform/modules/x/main.tf"), "")
	write(t, filepath.Join(root, "policy/iis.rego"), "")

	units, err := findUnits(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range units {
		names = append(names, u.name)
	}
	want := []string{
		"demo/",
		"functions/rule_exposure/function.tf",
		"resources/iis_app_pool/import-by-string-id.tf",
		"resources/iis_app_pool/resource.tf",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("units = %q, want %q", names, want)
	}
	if len(units[0].files) != 2 {
		t.Errorf("demo/ has files %q, want main.tf and variables.tf together", units[0].files)
	}
}

func TestStageDeclaresTheProviderOnlyWhenTheExampleDoesNot(t *testing.T) {
	src := t.TempDir()
	bare := filepath.Join(src, "resource.tf")
	write(t, bare, `resource "iis_app_pool" "x" { name = "x" }`+"\n")
	own := filepath.Join(src, "provider.tf")
	write(t, own, "terraform {\n  required_providers {\n    iis = { source = \"iisguard/iis\" }\n  }\n}\n")

	dir := t.TempDir()
	if err := stage(unit{name: "bare", files: []string{bare}}, dir); err != nil {
		t.Fatal(err)
	}
	added, err := os.ReadFile(filepath.Join(dir, "zz_examplescheck_providers.tf"))
	if err != nil {
		t.Fatalf("no provider requirements added to a bare example: %v", err)
	}
	if !strings.Contains(string(added), `source = "iisguard/iis"`) {
		t.Errorf("added requirements do not name iisguard/iis:\n%s", added)
	}

	dir = t.TempDir()
	if err := stage(unit{name: "own", files: []string{own}}, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "zz_examplescheck_providers.tf")); err == nil {
		t.Error("requirements added to an example that declares them: Terraform would reject the duplicate")
	}
}

func TestProblemsIgnoresOnlyTheDevOverridesNotice(t *testing.T) {
	out := `{"format_version":"1.0","valid":true,"error_count":0,"warning_count":2,"diagnostics":[
	  {"severity":"warning","summary":"Provider development overrides are in effect","detail":"..."},
	  {"severity":"warning","summary":"Deprecated attribute","detail":"The attribute \"password\" is deprecated.\nUse password_wo.",
	   "range":{"filename":"resource.tf","start":{"line":7}}}]}`
	got, err := problems([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`resource.tf:7: warning: Deprecated attribute: The attribute "password" is deprecated. Use password_wo.`}
	if !slices.Equal(got, want) {
		t.Fatalf("problems = %q, want %q", got, want)
	}
}

func TestProblemsReportsErrors(t *testing.T) {
	out := `{"valid":false,"diagnostics":[{"severity":"error","summary":"Unsupported argument","detail":"An argument named \"nam\" is not expected here."}]}`
	got, err := problems([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0], "Unsupported argument") {
		t.Fatalf("problems = %q, want the unsupported argument", got)
	}
	if got, _ := problems([]byte(`{"valid":false,"diagnostics":[]}`)); len(got) != 1 {
		t.Errorf("an invalid result without diagnostics passed: %q", got)
	}
	if _, err := problems([]byte("Error: something that is not JSON")); err == nil {
		t.Error("output that is not JSON was accepted")
	}
}

// A guide's Terraform blocks form one module, in page order; shell and
// text blocks are not Terraform, and a guide without Terraform is no unit.
func TestGuideUnitsTakeTheTerraformBlocksOfEachGuide(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "securing.md.tmpl"), "# Guide\n\n```terraform\nresource \"iis_app_pool\" \"a\" {\n  name = \"a\"\n}\n```\n\n"+
		"```sh\nterraform plan\n```\n\n```hcl\noutput \"a\" {\n  value = iis_app_pool.a.name\n}\n```\n")
	write(t, filepath.Join(dir, "review.md.tmpl"), "# Review\n\n```sh\nterraform show -json plan.out\n```\n")

	units, err := guideUnits(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].name != "guide securing.md.tmpl" {
		t.Fatalf("units = %+v, want the one guide with Terraform blocks", units)
	}
	got := string(units[0].inline["guide.tf"])
	want := "resource \"iis_app_pool\" \"a\" {\n  name = \"a\"\n}\n\noutput \"a\" {\n  value = iis_app_pool.a.name\n}\n"
	if got != want {
		t.Errorf("guide.tf =\n%s\nwant\n%s", got, want)
	}
}
