package host

import "strconv"

// Stock values of a fresh Windows Server 2022 Datacenter with the Web
// Server (IIS) role and ASP.NET 4.8 installed (reference/windows-host.md).
const (
	stockComputerName = "WIN-SIM2022"
	stockOSCaption    = "Microsoft Windows Server 2022 Datacenter"
	stockOSVersion    = "10.0.20348"
	stockPSVersion    = "5.1.20348.2849"
	stockWorkgroup    = "WORKGROUP"
	// stockMachineSID is a fixed example domain part so that SIDs are
	// stable across runs; Options.MachineSID overrides it.
	stockMachineSID = "S-1-5-21-3623811015-3361044348-30300820"
)

// freshState builds the host as setup leaves it.
func freshState(o Options) *State {
	name := o.ComputerName
	if name == "" {
		name = stockComputerName
	}
	msid := o.MachineSID
	if msid == "" {
		msid = stockMachineSID
	}
	return &State{
		Version: 1,
		System: System{
			ComputerName: name,
			OSCaption:    stockOSCaption,
			OSVersion:    stockOSVersion,
			IISMajor:     10,
			IISMinor:     0,
			PSVersion:    stockPSVersion,
			Domain:       stockWorkgroup,
			MachineSID:   msid,
		},
		Accounts: stockAccounts(msid),
		IIS:      stockIIS(),
		Firewall: stockFirewall(),
		Meta:     StateMeta{NextRID: 1000, NextSiteID: 2},
	}
}

func stockAccounts(msid string) Accounts {
	rid := func(n int) string { return msid + "-" + strconv.Itoa(n) }
	return Accounts{
		Users: []User{
			{Name: "Administrator", SID: rid(500), Description: "Built-in account for administering the computer/domain"},
			{Name: "DefaultAccount", SID: rid(503), Description: "A user account managed by the system.", Disabled: true},
			{Name: "Guest", SID: rid(501), Description: "Built-in account for guest access to the computer/domain", Disabled: true},
			{Name: "WDAGUtilityAccount", SID: rid(504), Description: "A user account managed and used by the system for Windows Defender Application Guard scenarios.", Disabled: true},
		},
		Groups: []Group{
			{Name: "Administrators", SID: "S-1-5-32-544", Description: "Administrators have complete and unrestricted access to the computer/domain", Members: []string{"Administrator"}},
			{Name: "Guests", SID: "S-1-5-32-546", Description: "Guests have the same access as members of the Users group by default, except for the Guest account which is further restricted", Members: []string{"Guest"}},
			// IIS adds the IUSR principal to IIS_IUSRS at install time;
			// app pool identities join it only in their worker token.
			{Name: "IIS_IUSRS", SID: "S-1-5-32-568", Description: "Built-in group used by Internet Information Services.", Members: []string{`NT AUTHORITY\IUSR`}},
			{Name: "Remote Desktop Users", SID: "S-1-5-32-555", Description: "Members in this group are granted the right to logon remotely", Members: []string{}},
			{Name: "Remote Management Users", SID: "S-1-5-32-580", Description: "Members of this group can access WMI resources over management protocols (such as WS-Management via the Windows Remote Management service). This applies only to WMI namespaces that grant access to the user.", Members: []string{}},
			{Name: "Users", SID: "S-1-5-32-545", Description: "Users are prevented from making accidental or intentional system-wide changes and can run most applications", Members: []string{`NT AUTHORITY\INTERACTIVE`, `NT AUTHORITY\Authenticated Users`}},
		},
	}
}

func stockIIS() IISConfig {
	return IISConfig{
		// <applicationPoolDefaults managedRuntimeVersion="v4.0">
		//   <processModel identityType="ApplicationPoolIdentity"
		//     loadUserProfile="true" setProfileEnvironment="false" />
		PoolDefaults: Attrs{
			"managedRuntimeVersion":              "v4.0",
			"processModel.identityType":          "ApplicationPoolIdentity",
			"processModel.loadUserProfile":       "true",
			"processModel.setProfileEnvironment": "false",
		},
		Pools: []AppPool{
			{Name: "DefaultAppPool", Attrs: Attrs{}, State: "Started"},
			{Name: ".NET v4.5 Classic", Attrs: Attrs{"managedRuntimeVersion": "v4.0", "managedPipelineMode": "Classic"}, State: "Started"},
			{Name: ".NET v4.5", Attrs: Attrs{"managedRuntimeVersion": "v4.0"}, State: "Started"},
		},
		DefaultAppPoolForApps: "DefaultAppPool",
		Sites: []Site{{
			Name:            "Default Web Site",
			ID:              1,
			ServerAutoStart: true,
			Bindings:        []Binding{{Protocol: "http", BindingInformation: "*:80:"}},
			Applications: []Application{{
				Path:               "/",
				VirtualDirectories: []VirtualDirectory{{Path: "/", PhysicalPath: `%SystemDrive%\inetpub\wwwroot`}},
			}},
			State: "Started",
		}},
		AnonymousAuth: Section{
			OverrideModeDefault: "Deny",
			Server:              Attrs{"enabled": "true", "userName": "IUSR", "defaultLogonDomain": ""},
			Locations:           []Location{},
		},
	}
}

