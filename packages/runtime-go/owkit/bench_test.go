package owkit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/owkit/owkit/packages/runtime-go/action"
)

// BenchmarkRun measures the protocol's own cost per /run, without a socket: parsing, context,
// environment, result encoding and sentinels around a handler that does almost nothing.
func BenchmarkRun(b *testing.B) {
	server := NewServer(func(context.Context, json.RawMessage) (any, error) {
		return map[string]string{"reversed": "dlrow olleh"}, nil
	}, Options{Stdout: action.NewLineWriter(io.Discard), Stderr: action.NewLineWriter(io.Discard)})
	const body = `{"value":{"payload":"hello world"},"namespace":"guest","action_name":"/guest/reverse",` +
		`"action_version":"0.0.1","activation_id":"6c0d4f2e2b9a4b1a","transaction_id":"t","deadline":"4102444800000"}`
	b.ReportAllocs()
	for b.Loop() {
		request := httptest.NewRequest(http.MethodPost, "/run", strings.NewReader(body))
		recorder := httptest.NewRecorder()
		server.ServeHTTP(recorder, request)
		if recorder.Code != 200 {
			b.Fatal(recorder.Code)
		}
	}
}
