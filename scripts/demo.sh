#!/usr/bin/env bash
# make demo: the provider against a simulated Windows host, end to end.
#
# Starts `terraform-provider-iis simulate` on a free loopback port over HTTPS,
# points Terraform at the freshly built provider through a temporary CLI
# configuration (dev_overrides, so no registry and no `terraform init`), then
# plans and applies examples/demo, changes the host behind Terraform's back
# with `simulate admin`, and shows the drift with a refresh-only plan.
# Everything lives in a temporary directory that is removed on exit; nothing
# in $HOME is touched.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin_dir=${BIN_DIR:-$root/bin}
terraform=${TERRAFORM:-$(command -v terraform || true)}
provider=$bin_dir/terraform-provider-iis

[[ -x $provider ]] || { echo "demo: $provider not built (run: make build)" >&2; exit 1; }
[[ -n $terraform && -x $terraform ]] || { echo "demo: no terraform (run: make demo, which finds or builds one)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/iis-demo.XXXXXX")
sim_pid=
cleanup() {
	if [[ -n $sim_pid ]]; then
		kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private copy of the provider: the simulator and every terraform command
# then run the same build even if bin/ is rebuilt meanwhile (the agent's hash
# must match between the two).
mkdir "$work/bin"
cp "$provider" "$work/bin/"
provider=$work/bin/terraform-provider-iis

if [[ -t 1 ]]; then bold=$'\e[1m' dim=$'\e[2m' reset=$'\e[0m'; else bold= dim= reset=; fi
step=0
section() {
	step=$((step + 1))
	printf '\n%s== %d. %s ==%s\n' "$bold" "$step" "$1" "$reset"
	[[ $# -gt 1 ]] && printf '%s%s%s\n' "$dim" "$2" "$reset"
	echo
}
# run shows a command, then runs it.
run() {
	printf '%s$ %s%s\n' "$dim" "$*" "$reset"
	"$@"
}

# --- the simulated host -------------------------------------------------------

section "Start a simulated Windows host" \
	"HTTPS with a CA generated for this run, NTLM, host state in a temporary file."

# A fresh password for this run; it travels by environment only.
IIS_SIM_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export IIS_SIM_PASSWORD
state=$work/host.json
ca=$work/ca.pem

"$provider" simulate --listen 127.0.0.1:0 --tls --state "$state" --ca-out "$ca" \
	--user administrator --computer-name WEB01 >"$work/simulate.log" 2>&1 &
sim_pid=$!

url=
for _ in $(seq 1 150); do
	if line=$(grep -m1 '^ready: ' "$work/simulate.log"); then
		url=${line#ready: }
		break
	fi
	if ! kill -0 "$sim_pid" 2>/dev/null; then
		cat "$work/simulate.log" >&2
		echo "demo: the simulator exited before it was ready" >&2
		exit 1
	fi
	sleep 0.1
done
[[ -n $url ]] || { cat "$work/simulate.log" >&2; echo "demo: the simulator was not ready in 15s" >&2; exit 1; }
sed 's/^/  /' "$work/simulate.log"

hostport=${url#*://}
hostport=${hostport%%/*}

# --- Terraform, pointed at the provider just built ------------------------------

cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "iisguard/iis" = "$work/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE=$work/terraformrc
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1 # no "run terraform apply" hints between the steps

# The provider block in examples/demo is empty: the connection comes from the
# environment, as it would in CI.
export IIS_HOST=${hostport%:*}
export IIS_PORT=${hostport##*:}
export IIS_CA_CERT=$ca
export IIS_USERNAME=administrator
export IIS_PASSWORD=$IIS_SIM_PASSWORD

cp -R "$root/examples/demo" "$work/demo"
# Colour only on a terminal. Warnings come in their compact form, because
# Terraform repeats the dev_overrides notice on every command; tf_full shows
# them whole where a warning is the point of the step.
color=()
[[ -t 1 ]] || color=(-no-color)
tf_full() {
	local cmd=$1
	shift
	run "$terraform" -chdir="$work/demo" "$cmd" -input=false "${color[@]}" "$@"
}
tf() { tf_full "$@" -compact-warnings; }

section "A developer deploys the catalog application" \
	"In its own pool, as IIS Manager would make it: ApplicationPoolIdentity, the least privileged identity."
run "$provider" simulate admin --state "$state" add-pool catalog
run "$provider" simulate admin --state "$state" add-app "Default Web Site" /catalog catalog
echo "Content for two more sites, shop and blog, which Terraform will serve:"
run "$provider" simulate admin --state "$state" mkdir 'C:\sites\shop'
run "$provider" simulate admin --state "$state" mkdir 'C:\sites\blog'

section "terraform plan" \
	"A firewall rule and the catalog's anonymous identity to create; exposure and privilege are computed at plan time, and the data source reads the host."
tf plan -out=demo.tfplan

section "terraform apply" "Create the rule on the host, exactly as planned."
tf apply demo.tfplan

section "A change under review: open HTTPS to everyone" \
	"Plan only. The exposure rises in the diff itself, with a warning a reviewer cannot miss."
tf_full plan -var 'https_sources=["Any"]'

section "A change under review: run the catalog's pool as LocalSystem" \
	"Plan only. privilege: least -> full in the diff, and a warning naming what would run as SYSTEM."
tf_full plan -var 'catalog_identity=LocalSystem'

section "A change under review: move the blog onto the shop's pool" \
	"Plan only. Both sites would run as IIS AppPool\\shop: the plan warns that the boundary between them is gone, and names them."
tf_full plan -var 'blog_pool=shop'

section "A change under review: let the shop write its own web root" \
	"Plan only. privilege: least -> high for a writable web root, and a warning because the shop's pool answers anonymous requests."
tf_full plan -var 'shop_content_access=modify'

section "An administrator changes the host outside Terraform" \
	"simulate admin edits the host directly, as someone on the console would: open the rule to everyone on every profile, run the catalog's pool as LocalSystem, join a domain."
run "$provider" simulate admin --state "$state" set-rule demo-site-https-in remote-addresses=Any profiles=Any
run "$provider" simulate admin --state "$state" set-pool catalog processModel.identityType LocalSystem
run "$provider" simulate admin --state "$state" join-domain corp.example.com

section "terraform plan -refresh-only" \
	"The drift: what changed on the host since the last apply. Anonymous requests to the catalog now run as SYSTEM: its privilege follows the pool to full."
set +e
tf plan -refresh-only -detailed-exitcode
code=$?
set -e
case $code in
2) printf '\n%sDrift detected (plan -detailed-exitcode exited 2).%s\n' "$bold" "$reset" ;;
0) echo "demo: the out-of-band change did not show up as drift" >&2; exit 1 ;;
*) exit "$code" ;;
esac

section "terraform apply" "Put the rule back as the configuration says."
tf apply -auto-approve

section "The review a pull request gets" \
	"Both changes under review in one saved plan, reported by 'terraform-provider-iis review' as a CI job would post it. Exit status 1: the default gate (--fail-on escalation) stops the change."
tf plan -var 'https_sources=["Any"]' -var 'catalog_identity=LocalSystem' -out=change.tfplan >"$work/change-plan.log"
printf '%s$ %s%s\n' "$dim" "terraform show -json change.tfplan | terraform-provider-iis review" "$reset"
set +e
"$terraform" -chdir="$work/demo" show -json change.tfplan | "$provider" review
code=${PIPESTATUS[1]}
set -e
case $code in
1) printf '\n%sThe review failed the gate (exit 1), as CI should.%s\n' "$bold" "$reset" ;;
*) echo "demo: review exited $code, want 1 for an escalation" >&2; exit 1 ;;
esac

section "Clean up" "Remove what Terraform made from the host (quietly: the review above is the point), stop the simulator and remove the temporary directory."
"$terraform" -chdir="$work/demo" destroy -auto-approve -input=false -no-color >"$work/destroy.log" 2>&1 || { cat "$work/destroy.log" >&2; exit 1; }
grep -m1 '^Destroy complete' "$work/destroy.log" || true
kill "$sim_pid" && wait "$sim_pid" 2>/dev/null || true
sim_pid=
echo "done."
