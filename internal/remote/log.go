package remote

import (
	"context"
	"maps"
)

// Logger receives the client's structured log lines. The provider adapts
// tflog to it. Fields never hold passwords or operation arguments: only
// host, operation names, ids, counts and durations.
type Logger func(ctx context.Context, msg string, fields map[string]any)

// logSink adds the host to every line and tolerates a nil Logger.
type logSink struct {
	logger Logger
	host   string
}

func (l *logSink) log(ctx context.Context, msg string, fields map[string]any) {
	if l == nil || l.logger == nil {
		return
	}
	out := make(map[string]any, len(fields)+1)
	maps.Copy(out, fields)
	out["host"] = l.host
	l.logger(ctx, msg, out)
}

// debug logs from places masterzen calls without a context (its transport
// has none); the line still reaches a Logger that does not need one.
func (l *logSink) debug(msg string, fields map[string]any) {
	l.log(context.Background(), msg, fields)
}