// stockFirewall is a handful of the rules a fresh server has, with their
// real names, display strings, groups, ports, profiles and scopes.
func stockFirewall() []FWRule {
	const (
		svchost = `%SystemRoot%\system32\svchost.exe`
		fwapi   = "@FirewallAPI.dll,-"
	)
	in := func(r FWRule) FWRule {
		r.Direction, r.Action, r.EdgeTraversalPolicy = "Inbound", "Allow", "Block"
		return r
	}
	return []FWRule{
		in(FWRule{
			Name: "IIS-WebServerRole-HTTP-In-TCP", DisplayName: "World Wide Web Services (HTTP Traffic-In)",
			Description: "An inbound rule to allow HTTP traffic for Internet Information Services (IIS) [TCP 80]",
			Group:       `@%windir%\system32\inetsrv\iisres.dll,-30500`, DisplayGroup: "World Wide Web Services (HTTP)",
			Enabled: true, Protocol: "TCP", LocalPorts: []string{"80"}, Program: "System",
		}),
		in(FWRule{
			Name: "IIS-WebServerRole-HTTPS-In-TCP", DisplayName: "World Wide Web Services (HTTPS Traffic-In)",
			Description: "An inbound rule to allow HTTPS traffic for Internet Information Services (IIS) [TCP 443]",
			Group:       `@%windir%\system32\inetsrv\iisres.dll,-30502`, DisplayGroup: "Secure World Wide Web Services (HTTPS)",
			Enabled: true, Protocol: "TCP", LocalPorts: []string{"443"}, Program: "System",
		}),
		in(FWRule{
			Name: "RemoteDesktop-UserMode-In-TCP", DisplayName: "Remote Desktop - User Mode (TCP-In)",
			Description: "Inbound rule for the Remote Desktop service to allow RDP traffic. [TCP 3389]",
			Group:       fwapi + "28752", DisplayGroup: "Remote Desktop",
			Enabled: false, Protocol: "TCP", LocalPorts: []string{"3389"}, Program: svchost, Service: "termservice",
		}),
		in(FWRule{
			Name: "RemoteDesktop-UserMode-In-UDP", DisplayName: "Remote Desktop - User Mode (UDP-In)",
			Description: "Inbound rule for the Remote Desktop service to allow RDP traffic. [UDP 3389]",
			Group:       fwapi + "28752", DisplayGroup: "Remote Desktop",
			Enabled: false, Protocol: "UDP", LocalPorts: []string{"3389"}, Program: svchost, Service: "termservice",
		}),
		in(FWRule{
			Name: "WINRM-HTTP-In-TCP", DisplayName: "Windows Remote Management (HTTP-In)",
			Description: "Inbound rule for Windows Remote Management via WS-Management. [TCP 5985]",
			Group:       fwapi + "35001", DisplayGroup: "Windows Remote Management",
			Enabled: true, Profiles: []string{"Domain", "Private"}, Protocol: "TCP", LocalPorts: []string{"5985"}, Program: "System",
		}),
		// On server SKUs the Public-profile WinRM rule admits only the
		// local subnet (Enable-PSRemoting documentation).
		in(FWRule{
			Name: "WINRM-HTTP-In-TCP-PUBLIC", DisplayName: "Windows Remote Management (HTTP-In)",
			Description: "Inbound rule for Windows Remote Management via WS-Management. [TCP 5985]",
			Group:       fwapi + "35001", DisplayGroup: "Windows Remote Management",
			Enabled: true, Profiles: []string{"Public"}, Protocol: "TCP", LocalPorts: []string{"5985"},
			RemoteAddresses: []string{"LocalSubnet"}, Program: "System",
		}),
		in(FWRule{
			Name: "CoreNet-ICMP4-DUFRAG-In", DisplayName: "Core Networking - Destination Unreachable Fragmentation Needed (ICMPv4-In)",
			Description: "Destination Unreachable Fragmentation Needed error messages are sent from any node that a packet traverses which is unable to forward the packet because fragmentation was needed and the don't fragment bit was set.",
			Group:       fwapi + "25000", DisplayGroup: "Core Networking",
			Enabled: true, Protocol: "ICMPv4", IcmpTypes: []string{"3:4"}, Program: "System",
		}),
		in(FWRule{
			Name: "FPS-ICMP4-ERQ-In", DisplayName: "File and Printer Sharing (Echo Request - ICMPv4-In)",
			Description: "Echo Request messages are sent as ping requests to other nodes.",
			Group:       fwapi + "28502", DisplayGroup: "File and Printer Sharing",
			Enabled: false, Protocol: "ICMPv4", IcmpTypes: []string{"8"},
		}),
		{
			Name: "CoreNet-DNS-Out-UDP", DisplayName: "Core Networking - DNS (UDP-Out)",
			Description: "Outbound rule to allow DNS requests. DNS responses based on requests that matched this rule will be permitted regardless of source address.  This behavior is classified as loose source mapping. [LSM] [UDP 53]",
			Group:       fwapi + "25000", DisplayGroup: "Core Networking",
			Enabled: true, Direction: "Outbound", Action: "Allow", EdgeTraversalPolicy: "Block",
			Protocol: "UDP", RemotePorts: []string{"53"}, Program: svchost, Service: "dnscache",
		},
	}
}
