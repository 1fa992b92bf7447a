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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/internal/testsupport"
)

func TestParseOptions(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(name string) string { return vars[name] }
	}
	cases := []struct {
		name       string
		args       []string
		env        map[string]string
		host       string
		port       int
		errorMatch string
	}{
		{"defaults", nil, nil, "0.0.0.0", 8080, ""},
		{"environment", nil, map[string]string{"PORT": "18080", "HOST": "127.0.0.1"}, "127.0.0.1", 18080, ""},
		{"flags win", []string{"--port=9000", "--host", "::1"}, map[string]string{"PORT": "18080"}, "::1", 9000, ""},
		{"bad port", nil, map[string]string{"PORT": "http"}, "", 0, "port: expected a whole number"},
		{"port out of range", []string{"--port", "70000"}, nil, "", 0, "port: expected a whole number"},
		{"unknown flag", []string{"--verbose"}, nil, "", 0, "flag provided but not defined"},
		{"stray argument", []string{"x"}, nil, "", 0, "unexpected argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			options, err := ParseOptions(c.args, env(c.env))
			if c.errorMatch != "" {
				if err == nil || !strings.Contains(err.Error(), c.errorMatch) {
					t.Fatalf("error %v, want %q", err, c.errorMatch)
				}
				return
			}
			if err != nil || options.Host != c.host || options.Port != c.port {
				t.Fatalf("got %+v, %v", options, err)
			}
		})
	}
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return listener
}

// waitUntil polls check until it holds or ten seconds pass.
func waitUntil(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !check(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func refusesConnections(address string) bool {
	conn, err := net.Dial("tcp", address)
	if err != nil {
		return true
	}
	conn.Close()
	return false
}

func postTo(address, path, body string) (int, string, error) {
	response, err := http.Post("http://"+address+path, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer response.Body.Close()
	text, err := io.ReadAll(response.Body)
	return response.StatusCode, string(text), err
}

func TestShutdownLetsInFlightActivationsFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	server := NewServer(func(context.Context, json.RawMessage) (any, error) {
		close(started)
		<-release
		return map[string]bool{"finished": true}, nil
	}, Options{Stdout: action.NewLineWriter(io.Discard), Stderr: action.NewLineWriter(io.Discard)})
	listener := listenLoopback(t)
	address := listener.Addr().String()
	ctx, shutdown := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, listener) }()

	type result struct {
		status int
		body   string
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		status, body, err := postTo(address, "/run", `{}`)
		answered <- result{status, body, err}
	}()
	<-started
	shutdown()
	waitUntil(t, "the listener is closed", func() bool { return refusesConnections(address) })
	close(release)
	got := <-answered
	if got.err != nil || got.status != 200 || got.body != `{"finished":true}` {
		t.Errorf("in-flight activation got %d %q %v", got.status, got.body, got.err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v", err)
	}
}

func TestShutdownCutsActivationsThatOutlastTheGrace(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	stderr := &testsupport.SyncBuffer{}
	server := NewServer(func(context.Context, json.RawMessage) (any, error) {
		close(started)
		<-release
		return nil, nil
	}, Options{Stdout: action.NewLineWriter(io.Discard), Stderr: action.NewLineWriter(stderr)})
	listener := listenLoopback(t)
	ctx, shutdown := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- server.serve(ctx, listener, 50*time.Millisecond) }()
	failed := make(chan error, 1)
	go func() {
		_, _, err := postTo(listener.Addr().String(), "/run", `{}`)
		failed <- err
	}()
	<-started
	shutdown()
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v", err)
	}
	if err := <-failed; err == nil {
		t.Error("the activation that outlasted the grace still got an answer")
	}
	if !strings.Contains(stderr.String(), "still running") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestListenAndServeReportsAPortInUse(t *testing.T) {
	listener := listenLoopback(t)
	defer listener.Close()
	port := listener.Addr().(*net.TCPAddr).Port
	err := ListenAndServe(context.Background(), nothing, Options{Host: "127.0.0.1", Port: port})
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("got %v", err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	listener := listenLoopback(t)
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port
}

// lineCollector reads a process's output as it arrives.
type lineCollector struct {
	mu    sync.Mutex
	lines []string
}

func collectLines(t *testing.T, stream io.Reader) *lineCollector {
	t.Helper()
	collector := &lineCollector{}
	go func() {
		reader := bufio.NewReader(stream)
		for {
			line, err := reader.ReadString('\n')
			if line != "" {
				collector.mu.Lock()
				collector.lines = append(collector.lines, line)
				collector.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	return collector
}

func (c *lineCollector) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "")
}

// The real binary, as PID 1 of a container runs it: SIGTERM while an activation runs lets it
// finish, then the process exits 0.
func TestServeProcessDrainsAndExitsZeroOnSIGTERM(t *testing.T) {
	for _, signal := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(signal.String(), func(t *testing.T) {
			port := freePort(t)
			address := fmt.Sprintf("127.0.0.1:%d", port)
			command := exec.Command(testsupport.Fixture(t))
			command.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
			stdoutPipe, err := command.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			command.Stderr = io.Discard
			if err := command.Start(); err != nil {
				t.Fatal(err)
			}
			defer command.Process.Kill()
			stdout := collectLines(t, stdoutPipe)
			waitUntil(t, "the server listens", func() bool { return !refusesConnections(address) })

			type result struct {
				status int
				body   string
				err    error
			}
			answered := make(chan result, 1)
			go func() {
				status, body, err := postTo(address, "/run", `{"value":{"print":"working","holdMs":300},"activation_id":"x"}`)
				answered <- result{status, body, err}
			}()
			waitUntil(t, "the activation runs", func() bool { return strings.Contains(stdout.text(), "working") })
			if err := command.Process.Signal(signal); err != nil {
				t.Fatal(err)
			}
			got := <-answered
			want := `{"activationId":"x","env":"x","params":{"print":"working","holdMs":300}}`
			if got.err != nil || got.status != 200 || got.body != want {
				t.Errorf("in-flight activation got %d %q %v", got.status, got.body, got.err)
			}
			if err := command.Wait(); err != nil {
				t.Errorf("exit: %v", err)
			}
			if text := stdout.text(); text != "working\n"+action.Sentinel+"\n" {
				t.Errorf("stdout %q", text)
			}
		})
	}
}
