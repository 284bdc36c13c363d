package remote

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// redactor replaces registered secrets with "***" in any text that may
// leave this package: agent error messages, stderr, transport errors.
type redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is masked whole
}

const redacted = "***"

// add registers a secret together with the forms it takes when an agent or
// a server echoes it back inside JSON or XML text.
func (r *redactor) add(secret string) {
	if secret == "" {
		return
	}
	forms := []string{secret, xmlEscape(secret)}
	// JSON writers differ on whether they escape <, > and & (Go and
	// PowerShell's ConvertTo-Json do); cover both spellings.
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(secret) == nil {
			q := strings.TrimSpace(b.String())
			forms = append(forms, q[1:len(q)-1])
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		if !contains(r.secrets, f) {
			r.secrets = append(r.secrets, f)
		}
	}
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func (r *redactor) redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }
