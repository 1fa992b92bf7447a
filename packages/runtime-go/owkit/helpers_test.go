package owkit

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log stream the test can read while the server writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	url            string
	server         *Server
	stdout, stderr *syncBuffer
}

func startServer(t *testing.T, handler Handler, options Options) *testServer {
	t.Helper()
	ts := &testServer{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	options.Stdout = NewLineWriter(ts.stdout)
	options.Stderr = NewLineWriter(ts.stderr)
	ts.server = NewServer(handler, options)
	httpServer := httptest.NewServer(ts.server)
	t.Cleanup(httpServer.Close)
	ts.url = httpServer.URL
	return ts
}

type answer struct {
	status int
	body   string
	header http.Header
	chunks []string
}

func (ts *testServer) do(t *testing.T, method, path, body string) answer {
	t.Helper()
	request, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return send(t, request)
}

func (ts *testServer) post(t *testing.T, path, body string) answer {
	t.Helper()
	return ts.do(t, http.MethodPost, path, body)
}

func send(t *testing.T, request *http.Request) answer {
	t.Helper()
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: response.StatusCode, body: string(body), header: response.Header, chunks: response.TransferEncoding}
}

func expectAnswer(t *testing.T, got answer, status int, body string) {
	t.Helper()
	if got.status != status || got.body != body {
		t.Fatalf("got %d %s, want %d %s", got.status, got.body, status, body)
	}
	if got.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", got.header.Get("Content-Type"))
	}
	if got.header.Get("Content-Length") != itoa(len(body)) || len(got.chunks) > 0 {
		t.Errorf("Content-Length %q, transfer encoding %v", got.header.Get("Content-Length"), got.chunks)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func echoParams(_ context.Context, params json.RawMessage) (any, error) {
	return map[string]json.RawMessage{"params": params}, nil
}

// buildFixture compiles testdata/fixture, a tiny action that runs in the mode FIXTURE_MODE
// names, for the tests that need a real process.
func buildFixture(t *testing.T) string {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "owkit-fixture")
		if err != nil {
			fixtureErr = err
			return
		}
		fixturePath = filepath.Join(dir, "fixture")
		output, err := exec.Command("go", "build", "-o", fixturePath, "./testdata/fixture").CombinedOutput()
		if err != nil {
			fixtureErr = &buildError{output: string(output), err: err}
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixturePath
}

var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureErr  error
)

type buildError struct {
	output string
	err    error
}

func (b *buildError) Error() string { return b.err.Error() + ": " + b.output }

func TestMain(m *testing.M) {
	code := m.Run()
	if fixturePath != "" {
		os.RemoveAll(filepath.Dir(fixturePath))
	}
	os.Exit(code)
}
