package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// Resources that send a password (iis_app_pool_identity,
// iis_anonymous_authentication) keep, in private state, the proof the host
// gave of it at the last apply, and ask the host for a digest under the
// same salt on every refresh: a password changed on the host is drift,
// though the password never travels back.

// proofKey is the private state key of the password proof: salt,
// iterations and digest, never the password.
const proofKey = "password_proof"

type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func loadProof(ctx context.Context, p privateState) (iis.PasswordProof, diag.Diagnostics) {
	var proof iis.PasswordProof
	raw, diags := p.GetKey(ctx, proofKey)
	if diags.HasError() || len(raw) == 0 {
		return proof, diags
	}
	if err := json.Unmarshal(raw, &proof); err != nil {
		// An unreadable proof only means no drift check until the next
		// apply writes a new one.
		return iis.PasswordProof{}, diags
	}
	return proof, diags
}

// saveProof keeps the proof, or removes it when there is none (an identity
// without a password).
func saveProof(ctx context.Context, p privateState, proof iis.PasswordProof) diag.Diagnostics {
	if proof.Digest == "" {
		return p.SetKey(ctx, proofKey, nil)
	}
	raw, err := json.Marshal(proof)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the password proof", err.Error())
		return diags
	}
	return p.SetKey(ctx, proofKey, raw)
}
