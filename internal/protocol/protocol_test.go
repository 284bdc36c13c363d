package protocol

import (
	"encoding/json"
	"testing"
)

// A real host's stdout can carry more than the agent's frames; the reader
// must find each frame and skip the rest, as Windows leaves it.
func TestDecodeResponseSkipsNoiseAroundFrames(t *testing.T) {
	frame := EncodeResponse(Response{ID: 0, OK: true, Result: json.RawMessage(`{"agent":"iis-agent/1"}`)})
	for name, line := range map[string][]byte{
		"frame alone":                           frame,
		"after a UTF-8 byte order mark":         append([]byte("\xef\xbb\xbf"), frame...),
		"after a banner without a newline":      append([]byte("Welcome to WEB01 "), frame...),
		"with a bare LF instead of CRLF ending": append(frame[:len(frame)-2:len(frame)-2], '\n'),
	} {
		r, ok, err := DecodeResponse(line)
		if !ok || err != nil {
			t.Errorf("%s: ok %v, err %v; the hello would be lost", name, ok, err)
			continue
		}
		if string(r.Result) != `{"agent":"iis-agent/1"}` {
			t.Errorf("%s: result %s", name, r.Result)
		}
	}
	for _, noise := range []string{"", "WARNING: profile loaded\r\n", "#< CLIXML\r\n", "#<IISAGENT"} {
		if _, ok, err := DecodeResponse([]byte(noise)); ok || err != nil {
			t.Errorf("noise %q read as a frame (ok %v, err %v)", noise, ok, err)
		}
	}
}

func TestDecodeResponseRejectsABrokenFrame(t *testing.T) {
	if _, ok, err := DecodeResponse([]byte(ResponsePrefix + "not base64!\r\n")); !ok || err == nil {
		t.Fatalf("broken frame: ok %v, err %v; want ok and an error", ok, err)
	}
}
