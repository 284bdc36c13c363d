package host

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

func BenchmarkHandleHostInfoInMemory(b *testing.B) {
	h := New(Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, perr := h.Handle(ctx, hostapi.OpHostInfo, nil); perr != nil {
			b.Fatal(perr)
		}
	}
}

// A file-backed read pays the flock and a stat per operation.
func BenchmarkHandleHostInfoFile(b *testing.B) {
	h, err := Open(filepath.Join(b.TempDir(), "host.json"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, perr := h.Handle(ctx, hostapi.OpHostInfo, nil); perr != nil {
			b.Fatal(perr)
		}
	}
}

// A file-backed write pays lock, copy, encode, fsync and rename.
func BenchmarkPoolAttrWriteFile(b *testing.B) {
	h, err := Open(filepath.Join(b.TempDir(), "host.json"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	vals := []string{"true", "false"}
	i := 0
	for b.Loop() {
		if err := h.SetAppPoolAttr(ctx, "DefaultAppPool", "autoStart", vals[i%2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
