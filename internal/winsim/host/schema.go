package host

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// attrKind is how IIS_schema.xml types an attribute.
type attrKind int

const (
	kindString attrKind = iota
	kindBool
	kindEnum
	kindUint
	kindTimeSpan
)

// attrDef is one attribute of a schema element, with the default the
// schema (not applicationHost.config) gives it.
type attrDef struct {
	kind      attrKind
	def       string
	enum      []string // kindEnum: names in their canonical spelling
	encrypted bool     // stored sealed, read back in clear by an admin
	min, max  uint64   // kindUint range, when max > 0
}

// poolSchema is IIS_schema.xml's applicationPools/add, for the attributes
// the provider and its reviewers care about. The identityType default is
// NetworkService here; new pools get ApplicationPoolIdentity only because
// the stock applicationPoolDefaults override it (windows-host.md 1.1).
var poolSchema = map[string]attrDef{
	"managedRuntimeVersion": {kind: kindEnum, def: "", enum: []string{"", "v1.1", "v2.0", "v4.0"}},
	"managedPipelineMode":   {kind: kindEnum, def: "Integrated", enum: []string{"Integrated", "Classic"}},
	"startMode":             {kind: kindEnum, def: "OnDemand", enum: []string{"OnDemand", "AlwaysRunning"}},
	"enable32BitAppOnWin64": {kind: kindBool, def: "false"},
	"autoStart":             {kind: kindBool, def: "true"},
	"queueLength":           {kind: kindUint, def: "1000", min: 10, max: 65535},
	"passAnonymousToken":    {kind: kindBool, def: "true"},

	"processModel.identityType":          {kind: kindEnum, def: "NetworkService", enum: []string{"LocalSystem", "LocalService", "NetworkService", "SpecificUser", "ApplicationPoolIdentity"}},
	"processModel.userName":              {kind: kindString, def: ""},
	"processModel.password":              {kind: kindString, def: "", encrypted: true},
	"processModel.loadUserProfile":       {kind: kindBool, def: "false"},
	"processModel.setProfileEnvironment": {kind: kindBool, def: "true"},
	"processModel.logonType":             {kind: kindEnum, def: "LogonBatch", enum: []string{"LogonBatch", "LogonService"}},
	"processModel.manualGroupMembership": {kind: kindBool, def: "false"},
	"processModel.idleTimeout":           {kind: kindTimeSpan, def: "00:20:00"},
	"processModel.idleTimeoutAction":     {kind: kindEnum, def: "Terminate", enum: []string{"Terminate", "Suspend"}},
	"processModel.maxProcesses":          {kind: kindUint, def: "1", max: 2147483647},
	"processModel.pingingEnabled":        {kind: kindBool, def: "true"},
	"processModel.shutdownTimeLimit":     {kind: kindTimeSpan, def: "00:01:30"},
	"processModel.startupTimeLimit":      {kind: kindTimeSpan, def: "00:01:30"},

	"recycling.periodicRestart.time":          {kind: kindTimeSpan, def: "1.05:00:00"},
	"recycling.periodicRestart.requests":      {kind: kindUint, def: "0", max: 4294967295},
	"recycling.periodicRestart.memory":        {kind: kindUint, def: "0", max: 4294967295},
	"recycling.periodicRestart.privateMemory": {kind: kindUint, def: "0", max: 4294967295},
}

// anonSchema is system.webServer/security/authentication/anonymousAuthentication.
// The schema leaves it disabled; the stock server-level element enables it.
var anonSchema = map[string]attrDef{
	"enabled":            {kind: kindBool, def: "false"},
	"userName":           {kind: kindString, def: "IUSR"},
	"password":           {kind: kindString, def: "", encrypted: true},
	"logonMethod":        {kind: kindEnum, def: "ClearText", enum: []string{"Interactive", "Batch", "Network", "ClearText"}},
	"defaultLogonDomain": {kind: kindString, def: ""},
}

var timeSpanRe = regexp.MustCompile(`^(\d{1,7}\.)?([01]\d|2[0-3]):[0-5]\d:[0-5]\d$`)

// canonical checks v against the attribute's type and returns the
// spelling applicationHost.config would hold. Errors name the attribute and
// never echo the value of an encrypted one.
func canonical(schema map[string]attrDef, name, v string) (string, error) {
	d, ok := schema[name]
	if !ok {
		return "", errf(protocol.InvalidArgument, "Unrecognized attribute '%s'", name)
	}
	bad := func() error {
		if d.encrypted {
			return errf(protocol.InvalidArgument, "invalid value for attribute '%s'", name)
		}
		return errf(protocol.InvalidArgument, "'%s' is not a valid value for attribute '%s'", v, name)
	}
	switch d.kind {
	case kindBool:
		switch strings.ToLower(v) {
		case "true":
			return "true", nil
		case "false":
			return "false", nil
		}
		return "", bad()
	case kindEnum:
		for _, e := range d.enum {
			if strings.EqualFold(e, v) {
				return e, nil
			}
		}
		return "", bad()
	case kindUint:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n < d.min || (d.max > 0 && n > d.max) {
			return "", bad()
		}
		return strconv.FormatUint(n, 10), nil
	case kindTimeSpan:
		if !timeSpanRe.MatchString(v) {
			return "", bad()
		}
		return v, nil
	}
	if d.encrypted {
		return sealSecret(v), nil
	}
	return v, nil
}

// effective layers schema defaults under each level in order (later
// levels win) and opens encrypted values, as an administrator's read does.
func effective(schema map[string]attrDef, levels ...Attrs) map[string]string {
	out := make(map[string]string, len(schema))
	for name, d := range schema {
		out[name] = d.def
		for _, l := range levels {
			if v, ok := l[name]; ok {
				out[name] = v
			}
		}
		if d.encrypted {
			out[name] = openSecret(out[name])
		}
	}
	return out
}

// sealSecret stands in for IIS's AesProvider: the stored form looks like
// applicationHost.config's "[enc:AesProvider:...:enc]" and keeps the clear
// text out of casual view (show output, diffs of the state file). It is
// not protection: the state file belongs to whoever runs the simulator.
func sealSecret(clear string) string {
	if clear == "" {
		return ""
	}
	return "[enc:AesProvider:" + base64.StdEncoding.EncodeToString([]byte(clear)) + ":enc]"
}

func openSecret(sealed string) string {
	inner, ok := strings.CutPrefix(sealed, "[enc:AesProvider:")
	if !ok {
		return sealed
	}
	inner, ok = strings.CutSuffix(inner, ":enc]")
	if !ok {
		return sealed
	}
	b, err := base64.StdEncoding.DecodeString(inner)
	if err != nil {
		return sealed
	}
	return string(b)
}

// errf builds an error of one of the protocol's closed kinds.
func errf(kind protocol.Kind, format string, args ...any) *protocol.Error {
	return &protocol.Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}
