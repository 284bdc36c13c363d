# Registry documentation and examples. Included by the main makefile; make
# test runs docs-check and examples-check.
#
#   make docs            format examples/, render docs/ with tfplugindocs
#   make generate        the same (the name HashiCorp's providers use)
#   make docs-check      fail when examples/ is unformatted or docs/ is stale
#   make examples-check  `terraform validate` every example against the
#                        built provider
#
# Both checks need no network: tfplugindocs gets the schema from the real
# `terraform providers schema -json` (scripts/docs.sh), and the examples
# are validated through a dev_overrides CLI configuration.

TFPLUGINDOCS_VERSION := v0.25.0
TFPLUGINDOCS := $(TOOLS_BIN)/tfplugindocs-$(TFPLUGINDOCS_VERSION)

.PHONY: docs generate docs-check examples-check tfplugindocs

# Installed from the Go module proxy under a versioned name, so a version
# bump here reinstalls instead of running a stale binary.
tfplugindocs: $(TFPLUGINDOCS)
$(TFPLUGINDOCS):
	@mkdir -p $(TOOLS_BIN)/.install-tfplugindocs
	GOBIN=$(TOOLS_BIN)/.install-tfplugindocs GOFLAGS= \
		go install github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@$(TFPLUGINDOCS_VERSION)
	mv $(TOOLS_BIN)/.install-tfplugindocs/tfplugindocs $@
	rmdir $(TOOLS_BIN)/.install-tfplugindocs

DOCS_ENV = TERRAFORM="$(TERRAFORM)" TFPLUGINDOCS="$(TFPLUGINDOCS)" PROVIDER="$(BIN_DIR)/$(BINARY)"

docs: build terraform $(TFPLUGINDOCS)
	$(DOCS_ENV) ./scripts/docs.sh generate

generate: docs

docs-check: build terraform $(TFPLUGINDOCS)
	$(DOCS_ENV) ./scripts/docs.sh check

examples-check: build terraform
	go run ./tools/examplescheck -terraform "$(TERRAFORM)" -provider "$(BIN_DIR)/$(BINARY)" \
		-examples examples -guides templates/guides

# make test runs both checks before its go test run.
test: docs-check examples-check
