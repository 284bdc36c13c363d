package winsim

import (
	"sync"
)

// Stats counts what the server saw since Start or the last ResetStats.
type Stats struct {
	// Requests is every HTTP request, including the 401 rounds of an NTLM
	// handshake: the round trips a client paid for.
	Requests int64
	// Shells is shells created; ShellsOpen is shells open right now.
	Shells     int64
	ShellsOpen int64
	// Commands is processes started by Command.
	Commands int64
	// AuthFailures is requests refused for bad credentials: wrong password,
	// unknown account, Basic while Basic is off, a broken NTLM token.
	AuthFailures int64
	// KerberosLogons is requests authenticated by a Kerberos service
	// ticket.
	KerberosLogons int64
	// UnencryptedRejected is authenticated plain-HTTP requests refused
	// because they were not sealed and AllowUnencrypted is false.
	UnencryptedRejected int64
	// Faults is SOAP fault replies, injected ones included.
	Faults int64
	// Injected is faults fired from Options.Faults.
	Injected int64
	// ByAction counts authenticated SOAP requests by action: Create,
	// Command, Send, Receive, Signal, Delete (and Get, Other).
	ByAction map[string]int64
}

// counters is the mutable side of Stats.
type counters struct {
	mu sync.Mutex
	s  Stats
}

func (c *counters) add(f func(s *Stats)) {
	c.mu.Lock()
	f(&c.s)
	c.mu.Unlock()
}

func (c *counters) action(name string) {
	c.mu.Lock()
	if c.s.ByAction == nil {
		c.s.ByAction = map[string]int64{}
	}
	c.s.ByAction[name]++
	c.mu.Unlock()
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.ByAction = make(map[string]int64, len(c.s.ByAction))
	for k, v := range c.s.ByAction {
		s.ByAction[k] = v
	}
	return s
}

func (c *counters) reset() {
	c.mu.Lock()
	c.s = Stats{}
	c.mu.Unlock()
}

// shortAction names an action URI the way Stats.ByAction keys it.
func shortAction(action string) string {
	switch action {
	case actCreate:
		return "Create"
	case actDelete:
		return "Delete"
	case actGet:
		return "Get"
	case actCommand:
		return "Command"
	case actSend:
		return "Send"
	case actReceive:
		return "Receive"
	case actSignal:
		return "Signal"
	}
	return "Other"
}
