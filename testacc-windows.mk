# make testacc-windows: the acceptance suite against a real Windows host.
#
# The tests that take their host from newTestHost (internal/provider/
# acctest_test.go) run against IIS_ACC_HOST over WinRM, and their
# out-of-band steps run PowerShell on that host (internal/acchost); tests
# that need the simulator's counters or admin API keep their own simulated
# host. Without a host this target says what it needs and fails, so CI
# cannot mistake it for a pass. Included from pscheck.mk.
#
#   IIS_ACC_HOST        host name or address of a Windows Server 2016-2025 with IIS
#   IIS_ACC_USERNAME    an administrator of that host
#   IIS_ACC_PASSWORD    its password
#   IIS_ACC_AUTH        ntlm (default), basic, kerberos
#   IIS_ACC_HTTPS       true (default, port 5986) or false (5985)
#   IIS_ACC_PORT        WinRM port, when not the default
#   IIS_ACC_CA_CERT     PEM file of the CA that signed the WinRM listener's certificate
#   IIS_ACC_INSECURE    true to skip certificate verification (lab hosts only)
#   IIS_ACC_COMPUTER_NAME  the host's computer name, checked by data.iis_host
#   IIS_ACC_RUN         go test -run pattern (default: every acceptance test)
#   IIS_ACC_SKIP        go test -skip pattern (default: TestAccRealHostPath)

IIS_ACC_RUN ?= TestAcc
# TestAccRealHostPath runs the real-host tests against the simulator taken
# as a real host; with a real host it would only run them a second time.
IIS_ACC_SKIP ?= TestAccRealHostPath
TESTACC_WINDOWS_TIMEOUT ?= 60m

.PHONY: testacc-windows testacc-windows-env testacc-windows-clean testacc-windows-selfcheck

testacc-windows-env:
	@missing=""; \
	for v in IIS_ACC_HOST IIS_ACC_USERNAME IIS_ACC_PASSWORD; do \
		if [[ -z "$${!v:-}" ]]; then missing="$$missing $$v"; fi; \
	done; \
	if [[ -n "$$missing" ]]; then \
		echo "testacc-windows needs a real Windows host; not set:$$missing" >&2; \
		echo "  IIS_ACC_HOST      a Windows Server 2016-2025 with IIS (Web-Server, Web-Scripting-Tools) and WinRM" >&2; \
		echo "  IIS_ACC_USERNAME  an administrator of that host" >&2; \
		echo "  IIS_ACC_PASSWORD  its password" >&2; \
		echo "  optional: IIS_ACC_AUTH (ntlm), IIS_ACC_HTTPS (true), IIS_ACC_PORT, IIS_ACC_CA_CERT, IIS_ACC_INSECURE, IIS_ACC_COMPUTER_NAME, IIS_ACC_RUN" >&2; \
		echo "See README.md, 'Acceptance tests on a real Windows host'." >&2; \
		exit 2; \
	fi

# -parallel 4 keeps the run under WinRM's default MaxShellsPerUser (30)
# with two sessions per test.
testacc-windows: testacc-windows-env terraform
	TF_ACC=1 TF_ACC_TERRAFORM_PATH="$(TERRAFORM)" CHECKPOINT_DISABLE=1 \
		go test -count=1 -p 1 -parallel 4 -timeout $(TESTACC_WINDOWS_TIMEOUT) -run '$(IIS_ACC_RUN)' -skip '$(IIS_ACC_SKIP)' $(GO_TEST_FLAGS) ./internal/provider/...

# Removes the tfacc-* firewall rules, local users, sites, applications and
# app pools an interrupted run left on the host.
testacc-windows-clean: testacc-windows-env
	go run ./tools/testacc-clean

# The check `make test` runs: without a host, testacc-windows must fail
# and name what it needs (and never reach go test). It runs `make`, not
# $(MAKE), so `make -n test` does not run it.
testacc-windows-selfcheck:
	@out="$$(env -u IIS_ACC_HOST -u IIS_ACC_USERNAME -u IIS_ACC_PASSWORD -u MAKEFLAGS -u MAKELEVEL make -C "$(CURDIR)" --no-print-directory -s testacc-windows 2>&1)" && rc=0 || rc=$$?; \
	if [[ $$rc -eq 0 ]]; then echo "testacc-windows-selfcheck: testacc-windows passed without a host" >&2; exit 1; fi; \
	for want in "needs a real Windows host" IIS_ACC_HOST IIS_ACC_USERNAME IIS_ACC_PASSWORD README.md; do \
		if [[ "$$out" != *"$$want"* ]]; then echo "testacc-windows-selfcheck: output lacks '$$want':" >&2; echo "$$out" >&2; exit 1; fi; \
	done; \
	if [[ "$$out" == *"go test"* ]]; then echo "testacc-windows-selfcheck: go test ran without a host" >&2; exit 1; fi; \
	echo "testacc-windows-selfcheck: without a host, testacc-windows exits $$rc and says what it needs"
