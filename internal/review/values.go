package review

import (
	"bytes"
	"encoding/json"
)

// value is one attribute as the report may show it.
type value struct {
	Text      string
	Null      bool // null, absent, or the whole object absent
	Unknown   bool // known only after apply
	Sensitive bool // marked sensitive: never shown
	Invalid   bool // not a string: never printed raw
}

// object is a resource's before or after value with the masks that say
// which parts are unknown or sensitive. A nil attrs means the object itself
// is null (before a create, after a delete).
type object struct {
	attrs     map[string]json.RawMessage
	unknown   mask
	sensitive mask
}

// mask is after_unknown or before/after_sensitive: either true for the
// whole value, or an object whose keys mark attributes.
type mask struct {
	all   bool
	attrs map[string]json.RawMessage
}

func readMask(raw json.RawMessage) mask {
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case "", "null", "false":
		return mask{}
	case "true":
		return mask{all: true}
	}
	var m mask
	if err := json.Unmarshal(raw, &m.attrs); err != nil {
		// A mask that cannot be read withholds everything: hiding a value
		// is the safe mistake.
		return mask{all: true}
	}
	return m
}

// has reports whether the mask marks attribute name, or anything inside it
// (a sensitive element makes the whole attribute unsafe to print). Masks of
// lists and nested objects mirror the value's shape with true and false
// leaves.
func (m mask) has(name string) bool {
	if m.all {
		return true
	}
	raw, ok := m.attrs[name]
	if !ok {
		return false
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		// A mask that cannot be read marks the attribute: withholding a
		// value is the safe mistake.
		return true
	}
	return anyTrue(v)
}

func anyTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case []any:
		for _, e := range x {
			if anyTrue(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if anyTrue(e) {
				return true
			}
		}
	}
	return false
}

// readObject decodes a before or after value. A value that is not an
// object (null for creates and deletes) yields a null object, and the error
// is kept for values that are neither.
func readObject(raw, unknown, sensitive json.RawMessage) (object, error) {
	o := object{unknown: readMask(unknown), sensitive: readMask(sensitive)}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o.attrs); err != nil {
		return o, err
	}
	if o.attrs == nil {
		o.attrs = map[string]json.RawMessage{}
	}
	return o, nil
}

func (o object) exists() bool { return o.attrs != nil || o.unknown.all }

func (o object) has(name string) bool {
	_, ok := o.attrs[name]
	return ok || o.unknown.has(name)
}

// get reads a string attribute, checking the masks before the value so a
// sensitive value is never even decoded.
func (o object) get(name string) value {
	switch {
	case o.sensitive.has(name):
		return value{Sensitive: true}
	case o.unknown.has(name):
		return value{Unknown: true}
	}
	raw, ok := o.attrs[name]
	if !ok {
		return value{Null: true}
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		// Not a string: the report shows no other kind, so it counts as
		// unreadable rather than being printed raw.
		return value{Invalid: true}
	}
	if s == nil {
		return value{Null: true}
	}
	return value{Text: *s}
}
