package winsim

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// KerberosOptions make the simulated host a member of a Kerberos realm, as
// a domain-joined Windows host is: it accepts service tickets for the
// principals whose keys Keytab holds (HTTP/<host>@REALM, exported with
// kadmin's ktadd or Windows' ktpass), and maps the ticket's client
// principal user@REALM to the account of the same name in Options.Users,
// standing for a domain account in its Administrators group.
type KerberosOptions struct {
	// Keytab is the content of a keytab file.
	Keytab []byte
	// Realm is the realm whose users may log on.
	Realm string
}

// kerberosService verifies AP-REQs against the host's keytab.
type kerberosService struct {
	realm    string
	settings *service.Settings
}

// maxClockSkew is Windows' (and MIT's) default Kerberos tolerance.
const maxClockSkew = 5 * time.Minute

func newKerberosService(o *KerberosOptions) (*kerberosService, error) {
	if o == nil {
		return nil, nil
	}
	kt := keytab.New()
	if err := kt.Unmarshal(o.Keytab); err != nil {
		return nil, fmt.Errorf("winsim: kerberos keytab: %w", err)
	}
	if o.Realm == "" {
		return nil, errors.New("winsim: kerberos needs a realm")
	}
	return &kerberosService{
		realm: o.Realm,
		// PAC decoding is off: an MIT KDC's PAC carries no Windows logon
		// information, and the account comes from the client principal.
		settings: service.NewSettings(kt, service.DecodePAC(false), service.MaxClockSkew(maxClockSkew)),
	}, nil
}

// kerberosStep checks a Negotiate (SPNEGO) or Kerberos token carrying an
// AP-REQ. Kerberos authenticates each request on its own, so nothing is
// kept on the connection.
func (s *Server) kerberosStep(msg []byte) (authResult, error) {
	if s.krb == nil {
		return authResult{failed: true}, errors.New("a Kerberos token, but this host is in no realm")
	}
	tok, err := krb5Token(msg)
	if err != nil {
		return authResult{failed: true}, err
	}
	if !tok.IsAPReq() {
		return authResult{failed: true}, errors.New("the Kerberos token is not an AP-REQ")
	}
	ok, creds, err := service.VerifyAPREQ(&tok.APReq, s.krb.settings)
	if err != nil || !ok {
		// KRB_AP_ERR_SKEW, KRB_AP_ERR_MODIFIED (a ticket for a key this
		// host does not have), KRB_AP_ERR_TKT_EXPIRED, a replay...
		return authResult{failed: true}, fmt.Errorf("service ticket refused: %v", err)
	}
	if !strings.EqualFold(creds.Domain(), s.krb.realm) {
		return authResult{failed: true}, fmt.Errorf("user of realm %s, not %s", creds.Domain(), s.krb.realm)
	}
	acc, found := s.accounts.byName[strings.ToLower(creds.UserName())]
	if !found {
		return authResult{failed: true}, fmt.Errorf("user %s@%s has no account here", creds.UserName(), creds.Domain())
	}
	s.stats.add(func(st *Stats) { st.KerberosLogons++ })
	return authResult{user: acc.name}, nil
}

// krb5Token reads the AP-REQ from an SPNEGO NegTokenInit or from a raw
// Kerberos GSS token, both of which Windows accepts.
func krb5Token(msg []byte) (*spnego.KRB5Token, error) {
	var st spnego.SPNEGOToken
	mech := msg
	if err := st.Unmarshal(msg); err == nil {
		if !st.Init || len(st.NegTokenInit.MechTokenBytes) == 0 {
			return nil, errors.New("the SPNEGO token carries no mechanism token")
		}
		mech = st.NegTokenInit.MechTokenBytes
	}
	var k spnego.KRB5Token
	if err := k.Unmarshal(mech); err != nil {
		return nil, fmt.Errorf("not a Kerberos token: %v", err)
	}
	return &k, nil
}
