package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server serves p over plugin protocol 6, as
// providerserver.NewProtocol6 does, with three repairs: each request's
// context is let go once the request is answered (ReleaseRequests),
// refreshes answer in JSON (jsonReadServer, for Terraform's refresh-only
// exit code), and, for OpenTofu, which sends a null argument of a provider
// function as no value at all, such an argument is passed on as null.
//
// OpenTofu (1.10 and 1.12 alike, internal/plugin6/grpc_provider.go
// CallFunction) skips null arguments of parameters that allow null and
// leaves their DynamicValue empty, where Terraform sends MessagePack nil.
// The framework cannot decode an empty value and fails the call with
// "DynamicValue had no JSON or msgpack data set", so
// provider::iis::identity_privilege("LocalSystem", null) would fail under
// OpenTofu. An empty argument can only mean null: it is passed on as the
// null it stands for.
//
// The wrapper forwards the methods of tfprotov6.ProviderServer only; a
// provider that grows list resources, actions or state stores must forward
// those interfaces too.
func NewProtocol6Server(p provider.Provider) func() tfprotov6.ProviderServer {
	serve := providerserver.NewProtocol6(p)
	return func() tfprotov6.ProviderServer {
		return ReleaseRequests(&jsonReadServer{ProviderServer: nullArguments{serve()}})
	}
}

type nullArguments struct {
	tfprotov6.ProviderServer
}

func (s nullArguments) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	if req == nil {
		return s.ProviderServer.CallFunction(ctx, req)
	}
	args := make([]*tfprotov6.DynamicValue, len(req.Arguments))
	for i, a := range req.Arguments {
		if a == nil || (len(a.MsgPack) == 0 && len(a.JSON) == 0) {
			// MessagePack's nil: a null of whatever type the parameter has.
			a = &tfprotov6.DynamicValue{MsgPack: []byte{0xc0}}
		}
		args[i] = a
	}
	fixed := *req
	fixed.Arguments = args
	return s.ProviderServer.CallFunction(ctx, &fixed)
}
