# make lint: golangci-lint with .golangci.yml, on top of the main makefile's
# fmtcheck and vet. Included by the main makefile; make test runs it.
#
# golangci-lint is installed from the Go module proxy under a versioned
# name, so a version bump here reinstalls it. v2.15.0 is built with
# golang.org/x/tools v0.52, which reads Go 1.26 code; an older linter
# built for an older Go stops at the first file it cannot type-check.

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(TOOLS_BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: golangci-lint

golangci-lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS_BIN)/.install-golangci-lint
	GOBIN=$(TOOLS_BIN)/.install-golangci-lint GOFLAGS= \
		go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS_BIN)/.install-golangci-lint/golangci-lint $@
	rmdir $(TOOLS_BIN)/.install-golangci-lint

lint: golangci-lint

# make test runs golangci-lint too (about 1.5 minutes on 2 cores from a cold
# cache, seconds from a warm one).
test: golangci-lint
