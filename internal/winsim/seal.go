package winsim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/ntlm"
)

// The framing of an NTLM-sealed WinRM message (MS-WSMV 2.2.9.1), byte for
// byte as Windows and masterzen's encryption.go write it: the headers of
// each part start with a tab, and the sealed bytes follow the last header
// line directly, with no blank line.
const (
	sealProtocol     = "application/HTTP-SPNEGO-session-encrypted"
	sealBoundary     = "--Encrypted Boundary"
	sealContentType  = `multipart/encrypted;protocol="` + sealProtocol + `";boundary="Encrypted Boundary"`
	sealOctetHeader  = "\tContent-Type: application/octet-stream\r\n"
	sealOriginalType = "application/soap+xml;charset=UTF-8"
)

var (
	// errNotSealable: a sealed body where no NTLM context with sealing
	// exists (Basic, or a logon that did not negotiate SEAL).
	errNotSealable = errors.New("sealed message on a connection without an NTLM sealing context")
	// errBadFraming: the multipart/encrypted body cannot be read.
	errBadFraming = errors.New("malformed multipart/encrypted body")
)

// unseal returns the SOAP bytes of a request body and the sealer that must
// seal the reply, nil when the body arrived in clear text.
func unseal(r *http.Request, conn *connState, body []byte) ([]byte, *ntlm.Sealer, error) {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, "multipart/encrypted") {
		return body, nil, nil
	}
	if !strings.Contains(ct, strings.ToLower(sealProtocol)) {
		return nil, nil, fmt.Errorf("%w: protocol is not %s", errBadFraming, sealProtocol)
	}
	sealer, err := conn.sealerFor()
	if err != nil {
		return nil, nil, err
	}
	length, sig, sealed, err := parseSealed(body)
	if err != nil {
		return nil, nil, err
	}
	msg, err := sealer.Unseal(sealed, sig)
	if err != nil {
		// The RC4 streams are out of step: the logon is worthless now.
		conn.logoff()
		return nil, nil, err
	}
	if len(msg) != length {
		return nil, nil, fmt.Errorf("%w: OriginalContent Length=%d but %d bytes sealed", errBadFraming, length, len(msg))
	}
	return msg, sealer, nil
}

// sealerFor returns the connection's sealing context, made on first use
// from the session its NTLM logon established.
func (c *connState) sealerFor() (*ntlm.Sealer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sealer != nil {
		return c.sealer, nil
	}
	if c.session == nil {
		return nil, errNotSealable
	}
	sealer, err := ntlm.NewServerSealer(c.session)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotSealable, err)
	}
	c.sealer = sealer
	return sealer, nil
}

func (c *connState) logoff() {
	c.mu.Lock()
	c.user, c.session, c.sealer = "", nil, nil
	c.mu.Unlock()
}

// parseSealed reads one sealed part: the OriginalContent length, then the
// signature and exactly that many sealed bytes. Reading by length rather
// than by boundary matters: the sealed bytes may contain anything.
func parseSealed(body []byte) (length int, sig, sealed []byte, err error) {
	rest, ok := bytes.CutPrefix(body, []byte(sealBoundary+"\r\n"))
	if !ok {
		return 0, nil, nil, fmt.Errorf("%w: no opening boundary", errBadFraming)
	}
	header, rest, ok := bytes.Cut(rest, []byte(sealBoundary+"\r\n"))
	if !ok {
		return 0, nil, nil, fmt.Errorf("%w: no second part", errBadFraming)
	}
	length = -1
	for _, line := range strings.Split(string(header), "\r\n") {
		name, value, _ := strings.Cut(strings.TrimSpace(line), ":")
		if !strings.EqualFold(name, "OriginalContent") {
			continue
		}
		for _, p := range strings.Split(value, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "Length") {
				if n, err := strconv.Atoi(v); err == nil && n >= 0 {
					length = n
				}
			}
		}
	}
	if length < 0 {
		return 0, nil, nil, fmt.Errorf("%w: no OriginalContent length", errBadFraming)
	}
	rest, ok = bytes.CutPrefix(rest, []byte(sealOctetHeader))
	if !ok {
		return 0, nil, nil, fmt.Errorf("%w: second part is not application/octet-stream", errBadFraming)
	}
	if len(rest) < 4 {
		return 0, nil, nil, fmt.Errorf("%w: no signature length", errBadFraming)
	}
	sigLen := int(binary.LittleEndian.Uint32(rest))
	rest = rest[4:]
	if sigLen != ntlm.SignatureSize || len(rest) < sigLen+length {
		return 0, nil, nil, fmt.Errorf("%w: signature or sealed bytes cut short", errBadFraming)
	}
	sig, sealed, rest = rest[:sigLen], rest[sigLen:sigLen+length], rest[sigLen+length:]
	if !bytes.Equal(bytes.TrimPrefix(rest, []byte("\r\n")), []byte(sealBoundary+"--\r\n")) {
		return 0, nil, nil, fmt.Errorf("%w: no closing boundary after the sealed bytes", errBadFraming)
	}
	return length, sig, sealed, nil
}

// frameSealed seals a reply into the same framing the request came in.
func frameSealed(sealer *ntlm.Sealer, msg []byte) ([]byte, error) {
	sealed, sig, err := sealer.Seal(msg)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(sealBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + sealProtocol + "\r\n")
	fmt.Fprintf(&b, "\tOriginalContent: type=%s;Length=%d\r\n", sealOriginalType, len(msg))
	b.WriteString(sealBoundary + "\r\n")
	b.WriteString(sealOctetHeader)
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(sig)))
	b.Write(sig)
	b.Write(sealed)
	b.WriteString(sealBoundary + "--\r\n")
	return b.Bytes(), nil
}
