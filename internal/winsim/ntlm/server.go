package ntlm

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/crypto/md4"
)

// ErrLogonFailure is returned when the response does not match the
// account's password, the account is unknown, or the logon is anonymous.
// Windows reports all three the same way (a bare 401), so callers should too.
var ErrLogonFailure = errors.New("ntlm: logon failure: unknown user name or bad password")

// Config describes the server side of the handshake.
type Config struct {
	// ComputerName is the NetBIOS name (e.g. "WIN-SIM01"); on a workgroup
	// host it is also the NetBIOS domain and the target name clients hash.
	ComputerName string
	// DNSName is the host's DNS name; defaults to the lower-cased ComputerName.
	DNSName string
	// Now stamps MsvAvTimestamp; defaults to time.Now.
	Now func() time.Time
	// Rand supplies the server challenge.
	Rand io.Reader
}

// Lookup returns the password of a local account, given the user and
// domain exactly as the client sent them. ok is false for an unknown account.
type Lookup func(user, domain string) (password string, ok bool)

// Handshake is one connection's authentication in progress: the NEGOTIATE
// it received and the CHALLENGE it sent, both needed to check the MIC.
type Handshake struct {
	negotiate []byte
	challenge []byte
	server    [8]byte
	flags     uint32
}

// Session is an authenticated NTLM context. The keys are what message
// signing and sealing (MS-NLMP 3.4) derive their per-direction keys from.
type Session struct {
	User        string
	Domain      string
	Workstation string
	Flags       uint32
	// ExportedSessionKey is the key sealing and signing start from.
	ExportedSessionKey []byte
}

// Version is what the CHALLENGE advertises: Windows Server 2022 (10.0.20348),
// NTLM revision 15.
var serverVersion = [8]byte{10, 0, 0x4c, 0x4f, 0, 0, 0, 0x0f}

