package protocol

import (
	"encoding/json"
	"errors"
	"strings"
)

var errInvalidJSON = errors.New(MsgInvalidJSON)

// RunRequest is a /run body taken apart: its value (a slice of the body, not a copy) and its
// other top-level keys as __OW_* variables.
type RunRequest struct {
	Value []byte // nil when the body has no "value"
	Vars  map[string]string
}

// Params is the request's value; a missing one means {}.
func (request RunRequest) Params() json.RawMessage {
	if request.Value == nil {
		return json.RawMessage(EmptyObject)
	}
	return request.Value
}

// contextVarNames maps the keys every /run body holds, as written without escapes, to their
// variables, so the usual activation names no string; "value" is there to be recognised too.
var contextVarNames = map[string]string{
	`"value"`: "value", `"namespace"`: "__OW_NAMESPACE", `"action_name"`: "__OW_ACTION_NAME",
	`"action_version"`: "__OW_ACTION_VERSION", `"activation_id"`: "__OW_ACTIVATION_ID",
	`"transaction_id"`: "__OW_TRANSACTION_ID", `"deadline"`: "__OW_DEADLINE", `"api_key"`: "__OW_API_KEY",
}

// ParseRunBody reads a /run body: an object whose "value", when present, is an object or an
// array. Both the HTTP server and the loop child use it. json.Valid decides what is JSON,
// including its nesting bound (10,000 levels, encoding/json's own); a byte-order mark is not
// JSON.
func ParseRunBody(body []byte) (RunRequest, error) {
	if !json.Valid(body) {
		return RunRequest{}, errInvalidJSON
	}
	request := RunRequest{Vars: make(map[string]string, 8)}
	var valuePresent bool
	var keyErr error
	err := eachMember(body, func(quotedKey, raw []byte) {
		name := contextVarNames[string(quotedKey)] // no allocation: the compiler looks up the bytes
		if name == "" {
			key, err := memberKey(quotedKey)
			if err != nil {
				keyErr = err
				return
			}
			if key == "value" {
				request.Value, valuePresent = raw, true
				return
			}
			name = "__OW_" + strings.ToUpper(key)
		} else if name == "value" {
			request.Value, valuePresent = raw, true
			return
		}
		if !isScalarContext(raw) {
			delete(request.Vars, name) // the last of duplicate keys wins, as in a decoded map
			return
		}
		if text, err := EnvText(raw); err == nil {
			request.Vars[name] = text
		}
	})
	if err != nil {
		return RunRequest{}, ErrNotDictionaryArgument // valid JSON, but not an object
	}
	if keyErr != nil {
		return RunRequest{}, errInvalidJSON
	}
	if valuePresent && !IsDictionaryOrArray(request.Value) {
		return RunRequest{}, ErrNotDictionaryArgument
	}
	return request, nil
}
