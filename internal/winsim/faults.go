package winsim

import (
	"fmt"
	"net/http"
	"strconv"
)

// wsmanFault is a SOAP fault as WinRM sends it. The texts, codes and HTTP
// statuses are the ones real hosts send (recorded fixtures, winrm.md and the
// wsmerror.h message table), trailing space included: WinRM formats every
// message with one.
type wsmanFault struct {
	Status   int    // HTTP status
	Code     string // s:Sender or s:Receiver
	Subcode  string // w:TimedOut, w:InvalidSelectors, ...
	Reason   string
	Detail   string // w:FaultDetail URI; empty for none
	WSMan    uint32 // f:WSManFault@Code
	Message  string
	Provider bool // the message came from the cmd shell plugin (f:ProviderFault)
}

func (f *wsmanFault) Error() string {
	return fmt.Sprintf("%s %s (%d): %s", f.Code, f.Subcode, f.WSMan, f.Message)
}

const faultDetail = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/"

// render writes the fault envelope. machine is the f:WSManFault@Machine value.
func (f *wsmanFault) render(relatesTo, machine string) []byte {
	return replyEnvelope(actFault, relatesTo, func(w *xmlWriter) {
		w.start("s:Fault")
		w.start("s:Code")
		w.elem("s:Value", f.Code)
		w.start("s:Subcode")
		w.elem("s:Value", f.Subcode)
		w.end("s:Subcode")
		w.end("s:Code")
		w.start("s:Reason")
		w.elem("s:Text", f.Reason, "xml:lang", "en-US")
		w.end("s:Reason")
		w.start("s:Detail")
		if f.Detail != "" {
			w.elem("w:FaultDetail", f.Detail)
		}
		w.start("f:WSManFault", "xmlns:f", nsFault, "Code", strconv.FormatUint(uint64(f.WSMan), 10), "Machine", machine)
		if f.Provider {
			w.start("f:Message")
			w.elem("f:ProviderFault", f.Message, "provider", "Shell cmd plugin", "path", `%systemroot%\system32\winrscmd.dll`)
			w.end("f:Message")
		} else {
			w.elem("f:Message", f.Message)
		}
		w.end("f:WSManFault")
		w.end("s:Detail")
		w.end("s:Fault")
	})
}

const timedOutText = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "

// faultTimedOut ends a Receive long poll that saw no output
// (test_winrs_operation_timeout.yml). masterzen retries on the word
// "OperationTimeout" in it.
func faultTimedOut() *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Receiver", Subcode: "w:TimedOut",
		Reason: timedOutText, WSMan: 2150858793, Message: timedOutText}
}

const invalidSelectorsText = "The WS-Management service cannot process the request because the request contained invalid selectors for the resource. "

// faultUnknownCommand is test_winrs_bad_cmd_id.yml.
func faultUnknownCommand() *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "w:InvalidSelectors",
		Reason: invalidSelectorsText, Detail: faultDetail + "UnexpectedSelectors", WSMan: 2150858843,
		Message: "The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier. "}
}

// faultUnknownShell has the text Exchange Online and PowerShell users report
// for a shell the server no longer has, under the same code.
func faultUnknownShell(id string) *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "w:InvalidSelectors",
		Reason: invalidSelectorsText, Detail: faultDetail + "UnexpectedSelectors", WSMan: 2150858843,
		Message: "The request for the Windows Remote Shell with ShellId " + id + " failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. "}
}

// faultInvalidParameter is the cmd plugin refusing a request it cannot act
// on, e.g. a Receive without CommandId (test_winrs_fail_poll_process.yml).
func faultInvalidParameter() *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "w:InvalidParameter",
		Reason: "The parameter is incorrect. ", Detail: faultDetail + "InvalidValue", WSMan: 87,
		Message: "The parameter is incorrect. ", Provider: true}
}

// faultWin32 is a Command whose CreateProcess failed: the HRESULT of the
// Win32 error and its system message (test_winrs_no_cmd_shell.yml).
func faultWin32(hresult uint32, text string) *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Receiver", Subcode: "w:InternalError",
		Reason: text, WSMan: hresult, Message: text, Provider: true}
}

func faultFileNotFound() *wsmanFault {
	return faultWin32(0x80070002, "The system cannot find the file specified. ")
}

