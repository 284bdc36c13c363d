package iis

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Account names as Windows accepts them where IIS takes one (a pool's
// processModel.userName, the anonymous user, an ACL entry's identity). IIS
// stores any text there; an account Windows cannot have only fails when the
// worker process starts (WAS events 5057/5059) or the first anonymous
// request logs on, so the provider refuses it at plan time instead.
//
// The rules are Active Directory's naming conventions for logon names
// (learn.microsoft.com, "Naming conventions in Active Directory for
// computers, domains, sites, and OUs", and the sAMAccountName attribute):
// a pre-Windows 2000 (SAM) user name has at most 20 characters, none of
// " / \ [ ] : ; | = , + * ? < > @ and no control character, is not only
// periods and spaces, and does not end with a period. Group names (an ACL
// may name one) are not held to the 20 characters.

// MaxSAMUserNameLength is the longest SAM account name of a user.
const MaxSAMUserNameLength = 20

// samForbidden are the characters a SAM account name cannot contain, nor
// a domain or computer name (the part before '\'), which may have spaces
// (NT AUTHORITY, IIS APPPOOL) and periods (a DNS domain name).
const samForbidden = `"/\[]:;|=,+*?<>@`

// AccountNameForms says which forms are accepted, for messages.
const AccountNameForms = `DOMAIN\user, HOST\user or .\user (a local account), user, user@domain.example (a user principal name), ` +
	`or a built-in account such as NT AUTHORITY\NETWORK SERVICE`

// AccountName is an account name split into its parts. Exactly one of
// Domain (the part before '\', "." for the local computer) and UPNSuffix
// (the part after '@') may be set.
type AccountName struct {
	Domain    string
	HasDomain bool
	Name      string
	UPNSuffix string
}

// String is the name as it was written.
func (a AccountName) String() string {
	switch {
	case a.HasDomain:
		return a.Domain + `\` + a.Name
	case a.UPNSuffix != "":
		return a.Name + "@" + a.UPNSuffix
	}
	return a.Name
}

// ParseAccountName splits an account name into its parts and says, naming
// the character or rule, why it cannot be a Windows account. groups allows
// the longer names of groups (BUILTIN\Performance Monitor Users).
func ParseAccountName(name string, groups bool) (AccountName, error) {
	if !utf8.ValidString(name) {
		return AccountName{}, fmt.Errorf("it is not valid UTF-8")
	}
	if domain, user, ok := strings.Cut(name, `\`); ok {
		if err := checkDomainPart(domain); err != nil {
			return AccountName{}, err
		}
		if err := checkSAMName(user, groups); err != nil {
			return AccountName{}, err
		}
		return AccountName{Domain: domain, HasDomain: true, Name: user}, nil
	}
	if prefix, suffix, ok := strings.Cut(name, "@"); ok {
		if prefix == "" {
			return AccountName{}, fmt.Errorf("it has nothing before '@'")
		}
		if i := strings.IndexAny(prefix, samForbidden); i >= 0 {
			return AccountName{}, fmt.Errorf("the user part contains %q, which Windows does not allow in account names", prefix[i:i+1])
		}
		if err := checkControl(prefix); err != nil {
			return AccountName{}, err
		}
		if !isDNSName(suffix) {
			return AccountName{}, fmt.Errorf("%q after '@' is not a domain name (letters, digits, '-' and '.', as in example.com)", suffix)
		}
		return AccountName{Name: prefix, UPNSuffix: suffix}, nil
	}
	if err := checkSAMName(name, groups); err != nil {
		return AccountName{}, err
	}
	return AccountName{Name: name}, nil
}

func checkDomainPart(domain string) error {
	switch {
	case domain == "":
		return fmt.Errorf("it has nothing before '\\': write .\\user for a local account")
	case domain == ".":
		return nil
	case strings.Trim(domain, ". ") == "":
		return fmt.Errorf("the domain part %q is only periods and spaces", domain)
	}
	if i := strings.IndexAny(domain, samForbidden); i >= 0 {
		return fmt.Errorf("the domain part contains %q, which Windows does not allow in domain and computer names", domain[i:i+1])
	}
	return checkControl(domain)
}

func checkSAMName(user string, groups bool) error {
	switch {
	case user == "":
		return fmt.Errorf("the account name is empty")
	case strings.Trim(user, ". ") == "":
		return fmt.Errorf("the account name %q is only periods and spaces", user)
	case strings.HasSuffix(user, "."):
		return fmt.Errorf("the account name ends with a period")
	case !groups && utf8.RuneCountInString(user) > MaxSAMUserNameLength:
		return fmt.Errorf("the account name has %d characters; a Windows user name (sAMAccountName) has at most %d",
			utf8.RuneCountInString(user), MaxSAMUserNameLength)
	}
	if i := strings.IndexAny(user, samForbidden); i >= 0 {
		return fmt.Errorf("it contains %q, which Windows does not allow in account names", user[i:i+1])
	}
	return checkControl(user)
}

func checkControl(s string) error {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("it contains the control character %U", r)
		}
	}
	return nil
}

// isDNSName reports whether s is a DNS name: labels of letters, digits and
// '-', not starting or ending with '-', joined by '.'.
func isDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
				return false
			}
		}
	}
	return true
}
