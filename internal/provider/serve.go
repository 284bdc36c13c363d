package provider

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ReleaseRequests wraps the framework's protocol server so that a request's
// context is let go once the request is answered.
//
// terraform-plugin-framework (internal/proto6server, registerContext) keeps
// the cancel function of every request's context until StopProvider, and
// with it the whole context: the loggers and fields terraform-plugin-go
// hangs on it, some tens of kilobytes per request. A plan of 500 resources
// makes about 2000 requests, so the provider's memory grew with every one
// (pprof: a live heap of 40 MiB at the end of the plan, 100 MiB peak RSS).
// Here the framework gets a context that answers from the request's only
// while the request runs; what it keeps afterwards is that small shell.
// Work a request started and that outlives it (a shared read) keeps its
// own values, which the provider adds below this context.
func ReleaseRequests(s tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	return releasing{s}
}

// releasing overrides the requests Terraform makes once per resource; the
// others are few and pass through.
type releasing struct {
	tfprotov6.ProviderServer
}

func (r releasing) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.ValidateResourceConfig(ctx, req)
}

func (r releasing) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.UpgradeResourceState(ctx, req)
}

func (r releasing) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.ReadResource(ctx, req)
}

func (r releasing) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.PlanResourceChange(ctx, req)
}

func (r releasing) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.ApplyResourceChange(ctx, req)
}

func (r releasing) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.ImportResourceState(ctx, req)
}

func (r releasing) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.ValidateDataResourceConfig(ctx, req)
}

func (r releasing) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.ReadDataSource(ctx, req)
}

func (r releasing) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	ctx, done := released(ctx)
	defer done()
	return r.ProviderServer.CallFunction(ctx, req)
}

// releasable is a context that forwards to the request's until release;
// afterwards it holds nothing of it and reads as cancelled.
type releasable struct {
	done <-chan struct{} // the request's, which closes when it ends

	mu     sync.RWMutex
	parent context.Context // nil once released
}

func released(ctx context.Context) (context.Context, func()) {
	c := &releasable{done: ctx.Done(), parent: ctx}
	return c, c.release
}

func (c *releasable) release() {
	c.mu.Lock()
	c.parent = nil
	c.mu.Unlock()
}

func (c *releasable) get() context.Context {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.parent
}

func (c *releasable) Deadline() (time.Time, bool) {
	if p := c.get(); p != nil {
		return p.Deadline()
	}
	return time.Time{}, false
}

func (c *releasable) Done() <-chan struct{} { return c.done }

func (c *releasable) Err() error {
	if p := c.get(); p != nil {
		return p.Err()
	}
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

func (c *releasable) Value(key any) any {
	if p := c.get(); p != nil {
		return p.Value(key)
	}
	return nil
}
