package owkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
)

// panicError is what a recovered panic becomes: an application error like any other.
type panicError struct{ value any }

func (p panicError) Error() string {
	if err, ok := p.value.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(p.value)
}

// callHandler runs the handler so that nothing it does can take the process down: a panic is
// recovered and returned as an error, its stack written to stderr. Errors are logged to stderr
// too, since only their message reaches the result.
func callHandler(ctx context.Context, handler Handler, params json.RawMessage, stderr io.Writer) (result any, err error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			fmt.Fprintf(stderr, "panic: %v\n\n%s", recovered, debug.Stack())
			result, err = nil, panicError{recovered}
		}
	}()
	result, err = handler(ctx, params)
	if err != nil {
		fmt.Fprintf(stderr, "action failed: %v\n", err)
	}
	return result, err
}

var emptyObject = []byte("{}")

// resultJSON is the result as the platform receives it: the error object for a failed
// activation, {} for nil, the encoded value otherwise (scalars included: the caller decides
// what they mean). Encoding runs the result's own MarshalJSON and the error's Error methods:
// a panic there is an encoding failure, not a crash.
func resultJSON(result any, err error) (body []byte, encodeErr error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			body, encodeErr = nil, fmt.Errorf("panic: %v", recovered)
		}
	}()
	if err != nil {
		return errorBody(err.Error()), nil
	}
	switch result := result.(type) {
	case nil:
		return emptyObject, nil
	case json.RawMessage:
		// encoding/json would only compact it, into a copy: a large result already compact
		// (reverse-string's 64 MiB answer) is answered as it is.
		if isCanonicalJSON(result) {
			return result, nil
		}
	}
	return encodeJSON(result)
}

// httpResult maps a handler's outcome to the native runtime's answer.
func httpResult(result any, err error, stderr io.Writer) (int, []byte) {
	body, encodeErr := resultJSON(result, err)
	if encodeErr != nil {
		fmt.Fprintf(stderr, "The action's result could not be serialized: %v\n", encodeErr)
	}
	if encodeErr != nil || !startsDictionaryOrArray(body) {
		return http.StatusBadGateway, errorBody(msgNotDictionaryResult)
	}
	return http.StatusOK, body
}

// lineResult maps a handler's outcome to the line a loop or blackbox child prints. A result
// that cannot be encoded is printed as null, so the proxy answers that there was no
// dictionary; ok is false then.
func lineResult(result any, err error, stderr io.Writer) (line []byte, ok bool) {
	body, encodeErr := resultJSON(result, err)
	if encodeErr != nil {
		fmt.Fprintf(stderr, "The action's result could not be serialized: %v\n", encodeErr)
		return []byte("null"), false
	}
	return body, true
}

// startsDictionaryOrArray checks encoder output, which never starts with whitespace.
func startsDictionaryOrArray(body []byte) bool {
	return len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

var errNotDictionaryArgument = errors.New(msgNotDictionaryArg)
