package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type keepCtx struct {
	tfprotov6.ProviderServer // nil: only ReadResource is called
	kept                     context.Context
	stop                     context.CancelFunc
	during                   any
}

type reqKey struct{}

func (k *keepCtx) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	k.kept, k.stop = context.WithCancel(ctx) // kept as the framework keeps it (registerContext)
	k.during = ctx.Value(reqKey{})
	return &tfprotov6.ReadResourceResponse{}, nil
}

// A context the framework keeps past its request sees the request's values
// while it runs and nothing of them after.
func TestReleaseRequestsLetsTheRequestGo(t *testing.T) {
	t.Parallel()
	k := &keepCtx{}
	defer func() { k.stop() }()
	req, cancel := context.WithCancel(context.WithValue(t.Context(), reqKey{}, "request"))
	if _, err := ReleaseRequests(k).ReadResource(req, &tfprotov6.ReadResourceRequest{}); err != nil {
		t.Fatal(err)
	}
	if k.during != "request" {
		t.Errorf("during the request the value was %v", k.during)
	}
	if v := k.kept.Value(reqKey{}); v != nil {
		t.Errorf("after the request the kept context still reaches its values: %v", v)
	}
	if k.kept.Err() != nil {
		t.Errorf("the kept context reads as ended before the request's did: %v", k.kept.Err())
	}
	cancel()
	<-k.kept.Done()
	if k.kept.Err() == nil {
		t.Error("the request ended, the kept context did not")
	}
}
