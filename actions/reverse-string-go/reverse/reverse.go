// Package reverse is the reverse-string action's logic, shared by its three entry points:
// {"payload": "<string>"} in, {"reversed": "<the string reversed by code point>"} out.
package reverse

import (
	"context"
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/owkit/owkit/packages/runtime-go/action"
)

// ErrPayloadNotString is the application error for params without a string payload.
var ErrPayloadNotString = errors.New("payload must be a string")

// errMalformedPayload: the payload is not a JSON string (params the runtime passes always are).
var errMalformedPayload = errors.New("payload is not a valid JSON string")

// Result is the action's answer, as Handle encodes it.
type Result struct {
	Reversed string `json:"reversed"`
}

// Handle is the action as an owkit handler. It works on the JSON text itself, so a 64 MiB
// payload costs one output buffer and no more: the payload is never decoded into a string of
// its own, nor into runes. It reads the payload's code points as encoding/json decodes them
// (lone UTF-16 surrogates and invalid UTF-8 become U+FFFD) and writes them from the end of one
// buffer backwards, escaped exactly as encoding/json writes a Result without HTML escaping.
func Handle(_ context.Context, params json.RawMessage) (any, error) {
	// action.Fields slices the params without copying them. Keys match exactly (unlike struct
	// fields, which encoding/json matches case-insensitively): {"PAYLOAD": …} is no payload.
	fields, err := action.Fields(params)
	if err != nil {
		return nil, ErrPayloadNotString // an array, not an object
	}
	raw := fields["payload"]
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, ErrPayloadNotString
	}
	body, err := reversedResult(raw[1 : len(raw)-1])
	if err != nil {
		return nil, err
	}
	return json.RawMessage(body), nil
}

const resultHead, resultTail = `{"reversed":"`, `"}`

// reversedResult is the encoded Result for the payload whose JSON string content (between the
// quotes) is literal. A first pass sizes the answer, a second writes each code point's escaped
// form from the end backwards.
func reversedResult(literal []byte) ([]byte, error) {
	size := 0
	for i := 0; i < len(literal); {
		if c := literal[i]; isPlain(c) {
			size++
			i++
			continue
		}
		r, next, ok := codePoint(literal, i)
		if !ok {
			return nil, errMalformedPayload
		}
		size += encodedLen(r)
		i = next
	}
	out := make([]byte, len(resultHead)+size+len(resultTail))
	copy(out, resultHead)
	copy(out[len(resultHead)+size:], resultTail)
	end := len(resultHead) + size // writing goes backwards from here
	for i := 0; i < len(literal); {
		if c := literal[i]; isPlain(c) {
			end--
			out[end] = c
			i++
			continue
		}
		r, next, _ := codePoint(literal, i) // checked by the first pass
		end -= encodedLen(r)
		writeEncoded(out[end:], r)
		i = next
	}
	return out, nil
}

// isPlain: an ASCII byte that stands for itself in JSON text and in the answer.
func isPlain(c byte) bool {
	return c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\'
}

// codePoint decodes the code point at literal[i] the way encoding/json does: escapes resolved,
// a UTF-16 surrogate pair joined, a lone surrogate or an invalid UTF-8 byte read as U+FFFD.
func codePoint(literal []byte, i int) (r rune, next int, ok bool) {
	c := literal[i]
	switch {
	case c == '\\':
		if i+1 >= len(literal) {
			return 0, 0, false
		}
		switch literal[i+1] {
		case '"', '\\', '/':
			return rune(literal[i+1]), i + 2, true
		case 'b':
			return '\b', i + 2, true
		case 'f':
			return '\f', i + 2, true
		case 'n':
			return '\n', i + 2, true
		case 'r':
			return '\r', i + 2, true
		case 't':
			return '\t', i + 2, true
		case 'u':
			first := hexEscape(literal, i)
			if first < 0 {
				return 0, 0, false
			}
			if !utf16.IsSurrogate(first) {
				return first, i + 6, true
			}
			if pair := utf16.DecodeRune(first, hexEscape(literal, i+6)); pair != unicode.ReplacementChar {
				return pair, i + 12, true
			}
			return unicode.ReplacementChar, i + 6, true
		}
		return 0, 0, false
	case c < 0x20 || c == '"':
		return 0, 0, false
	case c < utf8.RuneSelf:
		return rune(c), i + 1, true
	}
	r, size := utf8.DecodeRune(literal[i:]) // (RuneError, 1) for an invalid byte
	return r, i + size, true
}

// hexEscape reads the \uXXXX at literal[i], or -1.
func hexEscape(literal []byte, i int) rune {
	if i+6 > len(literal) || literal[i] != '\\' || literal[i+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range literal[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// encodedLen is the length of r in the answer (protocol §4): short escapes for " \ and
// \b \f \n \r \t, \u00xx for other control characters, \u2028 and \u2029, raw UTF-8 otherwise.
func encodedLen(r rune) int {
	switch r {
	case '"', '\\', '\b', '\f', '\n', '\r', '\t':
		return 2
	case '\u2028', '\u2029':
		return 6
	}
	if r < 0x20 {
		return 6
	}
	return utf8.RuneLen(r)
}

const hexDigits = "0123456789abcdef"

// writeEncoded writes r's form in the answer at the start of out.
func writeEncoded(out []byte, r rune) {
	switch r {
	case '"', '\\':
		out[0], out[1] = '\\', byte(r)
	case '\b':
		out[0], out[1] = '\\', 'b'
	case '\f':
		out[0], out[1] = '\\', 'f'
	case '\n':
		out[0], out[1] = '\\', 'n'
	case '\r':
		out[0], out[1] = '\\', 'r'
	case '\t':
		out[0], out[1] = '\\', 't'
	default:
		if r < 0x20 || r == '\u2028' || r == '\u2029' {
			copy(out, `\u`)
			out[2] = hexDigits[r>>12&0xf]
			out[3] = hexDigits[r>>8&0xf]
			out[4] = hexDigits[r>>4&0xf]
			out[5] = hexDigits[r&0xf]
			return
		}
		utf8.EncodeRune(out, r)
	}
}

// String reverses s by Unicode code point, as converting to []rune and back would (an invalid
// UTF-8 byte becomes U+FFFD), into one buffer; grapheme clusters (a letter and its combining
// marks, flag pairs, emoji sequences) are not kept together.
func String(s string) string {
	size := 0
	for _, r := range s {
		size += utf8.RuneLen(r)
	}
	out := make([]byte, size)
	end := size
	for _, r := range s {
		end -= utf8.RuneLen(r)
		utf8.EncodeRune(out[end:], r)
	}
	return string(out)
}
