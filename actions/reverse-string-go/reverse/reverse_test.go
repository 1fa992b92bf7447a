package reverse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
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
			want, _ := json.Marshal(Result{Reversed: c.want})
			if raw, ok := result.(json.RawMessage); err != nil || !ok || string(raw) != string(want) {
				t.Fatalf("got %#v, %v; want %s", result, err, want)
			}
		})
	}
	if ErrPayloadNotString.Error() != "payload must be a string" {
		t.Errorf("message %q", ErrPayloadNotString)
	}
}

// reference is the action as it was first written, through encoding/json and []rune: the
// answer Handle must give byte for byte.
func reference(t *testing.T, params string) string {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(params), &fields); err != nil {
		t.Fatal(err)
	}
	var payload string
	if err := json.Unmarshal(fields["payload"], &payload); err != nil {
		t.Fatal(err)
	}
	runes := []rune(payload)
	for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
		runes[i], runes[j] = runes[j], runes[i]
	}
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(Result{Reversed: string(runes)}); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(out.String(), "\n")
}

func checkAgainstReference(t *testing.T, params string) {
	t.Helper()
	if !json.Valid([]byte(params)) {
		return
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(params), &fields) != nil || len(fields["payload"]) == 0 || fields["payload"][0] != '"' {
		return
	}
	result, err := Handle(context.Background(), json.RawMessage(params))
	if err != nil {
		t.Fatalf("%q: %v", params, err)
	}
	if got, want := string(result.(json.RawMessage)), reference(t, params); got != want {
		t.Fatalf("%q: got %q, want %q", params, got, want)
	}
}

// Every piece of JSON string syntax, mixed at random: escapes of every kind, surrogate pairs
// split and joined, lone surrogates, raw and escaped control characters, U+2028/U+2029, HTML
// characters, multi-byte and invalid UTF-8.
func TestHandleMatchesTheReferenceOnRandomPayloads(t *testing.T) {
	pieces := []string{
		"a", "Z", " ", "<", ">", "&", "/", `\/`, `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
		`\u0000`, `\u001f`, `\u0041`, `\u00e9`, `\u2028`, `\u2029`, `\uFFFD`, `\uffff`,
		`\ud83d`, `\ude00`, `\uD83D\uDE00`, `\ud800\u0041`, `\udbff\udfff`,
		"é", "€", "😀", "\u2028", "\u2029", "\x7f", "\xff", "\xc3", "\xed\xa0\x80", "\xf0\x9f",
		"\U0001F1EB\U0001F1F7", "e\u0301",
	}
	random := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var payload strings.Builder
		for range random.IntN(12) {
			payload.WriteString(pieces[random.IntN(len(pieces))])
		}
		checkAgainstReference(t, `{"n":1,"payload":"`+payload.String()+`","x":"\""}`)
	}
}

func FuzzHandleMatchesTheReference(f *testing.F) {
	for _, seed := range []string{"", "abc", `\ud83d\ude00`, `\ud800`, "\xff", `\u2028<>&`, `\"\\\n`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, literal string) {
		checkAgainstReference(t, `{"payload":"`+literal+`"}`)
	})
}

func TestHandleTakesTheLastOfDuplicatePayloads(t *testing.T) {
	result, err := Handle(context.Background(), json.RawMessage(`{"payload":1,"payload":"ab"}`))
	if err != nil || string(result.(json.RawMessage)) != `{"reversed":"ba"}` {
		t.Fatalf("got %v, %v", result, err)
	}
}

// A payload of 64 MiB: the answer is one buffer of the answer's size, and nothing of the
// payload's size is allocated besides it (no decoded string, no runes).
func TestHandleAllocatesOnlyTheAnswerForALargePayload(t *testing.T) {
	const size = 64 << 20
	params := make([]byte, 0, size+20)
	params = append(params, `{"payload":"`...)
	for len(params) < size {
		params = append(params, "hé€😀"...)
	}
	params = append(params, `"}`...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	result, err := Handle(context.Background(), params)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	raw := result.(json.RawMessage)
	if len(raw) != len(params)+1 || !bytes.HasPrefix(raw, []byte(`{"reversed":"😀€éh`)) {
		t.Fatalf("answer of %d bytes starting %q", len(raw), raw[:32])
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > uint64(len(raw))+64<<10 {
		t.Errorf("%d bytes allocated for an answer of %d", allocated, len(raw))
	}
}
