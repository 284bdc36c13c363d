package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// Whatever a user's values are, a request decodes to what was encoded:
// same id, same op, same arguments.
func FuzzRequestRoundTrip(f *testing.F) {
	f.Add(uint64(1), "apppool.create", []byte(`{"name":"shop"}`))
	f.Add(uint64(7), "anonauth.set", []byte(`{"password":"\"'$(x)`+"`"+`]]>\u2018\u201e\n"}`))
	f.Add(uint64(1<<63), "x", []byte(`null`))
	f.Fuzz(func(t *testing.T, id uint64, op string, args []byte) {
		if !json.Valid(args) || !utf8.ValidString(op) {
			return // the client only ever sends marshalled JSON and UTF-8 op names
		}
		line, err := EncodeRequest(Request{ID: id, Op: op, Args: args})
		if err != nil {
			if id != 0 && op != "" {
				t.Fatalf("encode %d %q: %v", id, op, err)
			}
			return
		}
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("frame is not exactly one line: %q", line)
		}
		got, err := DecodeRequest(line)
		if err != nil {
			t.Fatalf("decode own frame: %v", err)
		}
		// The same JSON value: encoding/json may escape <, > and & anew.
		var want, have any
		if err := json.Unmarshal(args, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got.Args, &have); err != nil {
			t.Fatalf("decoded args are not JSON: %v", err)
		}
		if got.ID != id || got.Op != op || !reflect.DeepEqual(have, want) {
			t.Fatalf("round trip: got %d %q %s, want %d %q %s", got.ID, got.Op, got.Args, id, op, args)
		}
	})
}

// A line from the agent's stdout, however broken, is noise, a response,
// or an error; a failed response always carries a kind from the closed set,
// and a response re-framed decodes to itself.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(EncodeResponse(Response{ID: 3, OK: true, Result: json.RawMessage(`{"name":"shop"}`)}))
	f.Add(EncodeResponse(Response{ID: 4, Error: &Error{Kind: NotFound, Message: "gone"}}))
	f.Add([]byte(ResponsePrefix + "eyJpZCI6MSwib2siOmZhbHNlfQ==\r\n"))
	f.Add([]byte("WARNING: profile noise\r\n"))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, framed, err := DecodeResponse(line)
		if !framed || err != nil {
			return
		}
		if !r.OK && (r.Error == nil || !r.Error.Kind.Valid()) {
			t.Fatalf("failed response without a valid kind: %+v", r)
		}
		again, framed, err := DecodeResponse(EncodeResponse(r))
		if !framed || err != nil || again.ID != r.ID || again.OK != r.OK {
			t.Fatalf("re-framed response: %+v %v, want %+v", again, err, r)
		}
	})
}

// The line splitter never returns a line longer than MaxLine or one with
// its line ending, whatever the stream.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("a\r\nb\n\nc"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		lr := NewLineReader(bytes.NewReader(stream))
		for {
			l, err := lr.Next()
			if err != nil {
				return
			}
			if len(l) > MaxLine || bytes.ContainsAny(l, "\n") || bytes.HasSuffix(l, []byte("\r")) {
				t.Fatalf("line %q", l)
			}
		}
	})
}
