package remote

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

const (
	nsSOAP       = "http://www.w3.org/2003/05/soap-envelope"
	nsWSManFault = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"

	// WSManFault codes worth telling apart (winrm.md section 2, and the
	// quota faults users report from real hosts).
	codeOperationTimeout = "2150858793" // Receive long-poll ended without output
	codeUnknownShellOrID = "2150858843" // shell or command id does not exist
	codeMaxShells        = "2150859173" // MaxShellsPerUser exceeded
	codeMaxOperations    = "2150859174" // MaxConcurrentOperationsPerUser exceeded
	// ERROR_NOT_ENOUGH_QUOTA as an HRESULT: CreateProcess in a shell whose
	// job object already holds MaxProcessesPerShell processes.
	codeProcessQuota = "2147944216"
	// RPC_S_SERVER_UNAVAILABLE and RPC_S_CALL_FAILED as HRESULTs: the
	// service's host process died or restarted under the request.
	codeRPCUnavailable = "2147944122"
	codeRPCCallFailed  = "2147944126"
)

// errQuotaExceeded marks faults that say a WinRM quota is full, so the
// client can stop opening sessions the host will not allow.
var errQuotaExceeded = errors.New("WinRM quota exceeded")

// fault is a SOAP 1.2 fault as WinRM sends it, matched by namespace URI,
// never by prefix: clients and servers choose prefixes freely.
type fault struct {
	Code    string // local part of Code/Value: Sender, Receiver
	Subcode string // local part of Subcode/Value: TimedOut, QuotaLimit, ...
	Reason  string
	WSMan   string // WSManFault@Code
	Message string // WSManFault/Message
}

type faultEnvelope struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Body    struct {
		Fault *struct {
			Code struct {
				Value   string `xml:"http://www.w3.org/2003/05/soap-envelope Value"`
				Subcode struct {
					Value string `xml:"http://www.w3.org/2003/05/soap-envelope Value"`
				} `xml:"http://www.w3.org/2003/05/soap-envelope Subcode"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Code"`
			Reason struct {
				Text []string `xml:"http://www.w3.org/2003/05/soap-envelope Text"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Reason"`
			Detail struct {
				WSManFault struct {
					Code    string `xml:"Code,attr"`
					Message struct {
						Text string `xml:",chardata"`
						// Plugin faults nest their text one level down.
						Provider string `xml:"http://schemas.microsoft.com/wbem/wsman/1/wsmanfault ProviderFault"`
					} `xml:"http://schemas.microsoft.com/wbem/wsman/1/wsmanfault Message"`
				} `xml:"http://schemas.microsoft.com/wbem/wsman/1/wsmanfault WSManFault"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Detail"`
		} `xml:"http://www.w3.org/2003/05/soap-envelope Fault"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

// parseFault returns the fault in a SOAP reply, or nil when the reply is
// not a fault (or not parseable, which the caller's parser then reports).
func parseFault(body string) *fault {
	// Cheap pre-check: most replies are stream data, and parsing every
	// Receive body twice would cost more than the rest of the client.
	if !strings.Contains(body, "Fault") || !strings.Contains(body, nsSOAP) {
		return nil
	}
	var env faultEnvelope
	if err := xml.Unmarshal([]byte(body), &env); err != nil || env.Body.Fault == nil {
		return nil
	}
	f := env.Body.Fault
	return &fault{
		Code:    localName(f.Code.Value),
		Subcode: localName(f.Code.Subcode.Value),
		Reason:  strings.TrimSpace(strings.Join(f.Reason.Text, " ")),
		WSMan:   strings.TrimSpace(f.Detail.WSManFault.Code),
		Message: strings.TrimSpace(f.Detail.WSManFault.Message.Text + " " + f.Detail.WSManFault.Message.Provider),
	}
}

func localName(qname string) string {
	qname = strings.TrimSpace(qname)
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

// isOperationTimeout reports the fault that ends an idle Receive long-poll.
// It is the normal rhythm of a waiting agent, not a failure.
func (f *fault) isOperationTimeout() bool {
	return f.Subcode == "TimedOut" || f.WSMan == codeOperationTimeout
}

// text is the most specific human text in the fault.
func (f *fault) text() string {
	msg := f.Message
	if msg == "" {
		msg = f.Reason
	}
	if msg == "" {
		msg = "no reason given"
	}
	return msg
}

// quota names the WinRM quota a fault reports as exceeded, or "".
func (f *fault) quota() string {
	switch f.WSMan {
	case codeMaxShells:
		return "MaxShellsPerUser"
	case codeMaxOperations:
		return "MaxConcurrentOperationsPerUser"
	case codeProcessQuota:
		return "MaxProcessesPerShell"
	}
	lower := strings.ToLower(f.text())
	switch {
	case strings.Contains(lower, "concurrent shells"):
		return "MaxShellsPerUser"
	case strings.Contains(lower, "concurrent operations"):
		return "MaxConcurrentOperationsPerUser"
	case strings.Contains(lower, "commands per shell"):
		return "MaxConcurrentCommandsPerShell"
	case strings.Contains(lower, "processes"):
		return "MaxProcessesPerShell"
	case strings.Contains(lower, "concurrent users"):
		return "MaxConcurrentUsers"
	case strings.Contains(lower, "memory"):
		return "MaxMemoryPerShellMB"
	}
	if f.Subcode == "QuotaLimit" {
		return "a WinRM quota"
	}
	return ""
}

// asError classifies the fault for the WS-Man action that received it.
func (f *fault) asError(action string) *kindError {
	code := ""
	if f.WSMan != "" {
		code = " (WSManFault " + f.WSMan + ")"
	}
	if q := f.quota(); q != "" {
		return newKindError(protocol.Unavailable, errQuotaExceeded,
			"WinRM quota %s exceeded on %s%s: %s; close idle shells (other tools or stale sessions) or raise the quota with winrm set winrm/config/winrs",
			q, action, code, strings.TrimRight(f.text(), ". "))
	}
	if f.WSMan == codeUnknownShellOrID || f.Subcode == "InvalidSelectors" {
		return newKindError(protocol.Unavailable, nil,
			"%s: the shell or command is gone on the host%s: %s", action, code, f.text())
	}
	if f.WSMan == codeRPCUnavailable || f.WSMan == codeRPCCallFailed {
		return newKindError(protocol.Unavailable, nil, "%s failed on the host, which may be restarting its WinRM plugin%s: %s", action, code, f.text())
	}
	if f.Subcode == "AccessDenied" || f.WSMan == "5" || f.WSMan == "2147942405" {
		return newKindError(protocol.AccessDenied, nil, "%s refused%s: %s", action, code, f.text())
	}
	if f.isOperationTimeout() {
		return newKindError(protocol.Unavailable, nil, "%s timed out on the host%s: %s", action, code, f.text())
	}
	return newKindError(protocol.Internal, nil, "%s fault %s%s: %s", action, faultCodeText(f), code, f.text())
}

func faultCodeText(f *fault) string {
	if f.Subcode != "" {
		return fmt.Sprintf("%s/%s", f.Code, f.Subcode)
	}
	return f.Code
}
