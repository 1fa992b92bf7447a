package owkit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
	"github.com/owkit/owkit/packages/runtime-go/internal/testsupport"
)

// liveServer runs a Server the way Serve does (its own http.Server, timeouts included) on a
// loopback port, for tests of the connection rules.
type liveServer struct {
	address        string
	stdout, stderr *testsupport.SyncBuffer
}

func startLive(t *testing.T, handler action.Handler, options Options) *liveServer {
	t.Helper()
	live := &liveServer{stdout: &testsupport.SyncBuffer{}, stderr: &testsupport.SyncBuffer{}}
	options.Stdout, options.Stderr = action.NewLineWriter(live.stdout), action.NewLineWriter(live.stderr)
	listener := listenLoopback(t)
	live.address = listener.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- NewServer(handler, options).serve(ctx, listener, time.Second) }()
	t.Cleanup(func() {
		stop()
		<-served
	})
	return live
}

func (l *liveServer) dial(t *testing.T) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", l.address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// No test waits this long: the deadline only stops a broken test from hanging.
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// readAnswer reads one response from conn.
func readAnswer(t *testing.T, reader *bufio.Reader) (*http.Response, string) {
	t.Helper()
	response, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response, string(body)
}

// closedWithin reports how long the server took to close conn (a read returns EOF or a reset),
// failing if it has not after limit.
func closedWithin(t *testing.T, conn net.Conn, reader *bufio.Reader, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if err := conn.SetReadDeadline(start.Add(limit)); err != nil {
		t.Fatal(err)
	}
	_, err := io.Copy(io.Discard, reader)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("the connection was still open after %v", limit)
	}
	return time.Since(start)
}

func shortTimeouts() Timeouts {
	return Timeouts{Head: 400 * time.Millisecond, BodyIdle: 400 * time.Millisecond, Idle: 600 * time.Millisecond,
		OversizeDrain: 300 * time.Millisecond}
}

func TestTimeoutDefaultsAreTheProtocols(t *testing.T) {
	got := NewServer(nothing, Options{}).options.Timeouts
	want := Timeouts{Head: 60 * time.Second, BodyIdle: 60 * time.Second, Idle: 65 * time.Second, OversizeDrain: time.Second}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	partial := NewServer(nothing, Options{Timeouts: Timeouts{Idle: time.Second}}).options.Timeouts
	if partial.Idle != time.Second || partial.Head != want.Head {
		t.Fatalf("a zero field keeps its default: %+v", partial)
	}
}

// A head that never ends (slowloris) is closed after Timeouts.Head.
func TestAStalledHeadIsClosed(t *testing.T) {
	live := startLive(t, nothing, Options{Timeouts: shortTimeouts()})
	conn := live.dial(t)
	if _, err := io.WriteString(conn, "POST /run HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	if took := closedWithin(t, conn, bufio.NewReader(conn), 5*time.Second); took < 250*time.Millisecond {
		t.Errorf("closed after %v, before the head timeout", took)
	}
}