// NewChallenge answers a NEGOTIATE message. It returns the handshake state to
// keep on the connection and the CHALLENGE message to send.
func NewChallenge(cfg Config, negotiate []byte) (*Handshake, []byte, error) {
	typ, err := MessageType(negotiate)
	if err != nil {
		return nil, nil, err
	}
	if typ != TypeNegotiate {
		return nil, nil, fmt.Errorf("%w: expected NEGOTIATE, got message type %d", ErrMalformed, typ)
	}
	if len(negotiate) < 16 {
		return nil, nil, fmt.Errorf("%w: NEGOTIATE too short", ErrMalformed)
	}
	clientFlags := binary.LittleEndian.Uint32(negotiate[12:16])
	if clientFlags&FlagUnicode == 0 {
		return nil, nil, fmt.Errorf("%w: client does not offer Unicode", ErrMalformed)
	}

	// These are the flags the research found the Azure client accepts; KEY_EXCH,
	// SIGN and SEAL are only echoed when the client asks for them (sealing
	// clients do, masterzen's ClientNTLM does not), and LM_KEY never is.
	flags := FlagUnicode | FlagRequestTarget | FlagNTLM | FlagAlwaysSign |
		FlagExtendedSessionSecurity | FlagTargetInfo | FlagVersion |
		Flag128 | Flag56 | FlagTargetTypeServer
	flags |= clientFlags & (FlagSign | FlagSeal | FlagKeyExch)

	h := &Handshake{negotiate: append([]byte(nil), negotiate...), flags: flags}
	rnd := cfg.Rand
	if rnd == nil {
		return nil, nil, errors.New("ntlm: Config.Rand is required")
	}
	if _, err := io.ReadFull(rnd, h.server[:]); err != nil {
		return nil, nil, fmt.Errorf("ntlm: server challenge: %w", err)
	}

	name := strings.ToUpper(cfg.ComputerName)
	dns := cfg.DNSName
	if dns == "" {
		dns = strings.ToLower(cfg.ComputerName)
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	var ts [8]byte
	binary.LittleEndian.PutUint64(ts[:], fileTime(now()))

	var info []byte
	info = appendAV(info, avNbDomainName, utf16le(name))
	info = appendAV(info, avNbComputerName, utf16le(name))
	info = appendAV(info, avDNSDomainName, utf16le(dns))
	info = appendAV(info, avDNSComputerName, utf16le(dns))
	info = appendAV(info, avTimestamp, ts[:])
	info = appendAV(info, avEOL, nil)

	target := utf16le(name)
	const hdrLen = 56
	msg := make([]byte, hdrLen, hdrLen+len(target)+len(info))
	copy(msg, signature)
	binary.LittleEndian.PutUint32(msg[8:], TypeChallenge)
	putField(msg, 12, hdrLen, len(target))
	binary.LittleEndian.PutUint32(msg[20:], flags)
	copy(msg[24:32], h.server[:])
	putField(msg, 40, hdrLen+len(target), len(info))
	copy(msg[48:56], serverVersion[:])
	msg = append(msg, target...)
	msg = append(msg, info...)
	h.challenge = msg
	return h, msg, nil
}

// fileTime converts t to Windows FILETIME (100 ns ticks since 1601).
func fileTime(t time.Time) uint64 {
	return uint64(t.UnixNano()/100) + 116444736000000000
}

type authenticate struct {
	raw         []byte
	lm, nt      []byte
	domain      string
	user        string
	workstation string
	encKey      []byte
	flags       uint32
}

func parseAuthenticate(msg []byte) (*authenticate, error) {
	typ, err := MessageType(msg)
	if err != nil {
		return nil, err
	}
	if typ != TypeAuthenticate {
		return nil, fmt.Errorf("%w: expected AUTHENTICATE, got message type %d", ErrMalformed, typ)
	}
	if len(msg) < 64 {
		return nil, fmt.Errorf("%w: AUTHENTICATE too short", ErrMalformed)
	}
	a := &authenticate{raw: msg, flags: binary.LittleEndian.Uint32(msg[60:64])}
	fields := make([][]byte, 6)
	for i := range fields {
		if fields[i], err = field(msg, 12+8*i); err != nil {
			return nil, err
		}
	}
	unicode := a.flags&FlagUnicode != 0
	a.lm, a.nt = fields[0], fields[1]
	a.domain = decodeString(fields[2], unicode)
	a.user = decodeString(fields[3], unicode)
	a.workstation = decodeString(fields[4], unicode)
	a.encKey = fields[5]
	return a, nil
}

// Verify checks an AUTHENTICATE message against the account's password. A
// wrong password, an unknown account and an anonymous logon all return
// ErrLogonFailure; a token that cannot be parsed returns ErrMalformed.
func (h *Handshake) Verify(msg []byte, lookup Lookup) (*Session, error) {
	a, err := parseAuthenticate(msg)
	if err != nil {
		return nil, err
	}
	if a.user == "" || len(a.nt) == 0 {
		return nil, ErrLogonFailure
	}
	if len(a.nt) <= 24 {
		// An NTLMv1 response: refused like a host with LmCompatibilityLevel 5.
		return nil, ErrLogonFailure
	}
	if len(a.nt) < 16+28 || a.nt[16] != 1 || a.nt[17] != 1 {
		return nil, fmt.Errorf("%w: NTLMv2 response blob", ErrMalformed)
	}
	password, ok := lookup(a.user, a.domain)
	if !ok {
		return nil, ErrLogonFailure
	}

	owf := ntowfv2(password, a.user, a.domain)
	proof := a.nt[:16]
	blob := a.nt[16:]
	want := hmacMD5(owf, h.server[:], blob)
	if subtle.ConstantTimeCompare(want, proof) != 1 {
		return nil, ErrLogonFailure
	}

	// MS-NLMP 3.3.2: with NTLMv2 the key exchange key is the session base key.
	exported := hmacMD5(owf, proof)
	if h.flags&FlagKeyExch != 0 && a.flags&FlagKeyExch != 0 && len(a.encKey) == 16 {
		c, err := rc4.NewCipher(exported)
		if err != nil {
			return nil, fmt.Errorf("ntlm: session key: %w", err)
		}
		k := make([]byte, 16)
		c.XORKeyStream(k, a.encKey)
		exported = k
	}

	if err := h.checkMIC(a, blob, exported); err != nil {
		return nil, err
	}
	return &Session{
		User:               a.user,
		Domain:             a.domain,
		Workstation:        a.workstation,
		Flags:              h.flags & a.flags,
		ExportedSessionKey: exported,
	}, nil
}

// checkMIC verifies the message integrity code when the client says it sent
// one (MsvAvFlags bit 0x2 in its response blob). A tampered handshake then
// fails like a wrong password, as on Windows.
func (h *Handshake) checkMIC(a *authenticate, blob, key []byte) error {
	if len(blob) < 28 {
		return nil
	}
	pairs, err := avPairs(blob[28:])
	if err != nil {
		return err
	}
	f, ok := pairs[avFlags]
	if !ok || len(f) != 4 || binary.LittleEndian.Uint32(f)&avFlagMICPresent == 0 {
		return nil
	}
	const micOff = 72 // after the 64-byte header and the 8-byte Version
	if len(a.raw) < micOff+16 {
		return fmt.Errorf("%w: MIC announced but missing", ErrMalformed)
	}
	zeroed := append([]byte(nil), a.raw...)
	mic := append([]byte(nil), zeroed[micOff:micOff+16]...)
	clear(zeroed[micOff : micOff+16])
	want := hmacMD5(key, h.negotiate, h.challenge, zeroed)
	if subtle.ConstantTimeCompare(want, mic) != 1 {
		return ErrLogonFailure
	}
	return nil
}

// ntowfv2 is NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(MD4(UNICODE(password)),
// UNICODE(Uppercase(user) + domain)). The domain keeps the client's case.
func ntowfv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}
