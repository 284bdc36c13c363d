// Package ntlm is the server side of NTLMv2 authentication (MS-NLMP) as
// HTTP.sys performs it for the WinRM listener: it answers a NEGOTIATE
// message with a CHALLENGE and verifies the client's AUTHENTICATE message
// against a local account's password.
//
// Only what a workgroup Windows Server does for local accounts is modelled:
// NTLMv2 responses (NTLMv1 and LM are refused, as with LmCompatibilityLevel
// 5), raw NTLMSSP tokens (no SPNEGO wrapping) and connection-oriented mode.
// The session keys are derived and kept on the Session so that message
// sealing can be added without touching the handshake.
package ntlm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// Negotiate flags (MS-NLMP 2.2.2.5).
const (
	FlagUnicode                 uint32 = 0x00000001
	FlagOEM                     uint32 = 0x00000002
	FlagRequestTarget           uint32 = 0x00000004
	FlagSign                    uint32 = 0x00000010
	FlagSeal                    uint32 = 0x00000020
	FlagLMKey                   uint32 = 0x00000080
	FlagNTLM                    uint32 = 0x00000200
	FlagAnonymous               uint32 = 0x00000800
	FlagAlwaysSign              uint32 = 0x00008000
	FlagTargetTypeServer        uint32 = 0x00020000
	FlagExtendedSessionSecurity uint32 = 0x00080000
	FlagTargetInfo              uint32 = 0x00800000
	FlagVersion                 uint32 = 0x02000000
	Flag128                     uint32 = 0x20000000
	FlagKeyExch                 uint32 = 0x40000000
	Flag56                      uint32 = 0x80000000
)

// Message types.
const (
	TypeNegotiate    uint32 = 1
	TypeChallenge    uint32 = 2
	TypeAuthenticate uint32 = 3
)

// AV_PAIR ids (MS-NLMP 2.2.2.1).
const (
	avEOL             uint16 = 0
	avNbComputerName  uint16 = 1
	avNbDomainName    uint16 = 2
	avDNSComputerName uint16 = 3
	avDNSDomainName   uint16 = 4
	avFlags           uint16 = 6
	avTimestamp       uint16 = 7
)

// avFlagMICPresent in MsvAvFlags says the AUTHENTICATE message carries a MIC.
const avFlagMICPresent uint32 = 0x00000002

var signature = []byte("NTLMSSP\x00")

// ErrMalformed wraps every parse failure of a token, so the HTTP layer can
// tell a broken client from a wrong password.
var ErrMalformed = errors.New("ntlm: malformed message")

// MessageType returns the type of an NTLMSSP message.
func MessageType(msg []byte) (uint32, error) {
	if len(msg) < 12 || !bytes.Equal(msg[:8], signature) {
		return 0, fmt.Errorf("%w: no NTLMSSP signature", ErrMalformed)
	}
	return binary.LittleEndian.Uint32(msg[8:12]), nil
}

// field reads a security buffer (len, maxlen, offset) at off and returns its
// payload, bounds-checked against msg.
func field(msg []byte, off int) ([]byte, error) {
	if off+8 > len(msg) {
		return nil, fmt.Errorf("%w: truncated header", ErrMalformed)
	}
	n := int(binary.LittleEndian.Uint16(msg[off:]))
	start := int(binary.LittleEndian.Uint32(msg[off+4:]))
	if n == 0 {
		return nil, nil
	}
	if start < 0 || start > len(msg) || n > len(msg)-start {
		return nil, fmt.Errorf("%w: field at %d points outside the message", ErrMalformed, off)
	}
	return msg[start : start+n], nil
}

func putField(hdr []byte, off, payloadOff, n int) {
	binary.LittleEndian.PutUint16(hdr[off:], uint16(n))
	binary.LittleEndian.PutUint16(hdr[off+2:], uint16(n))
	binary.LittleEndian.PutUint32(hdr[off+4:], uint32(payloadOff))
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

func decodeString(b []byte, unicode bool) string {
	if !unicode {
		// OEM code page; local account names are ASCII in practice.
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// avPairs parses an AV_PAIR list into id -> value (first occurrence wins).
func avPairs(b []byte) (map[uint16][]byte, error) {
	out := map[uint16][]byte{}
	for len(b) >= 4 {
		id := binary.LittleEndian.Uint16(b)
		n := int(binary.LittleEndian.Uint16(b[2:]))
		if id == avEOL {
			return out, nil
		}
		if 4+n > len(b) {
			return nil, fmt.Errorf("%w: AV pair %d overruns the list", ErrMalformed, id)
		}
		if _, seen := out[id]; !seen {
			out[id] = b[4 : 4+n]
		}
		b = b[4+n:]
	}
	return nil, fmt.Errorf("%w: AV pair list without MsvAvEOL", ErrMalformed)
}

func appendAV(dst []byte, id uint16, val []byte) []byte {
	var h [4]byte
	binary.LittleEndian.PutUint16(h[:], id)
	binary.LittleEndian.PutUint16(h[2:], uint16(len(val)))
	dst = append(dst, h[:]...)
	return append(dst, val...)
}
