package owkit

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/internal/testsupport"
)

type testServer struct {
	url            string
	server         *Server
	stdout, stderr *testsupport.SyncBuffer
}

func startServer(t *testing.T, handler action.Handler, options Options) *testServer {
	t.Helper()
	ts := &testServer{stdout: &testsupport.SyncBuffer{}, stderr: &testsupport.SyncBuffer{}}
	options.Stdout = action.NewLineWriter(ts.stdout)
	options.Stderr = action.NewLineWriter(ts.stderr)
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

func TestMain(m *testing.M) {
	code := m.Run()
	testsupport.RemoveFixture()
	os.Exit(code)
}
