// Package reverse is the reverse-string action's logic, shared by its three entry points:
// {"payload": "<string>"} in, {"reversed": "<the string reversed by code point>"} out.
package reverse

import (
	"context"
	"encoding/json"
	"errors"
)

// ErrPayloadNotString is the application error for params without a string payload.
var ErrPayloadNotString = errors.New("payload must be a string")

// Result is the action's answer.
type Result struct {
	Reversed string `json:"reversed"`
}

// Handle is the action as an owkit handler. Decoding the payload replaces lone UTF-16
// surrogates (and invalid UTF-8) with U+FFFD, so the reversed text is always valid UTF-8.
func Handle(_ context.Context, params json.RawMessage) (any, error) {
	// A map, not a struct: encoding/json matches struct fields case-insensitively, and
	// {"PAYLOAD": …} must not count as a payload.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(params, &fields); err != nil {
		return nil, ErrPayloadNotString // an array, not an object
	}
	raw := fields["payload"]
	if len(raw) == 0 || raw[0] != '"' {
		return nil, ErrPayloadNotString
	}
	var payload string
	if err := json.Unmarshal(raw, &payload); err != nil {
		return nil, err
	}
	return Result{Reversed: String(payload)}, nil
}

// String reverses s by Unicode code point; grapheme clusters (a letter and its combining
// marks, flag pairs, emoji sequences) are not kept together.
func String(s string) string {
	runes := []rune(s)
	for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
		runes[i], runes[j] = runes[j], runes[i]
	}
	return string(runes)
}
