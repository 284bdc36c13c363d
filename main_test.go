package main

import (
	"maps"
	"runtime/debug"
	"testing"
)

// The provider's logs are switched off only when Terraform would drop
// them, and a level someone set is never overridden.
func TestQuietUnreadLogs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nobody reads them", map[string]string{},
			map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_PROVIDER_IIS": "OFF"}},
		{"TF_LOG", map[string]string{"TF_LOG": "trace"}, map[string]string{"TF_LOG": "trace"}},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "debug"}, map[string]string{"TF_LOG_PROVIDER": "debug"}},
		{"a level of the SDK's own is kept", map[string]string{"TF_LOG_SDK_PROTO": "TRACE"},
			map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_SDK_PROTO": "TRACE", "TF_LOG_PROVIDER_IIS": "OFF"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := maps.Clone(tc.env)
			quietUnreadLogs(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if !maps.Equal(env, tc.want) {
				t.Errorf("environment %v, want %v", env, tc.want)
			}
		})
	}
}

// The provider collects garbage at 200 unless the user's GOGC says
// otherwise.
func TestCollectGarbageLessOften(t *testing.T) {
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })

	collectGarbageLessOften(func(string) string { return "50" })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set the target became %d, want it left alone", got)
	}
	collectGarbageLessOften(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != 200 {
		t.Errorf("without GOGC the target is %d, want 200", got)
	}
}
