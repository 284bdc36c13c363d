package ntlm

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/bodgit/ntlmssp"
)

// sealedPair logs bodgit's client on and returns its security session with
// the server's sealer for the same logon. bodgit is an independent
// implementation of MS-NLMP, and the one masterzen's Encryption uses.
func sealedPair(t *testing.T) (*ntlmssp.SecuritySession, *Sealer) {
	t.Helper()
	c, err := ntlmssp.NewClient(ntlmssp.SetUserInfo("vagrant", "pw"), ntlmssp.SetDomain("WIN-SIM01"))
	if err != nil {
		t.Fatal(err)
	}
	neg, err := c.Authenticate(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, chal, err := NewChallenge(cfg, neg)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := c.Authenticate(chal, nil)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := h.Verify(auth, accounts(map[string]string{"vagrant": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServerSealer(sess)
	if err != nil {
		t.Fatal(err)
	}
	if c.SecuritySession() == nil {
		t.Fatal("bodgit has no security session after logon")
	}
	return c.SecuritySession(), s
}

func TestSealRoundTripsWithBodgitBothWays(t *testing.T) {
	client, server := sealedPair(t)
	for i := range 3 {
		req := []byte(fmt.Sprintf(`<s:Envelope>request %d</s:Envelope>`, i))
		sealed, sig, err := client.Wrap(req)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte("Envelope")) {
			t.Fatalf("message %d travels in the clear", i)
		}
		got, err := server.Unseal(sealed, sig)
		if err != nil {
			t.Fatalf("unseal request %d: %v", i, err)
		}
		if !bytes.Equal(got, req) {
			t.Fatalf("request %d: got %q, want %q", i, got, req)
		}

		reply := bytes.Repeat([]byte(fmt.Sprintf("<reply %d/>", i)), 100)
		sealed, sig, err = server.Seal(reply)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte("reply")) {
			t.Fatalf("reply %d travels in the clear", i)
		}
		back, err := client.Unwrap(sealed, sig)
		if err != nil {
			t.Fatalf("bodgit rejects reply %d: %v", i, err)
		}
		if !bytes.Equal(back, reply) {
			t.Fatalf("reply %d: bodgit read %q", i, back)
		}
	}
}

func TestUnsealRejectsTamperingAndReplay(t *testing.T) {
	cases := map[string]func(sealed, sig []byte) ([]byte, []byte){
		"flipped body byte":   func(m, s []byte) ([]byte, []byte) { m[3] ^= 1; return m, s },
		"flipped checksum":    func(m, s []byte) ([]byte, []byte) { s[5] ^= 1; return m, s },
		"wrong sequence":      func(m, s []byte) ([]byte, []byte) { s[12]++; return m, s },
		"truncated signature": func(m, s []byte) ([]byte, []byte) { return m, s[:12] },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			client, server := sealedPair(t)
			sealed, sig, err := client.Wrap([]byte("<s:Envelope>secret</s:Envelope>"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := server.Unseal(tamper(sealed, sig)); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("err = %v, want ErrBadSignature", err)
			}
			// The streams are out of step now: even a good message fails.
			sealed, sig, _ = client.Wrap([]byte("next"))
			if _, err := server.Unseal(sealed, sig); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("after tampering: err = %v, want ErrBadSignature", err)
			}
		})
	}

	t.Run("replay", func(t *testing.T) {
		client, server := sealedPair(t)
		sealed, sig, _ := client.Wrap([]byte("<s:Envelope>once</s:Envelope>"))
		if _, err := server.Unseal(append([]byte(nil), sealed...), sig); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Unseal(sealed, sig); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("replayed message accepted: err = %v", err)
		}
	})
}

func TestSealerNeedsNegotiatedSealing(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 16)
	if _, err := NewServerSealer(&Session{Flags: FlagExtendedSessionSecurity, ExportedSessionKey: key}); err == nil {
		t.Error("sealer built for a session that did not negotiate sealing")
	}
	if _, err := NewServerSealer(&Session{Flags: FlagSeal, ExportedSessionKey: key}); err == nil {
		t.Error("sealer built without extended session security")
	}
}
