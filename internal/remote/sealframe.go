package remote

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The framing of an NTLM-sealed WinRM message (MS-WSMV 2.2.9.1) as Windows,
// pywinrm and masterzen's encryption.go write it: tab-indented part headers
// and the sealed bytes straight after the last header line.
const (
	sealProtocol    = "application/HTTP-SPNEGO-session-encrypted"
	sealBoundary    = "--Encrypted Boundary"
	sealContentType = `multipart/encrypted;protocol="` + sealProtocol + `";boundary="Encrypted Boundary"`
	sealOctetHeader = "\tContent-Type: application/octet-stream\r\n"
	ntlmSigSize     = 16
)

var errSealFraming = errors.New("malformed multipart/encrypted reply")

// frameSealed wraps a signature and the sealed bytes of a message whose
// clear text was length bytes long.
func frameSealed(sig, sealed []byte, length int) []byte {
	var b bytes.Buffer
	b.WriteString(sealBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + sealProtocol + "\r\n")
	fmt.Fprintf(&b, "\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d\r\n", length)
	b.WriteString(sealBoundary + "\r\n")
	b.WriteString(sealOctetHeader)
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(sig)))
	b.Write(n[:])
	b.Write(sig)
	b.Write(sealed)
	b.WriteString(sealBoundary + "--\r\n")
	return b.Bytes()
}

// parseSealed reads one sealed part by its declared length, not by
// boundary: sealed bytes may contain anything, the boundary included.
func parseSealed(body []byte) (length int, sig, sealed []byte, err error) {
	rest, ok := bytes.CutPrefix(body, []byte(sealBoundary+"\r\n"))
	if !ok {
		return 0, nil, nil, fmt.Errorf("%w: no opening boundary", errSealFraming)
	}
	header, rest, ok := bytes.Cut(rest, []byte(sealBoundary+"\r\n"))
	if !ok {
		return 0, nil, nil, fmt.Errorf("%w: no second part", errSealFraming)
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
		return 0, nil, nil, fmt.Errorf("%w: no OriginalContent length", errSealFraming)
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(sealOctetHeader)); !ok {
		return 0, nil, nil, fmt.Errorf("%w: second part is not application/octet-stream", errSealFraming)
	}
	if len(rest) < 4 {
		return 0, nil, nil, fmt.Errorf("%w: no signature length", errSealFraming)
	}
	sigLen := int(binary.LittleEndian.Uint32(rest))
	rest = rest[4:]
	if sigLen != ntlmSigSize || len(rest) < sigLen+length {
		return 0, nil, nil, fmt.Errorf("%w: signature or sealed bytes cut short", errSealFraming)
	}
	sig, sealed, rest = rest[:sigLen], rest[sigLen:sigLen+length], rest[sigLen+length:]
	if !bytes.Equal(bytes.TrimPrefix(rest, []byte("\r\n")), []byte(sealBoundary+"--\r\n")) {
		return 0, nil, nil, fmt.Errorf("%w: no closing boundary after the sealed bytes", errSealFraming)
	}
	return length, sig, sealed, nil
}
