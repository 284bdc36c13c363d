// Package risk turns an identity into a privilege level and a firewall rule
// into an exposure level, each with one line a reviewer can act on, and
// compares levels so that plans can warn when privilege escalates or
// exposure widens. It does no I/O: callers pass in what they know.
//
// Privilege, lowest first (reference/windows-host.md section 2):
//
//	least   ApplicationPoolIdentity, IUSR, IIS AppPool\<pool> virtual accounts
//	low     LocalService
//	medium  NetworkService, ordinary local or domain accounts, gMSAs
//	high    accounts whose group membership is unknown, or that belong to
//	        near-administrative groups (Backup, Server, Account Operators)
//	full    LocalSystem, members of Administrators (or Domain/Enterprise Admins)
//
// Exposure of inbound rules, lowest first (section 5):
//
//	none      blocked, disabled, not configured or not enforced
//	low       allowed from specific hosts (at most a /24) or nearby machines
//	          (LocalSubnet, DefaultGateway, DNS, DHCP, WINS), specific ports,
//	          not on Public networks
//	medium    allowed from the intranet or private ranges wider than a /24, or
//	          from anywhere but only for one program or service on specific
//	          ports off Public networks, or a low rule applied on Public
//	high      allowed from anywhere or from wide public ranges to specific
//	          ports, or any rule opening more than 100 ports, every port, or
//	          every protocol
//	critical  allowed from anywhere on Public networks, or from anywhere to
//	          every port or protocol, or with edge traversal (unsolicited
//	          traffic through NAT and Teredo)
//
// Outbound allow rules are scored on their own scale, because they let the
// host reach out rather than let others in:
//
//	none        blocked, disabled, not configured or not enforced
//	egress-low  outbound allowed only to specific, local or private destinations
//	egress      outbound allowed to any or public destinations
package risk
