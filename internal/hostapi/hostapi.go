// Package hostapi is the operation list of the host agent and the JSON shape
// of each operation's arguments and result. It is written down once here and
// used by both sides: the typed host operations (internal/iis,
// internal/firewall) that call the agent, and the simulated host
// (internal/winsim) that answers in its place. The PowerShell agent
// (internal/hostscript) implements the same list; its handlers are named
// after these constants.
package hostapi

// Operation names. Each is "<area>.<verb>".
const (
	// OpHostInfo takes no arguments and returns HostInfo.
	OpHostInfo = "host.info"
)

// HostInfo describes the Windows host the agent runs on.
type HostInfo struct {
	ComputerName string `json:"computer_name"`
	OSCaption    string `json:"os_caption"`  // "Microsoft Windows Server 2022 Datacenter"
	OSVersion    string `json:"os_version"`  // "10.0.20348"
	IISVersion   string `json:"iis_version"` // "10.0"
	PSVersion    string `json:"ps_version"`  // "5.1.20348.2849"
	Domain       string `json:"domain"`      // "WORKGROUP" or the DNS domain
	DomainJoined bool   `json:"domain_joined"`
}