// A body that stops moving is closed after Timeouts.BodyIdle; one that keeps moving, however
// slowly and however long in all, is read to its end and answered.
func TestABodyMustKeepMovingButMayTakeAsLongAsItMoves(t *testing.T) {
	live := startLive(t, testsupport.EchoParams, Options{Timeouts: shortTimeouts()})
	stalled := live.dial(t)
	if _, err := io.WriteString(stalled, "POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"value\":"); err != nil {
		t.Fatal(err)
	}
	if took := closedWithin(t, stalled, bufio.NewReader(stalled), 5*time.Second); took < 250*time.Millisecond {
		t.Errorf("closed after %v, before the body timeout", took)
	}
	if got := live.stdout.String(); got != "" {
		t.Errorf("an activation whose body never came wrote %q", got)
	}

	moving := live.dial(t)
	body := `{"value":{"slow":"` + strings.Repeat("s", 12) + `"}}`
	if _, err := fmt.Fprintf(moving, "POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", len(body)); err != nil {
		t.Fatal(err)
	}
	// Four times the body timeout in all, never silent for more than half of it.
	for i := range len(body) {
		if _, err := io.WriteString(moving, body[i:i+1]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(55 * time.Millisecond)
	}
	response, answer := readAnswer(t, bufio.NewReader(moving))
	if response.StatusCode != 200 || answer != `{"params":{"slow":"ssssssssssss"}}` {
		t.Errorf("got %d %s", response.StatusCode, answer)
	}
}

// An activation that outlasts every connection timeout is neither cut nor cancelled.
func TestNoTimeoutCutsARunningActivation(t *testing.T) {
	live := startLive(t, func(ctx context.Context, _ json.RawMessage) (any, error) {
		select {
		case <-time.After(1500 * time.Millisecond): // past Head, BodyIdle and Idle together
			return map[string]bool{"finished": true}, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("cancelled: %w", ctx.Err())
		}
	}, Options{Timeouts: shortTimeouts()})
	conn := live.dial(t)
	if _, err := io.WriteString(conn, "POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
		t.Fatal(err)
	}
	response, answer := readAnswer(t, bufio.NewReader(conn))
	if response.StatusCode != 200 || answer != `{"finished":true}` {
		t.Errorf("got %d %s", response.StatusCode, answer)
	}
}

// A kept-alive connection serves the next request, and is closed once it has been idle for
// Timeouts.Idle.
func TestIdleKeepAliveConnectionsClose(t *testing.T) {
	live := startLive(t, nothing, Options{Timeouts: shortTimeouts()})
	conn := live.dial(t)
	reader := bufio.NewReader(conn)
	for range 2 {
		if _, err := io.WriteString(conn, "POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
			t.Fatal(err)
		}
		if response, answer := readAnswer(t, reader); response.StatusCode != 200 || answer != `{}` {
			t.Fatalf("got %d %s", response.StatusCode, answer)
		}
	}
	if took := closedWithin(t, conn, reader, 5*time.Second); took < 450*time.Millisecond {
		t.Errorf("closed after %v, before the idle timeout", took)
	}
}

// A Content-Length far past the limit (10^11) is answered at once, from the head alone; the
// connection then closes after a bounded drain, however much the client still sends.
func TestAHugeDeclaredLengthIsAnsweredAtOnceAndTheConnectionCloses(t *testing.T) {
	live := startLive(t, nothing, Options{Timeouts: shortTimeouts()})
	for _, route := range []string{"/run", "/init"} {
		conn := live.dial(t)
		start := time.Now()
		if _, err := io.WriteString(conn, "POST "+route+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		// The client keeps sending, as one that ignores early answers does.
		go func() {
			chunk := make([]byte, 64<<10)
			for {
				if _, err := conn.Write(chunk); err != nil {
					return
				}
			}
		}()
		reader := bufio.NewReader(conn)
		response, answer := readAnswer(t, reader)
		if response.StatusCode != 413 || answer != `{"error":"Request body too large."}` || response.ContentLength != int64(len(answer)) {
			t.Fatalf("%s: got %d %s", route, response.StatusCode, answer)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: the 413 took %v", route, took)
		}
		closedWithin(t, conn, reader, 5*time.Second)
	}
	if got := strings.Count(live.stdout.String(), action.Sentinel); got != 1 {
		t.Errorf("%d sentinels, want one for the /run", got)
	}
}

// A chunk that declares an enormous size is read no further than the limit.
func TestAHugeChunkSizeIsRefusedAtTheLimit(t *testing.T) {
	live := startLive(t, nothing, Options{BodyLimitBytes: 1 << 10, Timeouts: shortTimeouts()})
	conn := live.dial(t)
	if _, err := io.WriteString(conn, "POST /run HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n"+
		strings.Repeat("x", 2<<10)); err != nil {
		t.Fatal(err)
	}
	response, answer := readAnswer(t, bufio.NewReader(conn))
	if response.StatusCode != 413 || answer != `{"error":"Request body too large."}` {
		t.Fatalf("got %d %s", response.StatusCode, answer)
	}
}

type panickyResult struct{}

func (panickyResult) MarshalJSON() ([]byte, error) { panic("cannot marshal") }

type panickyError struct{}

func (panickyError) Error() string { panic("cannot say") }

// A result whose encoding panics, or an error whose message does, is answered like any result
// that cannot be encoded, with the sentinels, and the connection keeps serving.
func TestPanicsWhileEncodingTheResultAreAnswered(t *testing.T) {
	ts := startServer(t, func(_ context.Context, params json.RawMessage) (any, error) {
		switch string(params) {
		case `{"in":"marshal"}`:
			return map[string]any{"x": panickyResult{}}, nil
		case `{"in":"error"}`:
			return nil, panickyError{}
		}
		return nil, nil
	}, Options{})
	for _, in := range []string{"marshal", "error"} {
		expectAnswer(t, ts.post(t, "/run", `{"value":{"in":"`+in+`"}}`), 502, `{"error":"The action did not return a dictionary or array."}`)
	}
	expectAnswer(t, ts.post(t, "/run", `{}`), 200, `{}`)
	if got := strings.Count(ts.stdout.String(), action.Sentinel); got != 3 {
		t.Errorf("%d sentinels on stdout, want 3", got)
	}
	if !strings.Contains(ts.stderr.String(), "cannot marshal") || !strings.Contains(ts.stderr.String(), "cannot say") {
		t.Errorf("stderr %q", ts.stderr.String())
	}
	line, ok := protocol.LineResult(panickyResult{}, nil, action.NewLineWriter(io.Discard))
	if ok || string(line) != "null" {
		t.Errorf("a loop or blackbox child prints %s, %v", line, ok)
	}
}

// A byte-order mark is not JSON; nesting is accepted up to encoding/json's bound of 10,000
// levels (the body's own level included) and refused past it, with the same 400. The loop and
// blackbox children take the same nesting (their own tests).
func TestByteOrderMarkAndNestingDepth(t *testing.T) {
	ts := startServer(t, testsupport.EchoParams, Options{})
	for _, route := range []string{"/run", "/init"} {
		expectAnswer(t, ts.post(t, route, "\uFEFF{}"), 400, `{"error":"Request body is not valid JSON."}`)
	}
	nested := func(depth int) string { return strings.Repeat("[", depth) + strings.Repeat("]", depth) }
	// value nested 9,999 deep is a body nested 10,000 deep.
	expectAnswer(t, ts.post(t, "/run", `{"value":`+nested(9_999)+`}`), 200, `{"params":`+nested(9_999)+`}`)
	expectAnswer(t, ts.post(t, "/run", `{"value":`+nested(10_000)+`}`), 400, `{"error":"Request body is not valid JSON."}`)
	expectAnswer(t, ts.post(t, "/init", nested(10_000)), 200, `{"ok":true}`)
	expectAnswer(t, ts.post(t, "/init", nested(10_001)), 400, `{"error":"Request body is not valid JSON."}`)

	deep := `{"value":{"d":` + nested(5_000) + `}}`
	want := `{"params":{"d":` + nested(5_000) + `}}`
	expectAnswer(t, ts.post(t, "/run", deep), 200, want)
}

// net/http answers an Expect other than 100-continue itself, before any handler runs: 417 with
// no body and no Content-Type. The README states this limit; this test keeps it honest.
func TestAnExpectationOtherThanContinueIsNetHTTPs417(t *testing.T) {
	live := startLive(t, nothing, Options{})
	conn := live.dial(t)
	if _, err := io.WriteString(conn, "POST /run HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
		t.Fatal(err)
	}
	response, answer := readAnswer(t, bufio.NewReader(conn))
	if response.StatusCode != 417 || answer != "" || response.ContentLength != 0 || !response.Close {
		t.Errorf("got %d %q length %d close %v", response.StatusCode, answer, response.ContentLength, response.Close)
	}
	if live.stdout.String() != "" {
		t.Errorf("the handler ran: %q", live.stdout.String())
	}
}

// SIGTERM with idle keep-alive clients, and one connected that never sent a byte: the process
// exits 0 at once once the last answer is out, not after net/http's 5 s wait for new
// connections or Docker's SIGKILL.
func TestServeProcessExitsPromptlyWithIdleClientsOnSIGTERM(t *testing.T) {
	port := freePort(t)
	address := fmt.Sprintf("127.0.0.1:%d", port)
	command := exec.Command(testsupport.Fixture(t))
	command.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	command.Stdout, command.Stderr = io.Discard, io.Discard
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	defer command.Process.Kill()
	waitUntil(t, "the server listens", func() bool { return !refusesConnections(address) })
	// Three kept-alive clients, each held open by its deferred Close.
	for range 3 {
		conn, err := net.Dial("tcp", address)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
			t.Fatal(err)
		}
		if response, _ := readAnswer(t, bufio.NewReader(conn)); response.StatusCode != 200 {
			t.Fatal(response.Status)
		}
	}
	silent, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	time.Sleep(100 * time.Millisecond) // the silent connection is accepted
	start := time.Now()
	if err := command.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := command.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("exited %v after SIGTERM", took)
	}
}

// A json.RawMessage result that is already compact is answered as it is (no copy); any other
// is compacted by encoding/json, with the same bytes either way.
func TestCompactRawResultsAreAnsweredWithoutACopy(t *testing.T) {
	compact := json.RawMessage(`{"s":"a b\u2028<"," ":[1,true,null]}`)
	body, err := protocol.ResultJSON(compact, nil)
	if err != nil || &body[0] != &compact[0] {
		t.Errorf("compact result copied or refused: %v", err)
	}
	encoded, _ := protocol.EncodeJSON(compact)
	if string(body) != string(encoded) {
		t.Errorf("%s differs from encoding/json's %s", body, encoded)
	}
	for _, loose := range []string{` {"a":1}`, `{"a": 1}`, "[1,\n2]"} {
		body, err := protocol.ResultJSON(json.RawMessage(loose), nil)
		encoded, _ := protocol.EncodeJSON(json.RawMessage(loose))
		if err != nil || string(body) != string(encoded) {
			t.Errorf("%q: %s, want %s", loose, body, encoded)
		}
	}
	if _, err := protocol.ResultJSON(json.RawMessage(`{"a":}`), nil); err == nil {
		t.Error("invalid raw JSON was accepted")
	}
}
