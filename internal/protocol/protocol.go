// Package protocol is the wire contract between the provider and the agent
// that runs on the Windows host: the request and response envelopes, the
// closed set of error kinds, and the line framing used on the agent's stdin
// and stdout. It is shared by the client (internal/remote) and by the
// simulated host (internal/winsim), so both speak exactly the same bytes.
//
// Framing:
//   - The first stdin line is the agent script itself, base64 of its UTF-8
//     text; the fixed bootstrap checks its SHA-256 before running it.
//   - Every following stdin line is one request: base64(JSON(Request)) + "\n".
//     Several lines may travel in one WinRM Send (batching).
//   - Every response is one stdout line: ResponsePrefix +
//     base64(JSON(Response)) + "\r\n". Lines without the prefix are noise
//     (profile output, warnings) and are ignored by the reader.
//   - When the agent is ready it writes a response with ID 0 whose result is
//     a Hello.
//
// Base64 keeps user data out of any position where PowerShell, cmd.exe or XML
// could interpret it: the alphabet cannot close a quote, open a subexpression
// or end a CDATA section.
package protocol

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ResponsePrefix marks a response line on the agent's stdout.
const ResponsePrefix = "#<IISAGENT1>"

// LanguageModeRefusal starts what the bootstrap writes on stderr, before
// it exits with LanguageModeExitCode, when PowerShell on the host does not
// run in FullLanguage: under WDAC or AppLocker script enforcement (or
// __PSLockdownPolicy) it runs in ConstrainedLanguage, where the agent's
// .NET calls fail one by one with errors that name none of this
// (learn.microsoft.com about_Language_Modes). The mode's name follows,
// then " mode".
const LanguageModeRefusal = "iis-agent: PowerShell runs in "

// LanguageModeExitCode is the bootstrap's exit code for that refusal.
const LanguageModeExitCode = 4

// MaxLine bounds one framed line, so a hostile or broken peer cannot make
// the reader buffer without limit.
const MaxLine = 16 << 20

// Kind is the closed set of error kinds an operation can fail with.
type Kind string

const (
	NotFound        Kind = "not_found"
	AlreadyExists   Kind = "already_exists"
	InvalidArgument Kind = "invalid_argument"
	AccessDenied    Kind = "access_denied"
	Locked          Kind = "locked"
	Conflict        Kind = "conflict"
	Unavailable     Kind = "unavailable"
	Internal        Kind = "internal"
)

// Kinds lists every valid Kind.
var Kinds = []Kind{NotFound, AlreadyExists, InvalidArgument, AccessDenied, Locked, Conflict, Unavailable, Internal}

// Valid reports whether k is one of the closed set.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Request is one operation sent to the agent.
type Request struct {
	ID   uint64          `json:"id"`
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args,omitempty"`
	// More says further requests follow in the same write to stdin: the
	// agent may hold this answer and send it with theirs, in one write to
	// stdout, which WinRS returns in one Receive. Without it (every
	// request of an older client) the agent answers at once.
	More bool `json:"more,omitempty"`
}

// Response answers the Request with the same ID.
type Response struct {
	ID     uint64          `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// Error is a failed operation as the agent reports it.
type Error struct {
	Kind    Kind   `json:"kind"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Kind, e.Message) }

// Hello is the result of the ready response (ID 0).
type Hello struct {
	Agent     string `json:"agent"`
	PSVersion string `json:"ps_version"`
}

// EncodeRequest frames r as one stdin line.
func EncodeRequest(r Request) ([]byte, error) {
	if r.ID == 0 {
		return nil, errors.New("protocol: request id 0 is reserved for the ready response")
	}
	if r.Op == "" {
		return nil, errors.New("protocol: request without op")
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("protocol: encode request %s: %w", r.Op, err)
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(raw))+1)
	base64.StdEncoding.Encode(out, raw)
	out[len(out)-1] = '\n'
	return out, nil
}

// DecodeRequest parses one stdin line (with or without its line ending).
func DecodeRequest(line []byte) (Request, error) {
	var r Request
	raw, err := decodeLine(line)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("protocol: request is not JSON: %w", err)
	}
	if r.ID == 0 || r.Op == "" {
		return r, errors.New("protocol: request needs an id and an op")
	}
	return r, nil
}

// EncodeResponse frames r as one stdout line.
func EncodeResponse(r Response) []byte {
	raw, err := json.Marshal(r)
	if err != nil {
		// Result is RawMessage produced by json.Marshal; only invalid
		// RawMessage can fail, and that is a programming error on our side.
		raw, _ = json.Marshal(Response{ID: r.ID, Error: &Error{Kind: Internal, Message: "unencodable response"}})
	}
	var b bytes.Buffer
	b.Grow(len(ResponsePrefix) + base64.StdEncoding.EncodedLen(len(raw)) + 2)
	b.WriteString(ResponsePrefix)
	b.WriteString(base64.StdEncoding.EncodeToString(raw))
	b.WriteString("\r\n")
	return b.Bytes()
}

// DecodeResponse parses one framed stdout line. ok is false for a noise line
// (one without ResponsePrefix); err is set for a framed line that is broken.
// The frame may follow noise on the same line: output a host wrote without
// a newline before the agent started (a UTF-8 byte order mark, a banner
// ending in Write-Host -NoNewline) would otherwise swallow the agent's hello.
func DecodeResponse(line []byte) (r Response, ok bool, err error) {
	line = bytes.TrimRight(line, "\r\n")
	i := bytes.Index(line, []byte(ResponsePrefix))
	if i < 0 {
		return r, false, nil
	}
	rest := line[i+len(ResponsePrefix):]
	raw, err := decodeLine(rest)
	if err != nil {
		return r, true, err
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, true, fmt.Errorf("protocol: response is not JSON: %w", err)
	}
	if !r.OK && (r.Error == nil || !r.Error.Kind.Valid()) {
		return r, true, fmt.Errorf("protocol: failed response %d without a valid error kind", r.ID)
	}
	return r, true, nil
}

func decodeLine(line []byte) ([]byte, error) {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) > MaxLine {
		return nil, fmt.Errorf("protocol: frame of %d bytes exceeds %d", len(line), MaxLine)
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(line)))
	n, err := base64.StdEncoding.Decode(raw, line)
	if err != nil {
		return nil, fmt.Errorf("protocol: frame is not base64: %w", err)
	}
	return raw[:n], nil
}

// LineReader splits a byte stream (the agent's stdout or stdin as it arrives
// in chunks) into lines, bounded by MaxLine.
type LineReader struct {
	s *bufio.Scanner
}

// NewLineReader reads lines from r.
func NewLineReader(r io.Reader) *LineReader {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64<<10), MaxLine+2)
	return &LineReader{s: s}
}

// Next returns the next line without its ending, or io.EOF.
func (l *LineReader) Next() ([]byte, error) {
	if l.s.Scan() {
		return bytes.TrimRight(l.s.Bytes(), "\r"), nil
	}
	if err := l.s.Err(); err != nil {
		return nil, fmt.Errorf("protocol: read line: %w", err)
	}
	return nil, io.EOF
}
