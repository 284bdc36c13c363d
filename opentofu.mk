# OpenTofu as a second client: make testacc-tofu runs the acceptance suite
# under OpenTofu instead of Terraform. Included by the main makefile; .ci/run
# runs it after make test.
#
# tools/opentofu is a module of its own that pins OpenTofu and carries the
# one replace directive OpenTofu's go.mod needs for its HCL fork (go install
# pkg@version refuses a module with one). The binary is built from the Go
# module proxy into .tools/bin once, and again when that go.mod changes,
# with the linker flag OpenTofu's own release build sets: without it the
# binary calls itself 1.10.10-dev, and tfversion checks see a prerelease.
#
# plugin-testing finds the client through TF_ACC_TERRAFORM_PATH. OpenTofu
# refuses the legacy provider namespace "-" that the in-process provider is
# reattached under unless TF_ACC_PROVIDER_HOST and TF_ACC_PROVIDER_NAMESPACE
# name its own registry (opentofu/opentofu#977). tfversion checks compare
# OpenTofu's own version, so tests of write-only attributes (Terraform 1.11,
# OpenTofu 1.11) skip under 1.10 and say why.
#
# No -race here: make test runs the same provider code with -race under
# Terraform; this run checks the client, in about half the time.

TOFU := $(TOOLS_BIN)/tofu
TOFU_TIMEOUT ?= 45m

.PHONY: tofu testacc-tofu

tofu: $(TOFU)

$(TOFU): tools/opentofu/go.mod tools/opentofu/go.sum
	@echo "==> building OpenTofu from tools/opentofu/go.mod into $(TOOLS_BIN) (once; several minutes on 2 cores)"
	cd tools/opentofu && GOFLAGS=-mod=readonly go build -trimpath \
		-ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" \
		-o $(TOFU) github.com/opentofu/opentofu/cmd/tofu
	$(TOFU) version

testacc-tofu: $(TOFU) opa
	TF_ACC=1 TF_ACC_TERRAFORM_PATH="$(TOFU)" \
	TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=hashicorp \
	IIS_OPA_PATH="$(OPA)" CHECKPOINT_DISABLE=1 \
		go test -count=1 -timeout $(TOFU_TIMEOUT) $(GO_TEST_FLAGS) ./internal/provider/...
