package winsim

import (
	"strconv"
)

// cfgEntry is one element of the winrm/config resource: a leaf with a
// value, or a container (children set).
type cfgEntry struct {
	name     string
	value    string
	children []cfgEntry
}

func leaf(name, value string) cfgEntry { return cfgEntry{name: name, value: value} }

func group(name string, children ...cfgEntry) cfgEntry {
	return cfgEntry{name: name, children: children}
}

// configTree is what "winrm get winrm/config" shows, with the service
// settings this server actually enforces. Client settings are reported as a
// default client would have them; they do not apply to a server.
func (s *Server) configTree() []cfgEntry {
	b := strconv.FormatBool
	itoa := strconv.Itoa
	return []cfgEntry{
		leaf("MaxEnvelopeSizekb", itoa(s.opts.MaxEnvelopeSizeKB)),
		leaf("MaxTimeoutms", "60000"),
		leaf("MaxBatchItems", "32000"),
		leaf("MaxProviderRequests", "4294967295"),
		group("Client",
			leaf("NetworkDelayms", "5000"),
			leaf("URLPrefix", "wsman"),
			leaf("AllowUnencrypted", "false"),
			group("Auth", leaf("Basic", "true"), leaf("Digest", "true"), leaf("Kerberos", "true"),
				leaf("Negotiate", "true"), leaf("Certificate", "true"), leaf("CredSSP", "false")),
			group("DefaultPorts", leaf("HTTP", "5985"), leaf("HTTPS", "5986")),
			leaf("TrustedHosts", ""),
		),
		group("Service",
			leaf("RootSDDL", "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)"),
			leaf("MaxConcurrentOperations", "4294967295"),
			leaf("MaxConcurrentOperationsPerUser", itoa(s.maxOpsShown())),
			leaf("EnumerationTimeoutms", "240000"),
			leaf("MaxConnections", "300"),
			leaf("MaxPacketRetrievalTimeSeconds", "120"),
			leaf("AllowUnencrypted", b(s.opts.AllowUnencrypted)),
			group("Auth", leaf("Basic", b(s.opts.AllowBasic)), leaf("Kerberos", "true"), leaf("Negotiate", "true"),
				leaf("Certificate", "false"), leaf("CredSSP", "false"), leaf("CbtHardeningLevel", "Relaxed")),
			group("DefaultPorts", leaf("HTTP", "5985"), leaf("HTTPS", "5986")),
			leaf("IPv4Filter", "*"),
			leaf("IPv6Filter", "*"),
			leaf("EnableCompatibilityHttpListener", "false"),
			leaf("EnableCompatibilityHttpsListener", "false"),
			leaf("CertificateThumbprint", ""),
			leaf("AllowRemoteAccess", "true"),
		),
		group("Winrs",
			leaf("AllowRemoteShellAccess", "true"),
			leaf("IdleTimeout", "7200000"),
			leaf("MaxConcurrentUsers", "10"),
			leaf("MaxShellRunTime", "2147483647"),
			leaf("MaxProcessesPerShell", itoa(maxProcessesPerShell)),
			leaf("MaxMemoryPerShellMB", "1024"),
			leaf("MaxShellsPerUser", itoa(s.opts.MaxShellsPerUser)),
		),
	}
}

func (s *Server) maxOpsShown() int {
	if s.opts.MaxConcurrentOps > 0 {
		return s.opts.MaxConcurrentOps
	}
	return 1500 // the Windows default
}

// getConfig answers a WS-Transfer Get of the winrm/config resource, which
// clients such as pypsrp use to learn MaxEnvelopeSizekb.
func (s *Server) getConfig(env *envelope) []byte {
	var write func(w *xmlWriter, e cfgEntry)
	write = func(w *xmlWriter, e cfgEntry) {
		if e.children == nil {
			w.elem("cfg:"+e.name, e.value)
			return
		}
		w.start("cfg:" + e.name)
		for _, c := range e.children {
			write(w, c)
		}
		w.end("cfg:" + e.name)
	}
	return replyEnvelope(nsXfer+"/GetResponse", env.MessageID, func(w *xmlWriter) {
		w.start("cfg:Config", "xmlns:cfg", nsCfg)
		for _, e := range s.configTree() {
			write(w, e)
		}
		w.end("cfg:Config")
	})
}
