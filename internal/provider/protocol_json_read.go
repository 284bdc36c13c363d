package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// jsonReadServer answers ReadResource in JSON, the form Terraform keeps
// state in, instead of MessagePack, which drift gates depend on.
//
// Terraform (1.10 to 1.12 at least) decides whether a refresh-only plan has
// anything to apply, and so whether `plan -refresh-only -detailed-exitcode`
// exits 2, with reflect.DeepEqual over the refreshed state and the state of
// the previous run, including the decoded values it caches. The previous
// run's values are always decoded from JSON, where a number becomes a
// 512-bit big.Float; a MessagePack integer becomes a 64-bit one. The two are
// the same number but not DeepEqual, so every resource with a number
// attribute (a pool's recycling limits, a binding's port) made every
// refresh-only plan "applyable" while it printed "No changes". In JSON,
// Terraform decodes both sides alike.
type jsonReadServer struct {
	tfprotov6.ProviderServer

	mu    sync.Mutex
	types map[string]tftypes.Type // resource type name to its state's type
}

func (s *jsonReadServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if err != nil || resp == nil || resp.NewState == nil || len(resp.NewState.MsgPack) == 0 {
		return resp, err
	}
	typ, ok := s.stateType(ctx, req.TypeName)
	if !ok {
		return resp, nil
	}
	// Any value JSON cannot carry (none a refresh should return) keeps the
	// MessagePack answer: the exit code may then be wrong, the state is not.
	if raw, jerr := dynamicValueJSON(resp.NewState, typ); jerr == nil {
		resp.NewState = &tfprotov6.DynamicValue{JSON: raw}
	}
	return resp, nil
}

// stateType is the type of a resource's state, from the provider's schema,
// asked once per server.
func (s *jsonReadServer) stateType(ctx context.Context, typeName string) (tftypes.Type, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.types == nil {
		resp, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err != nil || resp == nil {
			return nil, false
		}
		s.types = make(map[string]tftypes.Type, len(resp.ResourceSchemas))
		for name, schema := range resp.ResourceSchemas {
			s.types[name] = schema.ValueType()
		}
	}
	typ, ok := s.types[typeName]
	return typ, ok
}

// dynamicValueJSON decodes a MessagePack value of type typ and encodes it as
// Terraform's JSON state encoding does (numbers in full, as decimal text).
func dynamicValueJSON(dv *tfprotov6.DynamicValue, typ tftypes.Type) ([]byte, error) {
	v, err := dv.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	plain, err := jsonValue(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(plain)
}

// jsonValue is v as encoding/json marshals it. Unknown values and the
// dynamic type, which no resource here uses, are refused.
func jsonValue(v tftypes.Value) (any, error) {
	if !v.IsKnown() {
		return nil, fmt.Errorf("unknown value")
	}
	if v.IsNull() {
		return nil, nil
	}
	typ := v.Type()
	switch {
	case typ.Is(tftypes.String):
		var s string
		err := v.As(&s)
		return s, err
	case typ.Is(tftypes.Bool):
		var b bool
		err := v.As(&b)
		return b, err
	case typ.Is(tftypes.Number):
		n := new(big.Float)
		if err := v.As(&n); err != nil {
			return nil, err
		}
		if n.IsInf() {
			return nil, fmt.Errorf("infinite number")
		}
		return json.Number(n.Text('f', -1)), nil
	case typ.Is(tftypes.List{}), typ.Is(tftypes.Set{}), typ.Is(tftypes.Tuple{}):
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, err
		}
		out := make([]any, 0, len(elems))
		for _, e := range elems {
			j, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, j)
		}
		return out, nil
	case typ.Is(tftypes.Map{}), typ.Is(tftypes.Object{}):
		var attrs map[string]tftypes.Value
		if err := v.As(&attrs); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(attrs))
		for k, a := range attrs {
			j, err := jsonValue(a)
			if err != nil {
				return nil, err
			}
			out[k] = j
		}
		return out, nil
	default:
		return nil, fmt.Errorf("type %s has no JSON form here", typ)
	}
}
