package ntlm

import (
	"crypto/md5"
	"crypto/rc4"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// ErrBadSignature is returned when a sealed message does not carry the
// signature its bytes and sequence number call for: tampered, replayed,
// reordered or sealed with other keys. The RC4 stream has then moved on
// without the sender, so the security context is useless afterwards.
var ErrBadSignature = errors.New("ntlm: message signature does not match")

// The magic constants of MS-NLMP 3.4.5.2 and 3.4.5.3, NUL included.
var (
	clientSignMagic = []byte("session key to client-to-server signing key magic constant\x00")
	serverSignMagic = []byte("session key to server-to-client signing key magic constant\x00")
	clientSealMagic = []byte("session key to client-to-server sealing key magic constant\x00")
	serverSealMagic = []byte("session key to server-to-client sealing key magic constant\x00")
)

// SignatureSize is the length of an NTLMSSP_MESSAGE_SIGNATURE.
const SignatureSize = 16

// Sealer is the server's half of an NTLM security context (MS-NLMP 3.4):
// it unseals what the client sealed with the client-to-server keys and seals
// replies with the server-to-client keys. Each direction keeps its own RC4
// stream and sequence number across messages, so messages must be handled
// in the order they were sent, which one HTTP connection guarantees.
type Sealer struct {
	mu                 sync.Mutex
	flags              uint32
	sendSign, recvSign []byte
	sendSeal, recvSeal *rc4.Cipher
	sendSeq, recvSeq   uint32
	broken             bool
}

// NewServerSealer derives the server-side keys of an authenticated session.
// Only extended session security is supported: the challenge always offers
// it, and WinRM refuses sealing without it.
func NewServerSealer(s *Session) (*Sealer, error) {
	if s == nil || len(s.ExportedSessionKey) != 16 {
		return nil, errors.New("ntlm: sealing needs an authenticated session with a 16-byte key")
	}
	if s.Flags&FlagExtendedSessionSecurity == 0 {
		return nil, errors.New("ntlm: sealing without extended session security is not supported")
	}
	if s.Flags&FlagSeal == 0 {
		return nil, errors.New("ntlm: the client did not negotiate sealing")
	}
	key := s.ExportedSessionKey
	sendSeal, err := rc4.NewCipher(sealKey(s.Flags, key, serverSealMagic))
	if err != nil {
		return nil, fmt.Errorf("ntlm: server sealing key: %w", err)
	}
	recvSeal, err := rc4.NewCipher(sealKey(s.Flags, key, clientSealMagic))
	if err != nil {
		return nil, fmt.Errorf("ntlm: client sealing key: %w", err)
	}
	return &Sealer{
		flags:    s.Flags,
		sendSign: md5Of(key, serverSignMagic),
		recvSign: md5Of(key, clientSignMagic),
		sendSeal: sendSeal,
		recvSeal: recvSeal,
	}, nil
}

// sealKey is SEALKEY (MS-NLMP 3.4.5.3) with extended session security: the
// key is cut to the negotiated strength before hashing.
func sealKey(flags uint32, key, magic []byte) []byte {
	switch {
	case flags&Flag128 != 0:
	case flags&Flag56 != 0:
		key = key[:7]
	default:
		key = key[:5]
	}
	return md5Of(key, magic)
}

func md5Of(parts ...[]byte) []byte {
	h := md5.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// Seal encrypts a reply and returns it with its signature.
func (s *Sealer) Seal(msg []byte) (sealed, signature []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return nil, nil, ErrBadSignature
	}
	sealed = make([]byte, len(msg))
	s.sendSeal.XORKeyStream(sealed, msg)
	signature = s.sign(msg, s.sendSign, s.sendSeq, s.sendSeal)
	s.sendSeq++
	return sealed, signature, nil
}

// Unseal decrypts a client message and checks its signature. After a
// mismatch every later call fails too: the two RC4 streams no longer agree.
func (s *Sealer) Unseal(sealed, signature []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return nil, ErrBadSignature
	}
	if len(signature) != SignatureSize {
		s.broken = true
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d", ErrBadSignature, len(signature), SignatureSize)
	}
	msg := make([]byte, len(sealed))
	s.recvSeal.XORKeyStream(msg, sealed)
	want := s.sign(msg, s.recvSign, s.recvSeq, s.recvSeal)
	if subtle.ConstantTimeCompare(want, signature) != 1 {
		s.broken = true
		return nil, ErrBadSignature
	}
	s.recvSeq++
	return msg, nil
}

// sign is MAC (MS-NLMP 3.4.4.2): version 1, the first 8 bytes of
// HMAC_MD5(SignKey, seq || msg), encrypted with the direction's RC4 stream
// when the key was exchanged, then the sequence number.
func (s *Sealer) sign(msg, signKey []byte, seq uint32, handle *rc4.Cipher) []byte {
	var seqLE [4]byte
	binary.LittleEndian.PutUint32(seqLE[:], seq)
	checksum := hmacMD5(signKey, seqLE[:], msg)[:8]
	if s.flags&FlagKeyExch != 0 {
		handle.XORKeyStream(checksum, checksum)
	}
	sig := make([]byte, SignatureSize)
	binary.LittleEndian.PutUint32(sig[0:4], 1)
	copy(sig[4:12], checksum)
	copy(sig[12:16], seqLE[:])
	return sig
}
