package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// Splitting a JSON object into its members without copying: a /run body can be 64 MiB, and
// json.Unmarshal into map[string]json.RawMessage copies every value (the params once more) on
// top of checking the text again. The functions here walk text that json.Valid has accepted
// (or that the runtime passed to a handler, which it checked); on anything else they return an
// error rather than panic, but they do not check what they skip.

var errNotObject = errors.New("owkit: not a JSON object")

// Fields splits a JSON object into its members, each a slice of raw (see action.Fields).
func Fields(raw json.RawMessage) (map[string]json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	var keyErr error
	err := eachMember(raw, func(quotedKey, value []byte) {
		key, err := memberKey(quotedKey)
		if err != nil {
			keyErr = err
			return
		}
		fields[key] = value
	})
	if err == nil {
		err = keyErr
	}
	if err != nil {
		return nil, err
	}
	return fields, nil
}

// eachMember calls visit with each member of the object in text, in order: its key as it is
// written, quotes included (see memberKey), and its value.
func eachMember(text []byte, visit func(quotedKey, value []byte)) error {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '{' {
		return errNotObject
	}
	i = skipSpace(text, i+1)
	if i < len(text) && text[i] == '}' {
		return nil
	}
	for {
		keyEnd, ok := skipString(text, i)
		if !ok {
			return errNotObject
		}
		key := text[i:keyEnd]
		i = skipSpace(text, keyEnd)
		if i >= len(text) || text[i] != ':' {
			return errNotObject
		}
		start := skipSpace(text, i+1)
		end, ok := skipValue(text, start)
		if !ok {
			return errNotObject
		}
		visit(key, text[start:end])
		i = skipSpace(text, end)
		if i >= len(text) {
			return errNotObject
		}
		switch text[i] {
		case '}':
			return nil
		case ',':
			i = skipSpace(text, i+1)
		default:
			return errNotObject
		}
	}
}

// memberKey decodes a key; most hold no escapes and are valid UTF-8, so they skip the decoder.
func memberKey(quoted []byte) (string, error) {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var key string
	err := json.Unmarshal(quoted, &key)
	return key, err
}

func skipSpace(text []byte, i int) int {
	for i < len(text) {
		switch text[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string that starts at text[i].
func skipString(text []byte, i int) (int, bool) {
	if i >= len(text) || text[i] != '"' {
		return 0, false
	}
	for j := i + 1; ; {
		quote := bytes.IndexByte(text[j:], '"')
		if quote < 0 {
			return 0, false
		}
		j += quote
		// The quote ends the string unless an odd run of backslashes escapes it.
		backslashes := 0
		for k := j - 1; k > i && text[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return j + 1, true
		}
		j++
	}
}

// skipValue returns the index just past the value that starts at text[i].
func skipValue(text []byte, i int) (int, bool) {
	if i >= len(text) {
		return 0, false
	}
	switch text[i] {
	case '"':
		return skipString(text, i)
	case '{', '[':
		depth := 0
		for i < len(text) {
			switch text[i] {
			case '"':
				end, ok := skipString(text, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default: // a number, true, false or null
		start := i
		for i < len(text) {
			switch text[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return i, i > start
			}
			i++
		}
		return i, i > start
	}
}

// isCanonicalJSON reports whether raw is valid JSON with no whitespace outside its strings:
// exactly what encoding/json writes for a json.RawMessage without HTML escaping (it only
// compacts one), so such a result can be answered as it is, without another copy.
func isCanonicalJSON(raw []byte) bool {
	if len(raw) == 0 || !json.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); {
		switch raw[i] {
		case ' ', '\t', '\r', '\n':
			return false
		case '"':
			end, _ := skipString(raw, i) // valid JSON: every string ends
			i = end
		default:
			i++
		}
	}
	return true
}
