package ntlm

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	azure "github.com/Azure/go-ntlmssp"
	"github.com/bodgit/ntlmssp"
)

func accounts(users map[string]string) Lookup {
	return func(user, domain string) (string, bool) {
		if domain != "" && !strings.EqualFold(domain, "WIN-SIM01") {
			return "", false
		}
		pw, ok := users[strings.ToLower(user)]
		return pw, ok
	}
}

var cfg = Config{ComputerName: "WIN-SIM01", Rand: rand.Reader}

// The vectors of MS-NLMP 4.2.4 (NTLMv2 authentication).
func TestNTOWFv2MatchesSpecVector(t *testing.T) {
	got := hex.EncodeToString(ntowfv2("Password", "User", "Domain"))
	if got != "0c868a403bfd7a93a3001ef22ef02e3f" {
		t.Fatalf("NTOWFv2 = %s, want the MS-NLMP 4.2.4.1.1 value", got)
	}
	server, _ := hex.DecodeString("0123456789abcdef")
	blob, _ := hex.DecodeString("0101000000000000" + "0000000000000000" + "aaaaaaaaaaaaaaaa" + "00000000" +
		"02000c0044006f006d00610069006e00" + "01000c005300650072007600650072000000" + "0000" + "00000000")
	proof := hmacMD5(ntowfv2("Password", "User", "Domain"), server, blob)
	if hex.EncodeToString(proof) != "68cd0ab851e51c96aabc927bebef6a1c" {
		t.Fatalf("NTProofStr = %x, want the MS-NLMP 4.2.4.2.2 value", proof)
	}
}

func azureLogon(t *testing.T, user, password string, lookup Lookup) (*Session, error) {
	t.Helper()
	neg, err := azure.NewNegotiateMessage("", "")
	if err != nil {
		t.Fatal(err)
	}
	h, chal, err := NewChallenge(cfg, neg)
	if err != nil {
		t.Fatalf("challenge: %v", err)
	}
	auth, err := azure.ProcessChallenge(chal, user, password, true)
	if err != nil {
		t.Fatalf("the Azure client rejects our challenge: %v", err)
	}
	return h.Verify(auth, lookup)
}

func TestAzureClientLogsOnWithTheRightPassword(t *testing.T) {
	s, err := azureLogon(t, "Vagrant", "s3cr3t!", accounts(map[string]string{"vagrant": "s3cr3t!"}))
	if err != nil {
		t.Fatalf("logon failed: %v", err)
	}
	if s.User != "Vagrant" || !strings.EqualFold(s.Domain, "WIN-SIM01") {
		t.Fatalf("session user %q domain %q", s.User, s.Domain)
	}
	if len(s.ExportedSessionKey) != 16 {
		t.Fatalf("session key of %d bytes", len(s.ExportedSessionKey))
	}
}

func TestWrongPasswordAndUnknownUserAreLogonFailures(t *testing.T) {
	lookup := accounts(map[string]string{"vagrant": "s3cr3t!"})
	if _, err := azureLogon(t, "vagrant", "S3cr3t!", lookup); !errors.Is(err, ErrLogonFailure) {
		t.Fatalf("wrong password: err = %v, want ErrLogonFailure", err)
	}
	if _, err := azureLogon(t, "nobody", "s3cr3t!", lookup); !errors.Is(err, ErrLogonFailure) {
		t.Fatalf("unknown user: err = %v, want ErrLogonFailure", err)
	}
}

// bodgit/ntlmssp asks for key exchange and sends a MIC, like the sealing
// clients (masterzen's Encryption, pywinrm) do.
func TestKeyExchangeClientWithMIC(t *testing.T) {
	lookup := accounts(map[string]string{"vagrant": "pw"})
	run := func(tamper bool) error {
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
			t.Fatalf("challenge: %v", err)
		}
		auth, err := c.Authenticate(chal, nil)
		if err != nil {
			t.Fatalf("bodgit rejects our challenge: %v", err)
		}
		if tamper {
			auth[72] ^= 0xff // first MIC byte
		}
		s, err := h.Verify(auth, lookup)
		if err == nil && s.Flags&FlagKeyExch == 0 {
			t.Errorf("key exchange not negotiated: flags %#x", s.Flags)
		}
		return err
	}
	if err := run(false); err != nil {
		t.Fatalf("logon with MIC failed: %v", err)
	}
	if err := run(true); !errors.Is(err, ErrLogonFailure) {
		t.Fatalf("tampered MIC: err = %v, want ErrLogonFailure", err)
	}
}

func TestChallengeNeverOffersLMKeyOrUnaskedKeyExchange(t *testing.T) {
	neg, _ := azure.NewNegotiateMessage("", "")
	_, chal, err := NewChallenge(cfg, neg)
	if err != nil {
		t.Fatal(err)
	}
	flags := uint32(chal[20]) | uint32(chal[21])<<8 | uint32(chal[22])<<16 | uint32(chal[23])<<24
	if flags&(FlagLMKey|FlagKeyExch) != 0 {
		t.Fatalf("challenge flags %#x offer LM_KEY or KEY_EXCH to a client that did not ask", flags)
	}
	if !bytes.Contains(chal, utf16le("WIN-SIM01")) {
		t.Fatal("challenge does not name the computer")
	}
}

func TestGarbageTokensAreMalformedNotPanics(t *testing.T) {
	for _, tok := range [][]byte{nil, []byte("NTLMSSP"), []byte("NTLMSSP\x00\x03\x00\x00\x00"),
		append([]byte("NTLMSSP\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0xff}, 60)...)} {
		if _, _, err := NewChallenge(cfg, tok); err == nil {
			t.Errorf("NewChallenge(%q) accepted garbage", tok)
		}
		h := &Handshake{}
		if _, err := h.Verify(tok, accounts(nil)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Verify(%q) = %v, want ErrMalformed", tok, err)
		}
	}
}

func FuzzHandshake(f *testing.F) {
	neg, _ := azure.NewNegotiateMessage("", "")
	f.Add(neg)
	f.Add([]byte("NTLMSSP\x00\x03\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, tok []byte) {
		// Neither side may panic or accept a token it could not parse.
		if h, _, err := NewChallenge(cfg, tok); err == nil {
			_, _ = h.Verify(tok, accounts(map[string]string{"u": "p"}))
		}
		h := &Handshake{}
		if s, err := h.Verify(tok, func(string, string) (string, bool) { return "p", true }); err == nil {
			t.Fatalf("fuzzed token logged on as %q", s.User)
		}
	})
}
