package review

import (
	"bytes"
	"testing"
)

// Whatever bytes are passed as a plan, reading them ends in a plan or an
// error, never a panic or a hang.
func FuzzReadPlan(f *testing.F) {
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"iis_app_pool.a","type":"iis_app_pool","change":{"actions":["create"],"after":{"name":"a"}}}]}`))
	f.Add([]byte(`{"format_version":"1.0","values":{}}`))
	f.Add([]byte("tfplan\x00PK\x03\x04"))
	f.Add([]byte(`{"@level":"info","@message":"Terraform 1.11.4","type":"version"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readPlan(bytes.NewReader(data))
		if err == nil && p == nil {
			t.Fatal("no plan and no error")
		}
	})
}
