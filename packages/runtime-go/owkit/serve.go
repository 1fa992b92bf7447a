package owkit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
)

// ShutdownGrace is how long in-flight activations may run on after SIGTERM.
const ShutdownGrace = 10 * time.Second

// ParseOptions reads where to listen from the command line (--host, --port) and then the
// environment (HOST, PORT); flags win. OpenWhisk always uses 8080: PORT is for local runs.
func ParseOptions(args []string, getenv func(string) string) (Options, error) {
	flags := flag.NewFlagSet("action", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	host := flags.String("host", "", "address to listen on")
	port := flags.String("port", "", "port to listen on")
	if err := flags.Parse(args); err != nil {
		return Options{}, err
	}
	if flags.NArg() > 0 {
		return Options{}, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	options := Options{Host: "0.0.0.0", Port: 8080}
	if text := firstNonEmpty(*host, getenv("HOST")); text != "" {
		options.Host = text
	}
	if text := firstNonEmpty(*port, getenv("PORT")); text != "" {
		number, err := strconv.Atoi(text)
		if err != nil || number < 0 || number > 65535 {
			return Options{}, fmt.Errorf("port: expected a whole number from 0 to 65535, got %q", text)
		}
		options.Port = number
	}
	return options, nil
}

func firstNonEmpty(values ...string) string {
	for _, value := range values {
		if value != "" {
			return value
		}
	}
	return ""
}

// Serve is the whole main function of a native action: it listens on PORT (8080 by default)
// and returns once SIGTERM or SIGINT has shut the server down gracefully, so main returns and
// the process exits 0. A container's PID 1 gets no default signal handling, hence this one.
// If the server cannot start, Serve prints why and exits 1.
func Serve(handler action.Handler) {
	options, err := ParseOptions(os.Args[1:], os.Getenv)
	if err == nil {
		protocol.ApplyMemoryLimit(protocol.NativeMemoryFraction)
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
		err = ListenAndServe(ctx, handler, options)
		stop()
	}
	if err != nil {
		fmt.Fprintf(action.Stderr, "owkit: %v\n", err)
		os.Exit(1)
	}
}

// ListenAndServe serves handler on options.Host:options.Port until ctx is done, then shuts
// down gracefully.
func ListenAndServe(ctx context.Context, handler action.Handler, options Options) error {
	host := options.Host
	if host == "" {
		host = "0.0.0.0"
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(options.Port)))
	if err != nil {
		return err
	}
	return NewServer(handler, options).Serve(ctx, listener)
}

// Serve answers requests on listener until ctx is done. Then it stops accepting, lets
// in-flight activations finish for up to [ShutdownGrace], closes what is left and returns nil.
func (s *Server) Serve(ctx context.Context, listener net.Listener) error {
	return s.serve(ctx, listener, ShutdownGrace)
}

func (s *Server) serve(ctx context.Context, listener net.Listener, grace time.Duration) error {
	timeouts := s.options.Timeouts
	fresh := &freshConns{conns: map[net.Conn]struct{}{}}
	server := &http.Server{
		Handler: s,
		// The head and the idle wait are timed by net/http; a body's progress by the handler
		// (BodyIdle). No ReadTimeout or WriteTimeout: they would cover the activation, whose
		// time limit is the platform's.
		ReadHeaderTimeout: timeouts.Head,
		IdleTimeout:       timeouts.Idle,
		ConnState:         fresh.track,
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	// Shutdown closes idle keep-alive connections at once and each busy one as soon as its
	// answer is out, but waits 5 s for a connection that has not sent a byte yet: close those
	// now, nothing is in flight on them.
	stopClosing := fresh.closeWhile(shutdownCtx)
	err := server.Shutdown(shutdownCtx)
	stopClosing()
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(s.options.Stderr, "owkit: activations still running after %v; closing their connections\n", grace)
		err = server.Close()
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// freshConns tracks the connections that have not yet read a byte of a request.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (f *freshConns) track(conn net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		f.mu.Lock()
		f.conns[conn] = struct{}{}
		f.mu.Unlock()
	case http.StateActive, http.StateHijacked, http.StateClosed:
		f.mu.Lock()
		delete(f.conns, conn)
		f.mu.Unlock()
	}
}

// closeWhile closes fresh connections now and every 50 ms (one may be accepted just before the
// listener closes) until ctx is done or the returned function is called.
func (f *freshConns) closeWhile(ctx context.Context) (stop func()) {
	ctx, stop = context.WithCancel(ctx)
	go func() {
		ticker := time.NewTicker(50 * time.Millisecond)
		defer ticker.Stop()
		for {
			f.mu.Lock()
			for conn := range f.conns {
				conn.Close()
				delete(f.conns, conn)
			}
			f.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
	return stop
}
