package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
)

// PanicError is what a recovered panic becomes: an application error like any other.
type PanicError struct{ value any }

func (p PanicError) Error() string {
	if err, ok := p.value.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(p.value)
}

// CallHandler runs the handler so that nothing it does can take the process down: a panic is
// recovered and returned as an error, its stack written to stderr. Errors are logged to stderr
// too, since only their message reaches the result.
func CallHandler(ctx context.Context, handler Handler, params json.RawMessage, stderr io.Writer) (result any, err error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			fmt.Fprintf(stderr, "panic: %v\n\n%s", recovered, debug.Stack())
			result, err = nil, PanicError{recovered}
		}
	}()
	result, err = handler(ctx, params)
	if err != nil {
		fmt.Fprintf(stderr, "action failed: %v\n", err)
	}
	return result, err
}

var EmptyObject = []byte("{}")

// ResultJSON is the result as the platform receives it: the error object for a failed
// activation, {} for nil, the encoded value otherwise (scalars included: the caller decides
// what they mean). Encoding runs the result's own MarshalJSON and the error's Error methods:
// a panic there is an encoding failure, not a crash.
func ResultJSON(result any, err error) (body []byte, encodeErr error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			body, encodeErr = nil, fmt.Errorf("panic: %v", recovered)
		}
	}()
	if err != nil {
		return ErrorBody(err.Error()), nil
	}
	switch result := result.(type) {
	case nil:
		return EmptyObject, nil
	case json.RawMessage:
		// encoding/json would only compact it, into a copy: a large result already compact
		// (reverse-string's 64 MiB answer) is answered as it is.
		if isCanonicalJSON(result) {
			return result, nil
		}
	}
	return EncodeJSON(result)
}

// LineResult maps a handler's outcome to the line a loop or blackbox child prints. A result
// that cannot be encoded is printed as null, so the proxy answers that there was no
// dictionary; ok is false then.
func LineResult(result any, err error, stderr io.Writer) (line []byte, ok bool) {
	body, encodeErr := ResultJSON(result, err)
	if encodeErr != nil {
		fmt.Fprintf(stderr, "The action's result could not be serialized: %v\n", encodeErr)
		return []byte("null"), false
	}
	return body, true
}

// StartsDictionaryOrArray checks encoder output, which never starts with whitespace.
func StartsDictionaryOrArray(body []byte) bool {
	return len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

var ErrNotDictionaryArgument = errors.New(MsgNotDictionaryArg)
