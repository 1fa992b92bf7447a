package action

import (
	"context"
	"encoding/json"
	"io"

	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
)

// Handler is an action: it gets the activation's params (the "value" of the /run request, a
// JSON object or array) and returns its result.
//
// Return a value that encodes to a JSON object or array (a struct, a map, a slice,
// json.RawMessage…), or nil for {}. A value that encodes to anything else (a number, a string,
// a nil pointer's null) makes the platform report that the action did not return a
// dictionary. A returned error becomes the application error {"error": err.Error()}.
//
// ctx carries the activation's deadline and its facts: see [ActivationFrom].
type Handler = protocol.Handler

// Activation holds the facts the platform sends with one activation (ID, ActionName,
// ActionVersion, Namespace, TransactionID, APIKey, Deadline). Under concurrent activations
// this, not the __OW_* environment variables, is the reliable source.
type Activation = protocol.Activation

// ActivationFrom returns the activation a handler's context belongs to.
func ActivationFrom(ctx context.Context) (Activation, bool) { return protocol.ActivationFrom(ctx) }

// LineWriter passes writes through to a stream and remembers whether the last one ended a
// line, so the sentinel that ends an activation's logs always starts a line of its own.
type LineWriter = protocol.LineWriter

// NewLineWriter tracks writes to out.
func NewLineWriter(out io.Writer) *LineWriter { return protocol.NewLineWriter(out) }

// Stdout and Stderr are the process's streams, tracked. Log through them (fmt.Fprintln,
// log.New, slog.NewTextHandler…) so the sentinel lands on a line of its own even when a log
// line was left unfinished. Output written to os.Stdout or os.Stderr directly is not seen.
var (
	Stdout = protocol.Stdout
	Stderr = protocol.Stderr
)

// Sentinel ends every activation's logs, on stdout and on stderr; the invoker waits for it.
const Sentinel = protocol.Sentinel

// Fields returns the members of the JSON object raw, each value a slice of raw itself (nothing
// is copied), like json.Unmarshal into a map[string]json.RawMessage: keys are matched exactly
// (unescaped), the last of duplicate keys wins. raw must be valid JSON, as a handler's params
// always are; an array or another value is an error.
func Fields(raw json.RawMessage) (map[string]json.RawMessage, error) { return protocol.Fields(raw) }