// faultCommandLineTooLong is CreateProcess refusing more than 32767 UTF-16
// units (winrm.md section 1, masterzen fixture executeCommandResponseWithError).
func faultCommandLineTooLong() *wsmanFault {
	return faultWin32(0x800700CE, "The filename or extension is too long. ")
}

// faultProcessQuota: each shell runs in a job object limited to
// MaxProcessesPerShell active processes, and CreateProcess in a full job
// fails with ERROR_NOT_ENOUGH_QUOTA.
func faultProcessQuota() *wsmanFault {
	return faultWin32(0x80070718, "Not enough quota is available to process this command. ")
}

// faultShellQuota is MaxShellsPerUser exceeded, as Vagrant and test-kitchen
// users report it (code ERROR_WSMAN_QUOTA_MAX_SHELLS).
func faultShellQuota(max int) *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "w:QuotaLimit",
		Reason:  "The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. ",
		WSMan:   2150859173,
		Message: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. ", max)}
}

// faultOperationQuota is MaxConcurrentOperationsPerUser exceeded
// (ERROR_WSMAN_QUOTA_MAX_OPERATIONS).
func faultOperationQuota(max int) *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "w:QuotaLimit",
		Reason:  "The WS-Management service cannot process the request. The maximum number of concurrent operations for this user has been exceeded. Close existing operations for this user, or raise the quota for this user. ",
		WSMan:   2150859174,
		Message: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent operations, which has been exceeded. Close existing operations for this user, or raise the quota for this user. ", max)}
}

// faultInvalidXML answers a request that is not well-formed XML or not a
// SOAP envelope (ERROR_WSMAN_INVALID_XML with the XMLSyntaxError message).
// The subcode is the one real hosts send for XML errors; the 400 status is
// our reading of WinRM, which rejects such requests before dispatching them.
func faultInvalidXML() *wsmanFault {
	return &wsmanFault{Status: http.StatusBadRequest, Code: "s:Sender", Subcode: "w:InternalError",
		Reason: "The WS-Management service cannot process the request because the XML is invalid. ", WSMan: 2150858819,
		Message: "WinRM cannot process the request because the input XML contains a syntax error. "}
}

// faultEnvelopeTooLarge answers a request bigger than MaxEnvelopeSizekb.
func faultEnvelopeTooLarge(maxKB int) *wsmanFault {
	return &wsmanFault{Status: http.StatusBadRequest, Code: "s:Sender", Subcode: "w:EncodingLimit",
		Reason: "The WS-Management service cannot process the request because the envelope size in the request is too large. ",
		Detail: faultDetail + "ServiceEnvelopeLimit", WSMan: 2150858825,
		Message: fmt.Sprintf("The WS-Management service cannot process the request because the request size exceeds MaxEnvelopeSizekb (%d KB). ", maxKB)}
}

func faultActionNotSupported(action string) *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "a:ActionNotSupported",
		Reason: "The action is not supported by the service. ", Detail: faultDetail + "ActionMismatch", WSMan: 2150858753,
		Message: "The WS-Management service cannot process the request because the action URI is invalid: " + action + " "}
}

func faultBadResourceURI(uri string) *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "w:DestinationUnreachable",
		Reason: "The WS-Management service cannot process the request. The resource URI is not valid or not found. ",
		Detail: faultDetail + "InvalidResourceURI", WSMan: 2150858811,
		Message: "The WS-Management service cannot process the request. The resource URI " + uri + " is not valid or not found. "}
}

// faultInjectedInternal is what an injected HTTP500 fault replies: the
// transient failure seen when wsmprovhost dies mid-operation.
func faultInjectedInternal() *wsmanFault {
	return faultWin32(0x800706BE, "The remote procedure call failed. ")
}

// faultInvalidTimeout is an OperationTimeout that is no xs:duration, as
// test-kitchen users saw for "60" (ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER).
func faultInvalidTimeout(v string) *wsmanFault {
	return &wsmanFault{Status: http.StatusInternalServerError, Code: "s:Sender", Subcode: "a:InvalidMessageInformationHeader",
		Reason:  "The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: " + v + ". ",
		WSMan:   2150858767,
		Message: "The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: " + v + ". "}
}
