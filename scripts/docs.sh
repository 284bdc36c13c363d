#!/usr/bin/env bash
# make docs / make docs-check: the registry documentation in docs/, rendered
# by tfplugindocs from templates/, examples/ and the provider's schema.
#
#   scripts/docs.sh generate   format the examples, render docs/ in place
#   scripts/docs.sh check      fail when the examples are not formatted or
#                              docs/ differs from a fresh rendering
#
# Offline: the schema comes from the real `terraform providers schema -json`
# run against the built provider through a temporary dev_overrides CLI
# configuration (no registry, no init), and is handed to tfplugindocs with
# --providers-schema, so it never builds the provider or downloads
# Terraform itself.
#
# tfplugindocs replaces docs/index.md and the directories it manages
# (resources, data-sources, functions, guides, ...) and leaves every other
# file in docs/ alone, so project pages such as docs/simulator-fidelity.md
# can live beside the registry pages. Guides are rendered from
# templates/guides/*.md.tmpl: edit those, never docs/guides/.
#
# Environment: TERRAFORM, TFPLUGINDOCS, PROVIDER (the built binary).
set -euo pipefail

mode=${1:-}
case $mode in
generate | check) ;;
*) echo "usage: $0 generate|check" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
terraform=${TERRAFORM:-$(command -v terraform || true)}
tfplugindocs=${TFPLUGINDOCS:-$root/.tools/bin/tfplugindocs}
provider=${PROVIDER:-$root/bin/terraform-provider-iis}

[[ -x $provider ]] || { echo "docs: $provider not built (run: make build)" >&2; exit 1; }
[[ -n $terraform && -x $terraform ]] || { echo "docs: no terraform (run through make, which finds or builds one)" >&2; exit 1; }
[[ -x $tfplugindocs ]] || { echo "docs: $tfplugindocs missing (run through make, which installs it)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/iis-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A private copy of the provider, so a rebuild of bin/ meanwhile cannot
# change the schema halfway.
mkdir "$work/bin"
cp "$provider" "$work/bin/"

# The configuration names the provider without a source, so Terraform
# reports its schema as registry.terraform.io/hashicorp/iis: the only full
# address under which tfplugindocs looks for it (besides the bare "iis").
cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/iis" = "$work/bin"
  }
  direct {}
}
EOF
mkdir "$work/schema"
echo 'provider "iis" {}' >"$work/schema/main.tf"
TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 \
	"$terraform" -chdir="$work/schema" providers schema -json >"$work/schema.json" 2>"$work/schema.log" ||
	{ cat "$work/schema.log" >&2; echo "docs: terraform providers schema failed" >&2; exit 1; }

# render DIR: tfplugindocs over the templates and examples in DIR, into
# DIR/docs. Its progress log is shown only when it fails.
render() {
	"$tfplugindocs" generate --provider-dir "$1" --providers-schema "$work/schema.json" \
		--provider-name iis --rendered-provider-name "IIS" >"$work/generate.log" 2>&1 ||
		{ cat "$work/generate.log" >&2; echo "docs: tfplugindocs generate failed" >&2; exit 1; }
	grep -i 'warn' "$work/generate.log" >&2 || true
	"$tfplugindocs" validate --provider-dir "$1" --providers-schema "$work/schema.json" \
		--provider-name iis >"$work/validate.log" 2>&1 ||
		{ cat "$work/validate.log" >&2; echo "docs: tfplugindocs validate rejects the rendered docs" >&2; exit 1; }
}

if [[ $mode == generate ]]; then
	"$terraform" fmt -recursive "$root/examples"
	render "$root"
	echo "docs: rendered docs/ from templates/ and examples/"
	exit 0
fi

if ! "$terraform" fmt -check -recursive -diff "$root/examples" >"$work/fmt.log" 2>&1; then
	cat "$work/fmt.log" >&2
	echo "docs-check: examples/ is not formatted (run: make docs)" >&2
	exit 1
fi

# Render a copy, so the check never touches the working tree another
# process may be editing, and compare everything in docs/, project pages
# included: a rendering that deleted one would show up here.
mkdir "$work/site"
cp -R "$root/templates" "$root/examples" "$root/docs" "$work/site/"
render "$work/site"
ln -s "$root/docs" "$work/committed"
ln -s "$work/site/docs" "$work/rendered"
if ! (cd "$work" && diff -ru committed/ rendered/) >"$work/docs.diff"; then
	cat "$work/docs.diff" >&2
	echo "docs-check: docs/ is stale: run make docs and commit docs/ (the diff above is what it would change)" >&2
	exit 1
fi
echo "docs-check: docs/ is up to date"
