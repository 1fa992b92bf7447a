package reverse

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestStringReversesByCodePoint(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"ascii", "hello world", "dlrow olleh"},
		{"two-byte", "héllo", "olléh"},
		{"combining mark", "e\u0301a", "a\u0301e"},
		{"astral", "a\U0001D11Eb", "b\U0001D11Ea"},
		{"emoji", "ab😀", "😀ba"},
		{"flag", "\U0001F1EB\U0001F1F7", "\U0001F1F7\U0001F1EB"},
		{"line separators", "a\u2028b\u2029", "\u2029b\u2028a"},
		{"html", "<a>&", "&>a<"},
		{"control", "\x00\x01\n\x7f", "\x7f\n\x01\x00"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", "b\ufffda"},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("%s: String(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestHandle(t *testing.T) {
	cases := []struct {
		name, params string
		want         string
		err          error
	}{
		{"payload", `{"payload":"abc"}`, "cba", nil},
		{"escaped pair", `{"payload":"a\ud83d\ude00"}`, "😀a", nil},
		{"lone high surrogate", `{"payload":"a\ud800b"}`, "b\ufffda", nil},
		{"lone low surrogate", `{"payload":"\udc00z"}`, "z\ufffd", nil},
		{"extra keys", `{"payload":"ab","n":1}`, "ba", nil},
		{"missing", `{}`, "", ErrPayloadNotString},
		{"number", `{"payload":1}`, "", ErrPayloadNotString},
		{"null", `{"payload":null}`, "", ErrPayloadNotString},
		{"bool", `{"payload":false}`, "", ErrPayloadNotString},
		{"object", `{"payload":{}}`, "", ErrPayloadNotString},
		{"array", `{"payload":["a"]}`, "", ErrPayloadNotString},
		{"params array", `["a"]`, "", ErrPayloadNotString},
		{"case-sensitive key", `{"Payload":"ab"}`, "", ErrPayloadNotString},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			result, err := Handle(context.Background(), json.RawMessage(c.params))
			if c.err != nil {
				if !errors.Is(err, c.err) || result != nil {
					t.Fatalf("got %v, %v; want error %v", result, err, c.err)
				}
				return
			}
			if err != nil || result != (Result{Reversed: c.want}) {
				t.Fatalf("got %#v, %v; want %q", result, err, c.want)
			}
		})
	}
	if ErrPayloadNotString.Error() != "payload must be a string" {
		t.Errorf("message %q", ErrPayloadNotString)
	}
}
