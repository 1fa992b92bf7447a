package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// EncodeJSON writes v as compact JSON the way every owkit server does: no HTML escaping, so the
// bytes equal JSON.stringify's output with U+2028 and U+2029 escaped (which encoding/json
// always does).
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	// Encode always ends the value with exactly one newline.
	return buf.Bytes()[:buf.Len()-1], nil
}

type errorResult struct {
	Error string `json:"error"`
}

// ErrorBody is the protocol's error shape: one key, "error", holding a string.
func ErrorBody(message string) []byte {
	body, err := EncodeJSON(errorResult{Error: message})
	if err != nil {
		// A struct holding one string always encodes; reaching here is a bug in encoding/json.
		panic(err)
	}
	return body
}

// IsDictionaryOrArray reports whether raw JSON holds an object or an array.
func IsDictionaryOrArray(raw []byte) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && (raw[0] == '{' || raw[0] == '[')
}

// EnvText turns a JSON value into the text an environment variable holds: strings as they
// are, numbers and booleans as JavaScript prints them, null as "", objects and arrays as
// compact JSON. The TS runtime does the same, so both set identical environments.
func EnvText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errors.New("empty JSON value")
	}
	switch raw[0] {
	case '"':
		// Most context values (ids, names, deadlines) hold no escapes: skip the decoder.
		if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner), nil
		}
		var text string
		err := json.Unmarshal(raw, &text)
		return text, err
	case 'n':
		return "", nil
	case 't', 'f':
		return string(raw), nil
	case '{', '[':
		return stringifyLikeJS(raw)
	default:
		return jsNumberText(string(raw)), nil
	}
}

// jsNumberText prints a JSON number as JavaScript's String(number) does: shortest round-trip
// digits, fixed notation from 1e-6 up to 1e21, exponent notation without padding beyond.
func jsNumberText(literal string) string {
	f, err := strconv.ParseFloat(literal, 64)
	if err != nil {
		return literal
	}
	if f == 0 {
		return "0"
	}
	if abs := max(f, -f); abs >= 1e-6 && abs < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	text := strconv.FormatFloat(f, 'e', -1, 64)
	mantissa, exponent, _ := strings.Cut(text, "e")
	sign, digits := exponent[:1], strings.TrimLeft(exponent[1:], "0")
	return mantissa + "e" + sign + digits
}

// stringifyLikeJS re-encodes an object or array keeping its key order (re-encoding a Go map
// would sort the keys), with strings and numbers written as JSON.stringify writes them.
func stringifyLikeJS(raw []byte) (string, error) {
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	type container struct {
		object bool
		items  int
	}
	var open []container
	var out strings.Builder
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			return out.String(), nil
		}
		if err != nil {
			return "", err
		}
		if delim, ok := token.(json.Delim); ok && (delim == '}' || delim == ']') {
			out.WriteByte(byte(delim))
			open = open[:len(open)-1]
			continue
		}
		if len(open) > 0 {
			top := &open[len(open)-1]
			switch {
			case top.object && top.items%2 == 1:
				out.WriteByte(':')
			case top.items > 0:
				out.WriteByte(',')
			}
			top.items++
		}
		switch value := token.(type) {
		case json.Delim:
			out.WriteByte(byte(value))
			open = append(open, container{object: value == '{'})
		case string:
			encoded, err := EncodeJSON(value)
			if err != nil {
				return "", err
			}
			out.Write(encoded)
		case json.Number:
			out.WriteString(jsNumberText(value.String()))
		case bool:
			out.WriteString(strconv.FormatBool(value))
		case nil:
			out.WriteString("null")
		}
	}
}
