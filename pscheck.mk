# pscheck: every internal/**/*.ps1 must parse as PowerShell (tree-sitter
# grammar, run under Node from tools/pscheck), use only Windows PowerShell
# 5.1 syntax (no ?? ?. ternary, && / || chains, -Parallel), call only the
# cmdlets and parameters in tools/pscheck/cmdlets.json (built from
# Microsoft's cmdlet reference, source recorded per entry) or functions the
# scripts define, import WebAdministration before the IIS: drive, and never
# let request data reach Invoke-Expression, [scriptblock]::Create, Add-Type
# or a command line. The tool's self-test runs first, so a grammar or table
# change that stopped catching bad scripts fails the build instead of
# passing everything.
# Included by the main makefile; `make test` depends on `pscheck` and on
# testacc-windows-selfcheck (testacc-windows.mk: the real-host suite fails
# clearly without a host).

PSCHECK_DIR ?= tools/pscheck
PSCHECK_DEPS := $(PSCHECK_DIR)/node_modules/.package-lock.json

# npm ci writes node_modules/.package-lock.json; it is the install stamp.
# --ignore-scripts: only the grammar's wasm is used, never its native addon.
$(PSCHECK_DEPS): $(PSCHECK_DIR)/package.json $(PSCHECK_DIR)/package-lock.json
	cd $(PSCHECK_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

-include testacc-windows.mk
PSCHECK_TARGET := pscheck $(if $(wildcard testacc-windows.mk),testacc-windows-selfcheck)

.PHONY: pscheck pscheck-selftest
pscheck-selftest: $(PSCHECK_DEPS)
	cd $(PSCHECK_DIR) && node --test selftest.mjs

pscheck: pscheck-selftest
	node $(PSCHECK_DIR)/pscheck.mjs internal
