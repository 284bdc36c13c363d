package iis

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// PasswordProof lets the provider tell, on a later read, whether a
// password on the host (a pool identity's, an anonymous user's) is still
// the one it set, without the password ever coming back: the host derives a digest from the stored password with a
// salt the provider chose (hostapi.PasswordDigest*), and the provider
// keeps salt, iterations and digest. The digest is slow to derive, so that
// keeping it is not the same as keeping a fast hash of the password.
type PasswordProof struct {
	Salt       string `json:"salt"`
	Iterations int    `json:"iterations"`
	Digest     string `json:"digest"`
}

// DefaultProofIterations is the PBKDF2 iteration count new proofs use:
// some tens of milliseconds on a host, paid once per identity per refresh,
// which a fleet of pools multiplies. It makes testing guesses against a
// digest kept in state that many times dearer than against a plain hash;
// proofs carry their count, so it can be raised without breaking old
// state.
const DefaultProofIterations = 20000

// NewPasswordCheck draws a fresh random salt for a proof.
func NewPasswordCheck(iterations int) (*hostapi.PasswordCheck, error) {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("draw a salt for the password check: %w", err)
	}
	return &hostapi.PasswordCheck{Salt: base64.StdEncoding.EncodeToString(salt), Iterations: iterations}, nil
}

// Check is the request that asks the host for this proof's digest again.
func (p PasswordProof) Check() *hostapi.PasswordCheck {
	if p.Salt == "" {
		return nil
	}
	return &hostapi.PasswordCheck{Salt: p.Salt, Iterations: p.Iterations}
}

// Matches reports whether two proofs of the same salt agree, in constant
// time.
func (p PasswordProof) Matches(other PasswordProof) bool {
	if p.Salt != other.Salt || p.Iterations != other.Iterations || p.Digest == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(p.Digest), []byte(other.Digest)) == 1
}

// proofFromWire is the proof a host's answer to check carries; empty
// without a check or when no password is stored.
func proofFromWire(check *hostapi.PasswordCheck, digest string) PasswordProof {
	if check == nil || digest == "" {
		return PasswordProof{}
	}
	return PasswordProof{Salt: check.Salt, Iterations: check.Iterations, Digest: digest}
}
