package host

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/base64"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// The password digest the agent's digest.ps1 derives, for every stored
// password the provider checks without reading it: pool identities and
// anonymous users.

// readCheck validates a request's password check, as the agent's
// Read-PasswordCheck does before anything is read or written: the salt and
// iterations are bounded, so a caller cannot make the host spin. No check
// is valid and asks for no digest.
func readCheck(c *hostapi.PasswordCheck) ([]byte, error) {
	if c == nil {
		return nil, nil
	}
	salt, err := base64.StdEncoding.DecodeString(c.Salt)
	if err != nil || len(salt) < hostapi.PasswordDigestMinSaltBytes {
		return nil, errf(protocol.InvalidArgument, "check.salt must be base64 of at least %d bytes", hostapi.PasswordDigestMinSaltBytes)
	}
	if c.Iterations < hostapi.PasswordDigestMinIterations || c.Iterations > hostapi.PasswordDigestMaxIterations {
		return nil, errf(protocol.InvalidArgument, "check.iterations must be between %d and %d",
			hostapi.PasswordDigestMinIterations, hostapi.PasswordDigestMaxIterations)
	}
	return salt, nil
}

// passwordDigest is hostapi.PasswordDigest: what Rfc2898DeriveBytes
// computes on the host.
func passwordDigest(password string, c *hostapi.PasswordCheck) (string, error) {
	salt, err := readCheck(c)
	if err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha1.New, password, salt, c.Iterations, hostapi.PasswordDigestBytes)
	if err != nil {
		return "", errf(protocol.Internal, "derive the password digest: %v", err)
	}
	return base64.StdEncoding.EncodeToString(key), nil
}
