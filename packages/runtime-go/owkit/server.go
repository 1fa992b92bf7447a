package owkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"

	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
)

// Options configure a native server. The zero value of each field means its default.
type Options struct {
	// Host and Port are where ListenAndServe listens: 0.0.0.0 and 8080 by default (the
	// invoker connects to the container's address, on 8080).
	Host string
	Port int
	// BodyLimitBytes is the largest request body accepted, inclusive; 64 MiB by default.
	BodyLimitBytes int64
	// Timeouts are the connection rules; each zero field means its default (DefaultTimeouts).
	Timeouts Timeouts
	// Init runs once, at the first /init, after its env has been applied. An error answers
	// 502 and lets /init be tried again.
	Init func() error
	// Stdout and Stderr receive activation logs and sentinels; the process's by default.
	Stdout, Stderr *action.LineWriter
}

// Server serves one handler over the protocol's /init and /run. It is an http.Handler, so it
// runs under httptest as well as under [Server.Serve].
type Server struct {
	handler   action.Handler
	options   Options
	env       protocol.ProcessEnv
	initMu    sync.Mutex
	initState bool
}

// NewServer returns an unstarted server for handler.
func NewServer(handler action.Handler, options Options) *Server {
	if options.BodyLimitBytes <= 0 {
		options.BodyLimitBytes = protocol.DefaultBodyLimitBytes
	}
	options.Timeouts = options.Timeouts.withDefaults()
	if options.Stdout == nil {
		options.Stdout = action.Stdout
	}
	if options.Stderr == nil {
		options.Stderr = action.Stderr
	}
	return &Server{handler: handler, options: options}
}

var (
	notFoundBody            = protocol.ErrorBody(protocol.MsgNotFound)
	methodNotAllowedBody    = protocol.ErrorBody(protocol.MsgMethodNotAllowed)
	bodyTooLargeBody        = protocol.ErrorBody(protocol.MsgBodyTooLarge)
	invalidJSONBody         = protocol.ErrorBody(protocol.MsgInvalidJSON)
	reinitBody              = protocol.ErrorBody(protocol.MsgReinit)
	notDictionaryArgBody    = protocol.ErrorBody(protocol.MsgNotDictionaryArg)
	notDictionaryResultBody = protocol.ErrorBody(protocol.MsgNotDictionaryResult)
	initOKBody              = []byte(`{"ok":true}`)
)

// ServeHTTP routes by hand rather than through http.ServeMux: the mux answers unknown paths,
// wrong methods and unclean paths (redirects) with plain-text bodies, and every answer here
// must be JSON.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := r.URL.Path
	controller := http.NewResponseController(w)
	if route != "/init" && route != "/run" {
		s.discard(r, controller)
		reply(w, http.StatusNotFound, notFoundBody)
		return
	}
	if r.Method != http.MethodPost {
		s.discard(r, controller)
		reply(w, http.StatusMethodNotAllowed, methodNotAllowedBody)
		return
	}
	body, err := s.readBody(r, controller)
	if errors.Is(err, protocol.ErrBodyTooLarge) {
		if route == "/run" {
			s.writeSentinels()
		}
		s.refuseOversize(w, r, controller)
		if r.ContentLength < 0 {
			debug.FreeOSMemory() // a chunked body was read up to the limit before it was refused
		}
		return
	}
	if err != nil {
		// The client went away or stopped sending mid-body: close the connection, nobody is
		// left to answer.
		panic(http.ErrAbortHandler)
	}
	if len(body) > protocol.LargeInput {
		// The buffers a large body outgrew, and the garbage of earlier large activations, go
		// back to the kernel before the action allocates: two 64 MiB activations in a row
		// then peak at 131 MiB, where they reached 227 MiB when the collector ran late.
		debug.FreeOSMemory()
	}
	var status int
	var answer []byte
	if route == "/init" {
		status, answer = s.init(body)
	} else {
		status, answer = s.safeRun(r, body)
		// Every POST /run ends its logs, whatever the outcome. The invoker collects logs up to
		// the sentinels once it has the answer, so either order keeps the protocol; net/http
		// sends a buffered answer when the handler returns, so here they go just before it (the
		// TS servers write them just after theirs).
		s.writeSentinels()
	}
	large := len(body)+len(answer) > protocol.LargeInput
	reply(w, status, answer)
	if large {
		debug.FreeOSMemory() // the answer is out: its memory and the body's go back now
	}
}

// readBody reads the request body under the BodyIdle rule, never past the limit.
func (s *Server) readBody(r *http.Request, controller *http.ResponseController) ([]byte, error) {
	if r.ContentLength > s.options.BodyLimitBytes {
		return nil, protocol.ErrBodyTooLarge // answered before a byte of it is read
	}
	body := &progressReader{body: r.Body, controller: controller, idle: s.options.Timeouts.BodyIdle}
	read, err := protocol.ReadLimited(body, r.ContentLength, s.options.BodyLimitBytes)
	if err == nil || errors.Is(err, protocol.ErrBodyTooLarge) {
		// Disarmed only when the connection is kept: after a timeout, the expired deadline
		// is what stops net/http from waiting for the rest of the body when it closes.
		body.disarm()
	}
	return read, err
}

// discard reads and drops the body of a request answered without it (up to the body limit), so
// net/http keeps the connection and the client gets the answer instead of a reset mid-upload.
func (s *Server) discard(r *http.Request, controller *http.ResponseController) {
	if r.ContentLength == 0 || r.ContentLength > s.options.BodyLimitBytes {
		return // nothing to read, or too much: net/http closes the connection after the answer
	}
	body := &progressReader{body: r.Body, controller: controller, idle: s.options.Timeouts.BodyIdle}
	if _, err := io.Copy(io.Discard, io.LimitReader(body, s.options.BodyLimitBytes+1)); err != nil {
		panic(http.ErrAbortHandler) // the client is gone or stalled: close, the deadline kept
	}
	body.disarm()
}

// refuseOversize answers 413 at once, the rest of the body unread, then reads and drops what
// the client keeps sending for a bounded time, so its upload is not reset before it reads the
// answer; then the connection closes. A client that waits for "100 Continue" has sent nothing
// and never will: it is answered and the connection closes.
func (s *Server) refuseOversize(w http.ResponseWriter, r *http.Request, controller *http.ResponseController) {
	waitsForContinue := r.Header.Get("Expect") != "" // net/http answers any other expectation itself
	if !waitsForContinue {
		// Without it net/http would consume the body before writing the answer.
		_ = controller.EnableFullDuplex()
	}
	w.Header()["Connection"] = []string{"close"}
	reply(w, http.StatusRequestEntityTooLarge, bodyTooLargeBody)
	if waitsForContinue {
		return
	}
	_ = controller.Flush()
	drainFor(r.Body, controller, s.options.Timeouts.OversizeDrain, s.options.BodyLimitBytes)
}

var (
	jsonContentType = []string{"application/json"}
	smallLengths    = func() [][]string {
		lengths := make([][]string, 256)
		for n := range lengths {
			lengths[n] = []string{strconv.Itoa(n)}
		}
		return lengths
	}()
)

// reply sends a JSON body with an explicit length: the invoker reads a response without one
// as no response at all. net/http only reads header values, so shared ones save allocations.
func reply(w http.ResponseWriter, status int, body []byte) {
	header := w.Header()
	header["Content-Type"] = jsonContentType
	if len(body) < len(smallLengths) {
		header["Content-Length"] = smallLengths[len(body)]
	} else {
		header["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body) // A write error means the client is gone; there is no one to tell.
}

func (s *Server) writeSentinels() {
	if err := s.options.Stdout.WriteSentinel(); err != nil {
		fmt.Fprintf(s.options.Stderr, "cannot write the sentinel to stdout: %v\n", err)
	}
	if err := s.options.Stderr.WriteSentinel(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot write the sentinel to stderr: %v\n", err)
	}
}

func (s *Server) init(body []byte) (int, []byte) {
	if !json.Valid(body) {
		return http.StatusBadRequest, invalidJSONBody
	}
	s.initMu.Lock()
	if s.initState {
		s.initMu.Unlock()
		fmt.Fprintln(s.options.Stderr, protocol.MsgReinit)
		return http.StatusForbidden, reinitBody
	}
	s.initState = true
	s.initMu.Unlock()

	s.applyInitEnv(body)
	if s.options.Init != nil {
		if err := s.options.Init(); err != nil {
			fmt.Fprintf(s.options.Stderr, "init failed: %v\n", err)
			s.initMu.Lock()
			s.initState = false
			s.initMu.Unlock()
			return http.StatusBadGateway, protocol.ErrorBody(protocol.MsgInitFailedPrefix + err.Error())
		}
	}
	return http.StatusOK, initOKBody
}

// applyInitEnv sets value.env in the process environment. Natives carry their code, so
// value.code and value.main mean nothing here; a body of another shape sets nothing.
func (s *Server) applyInitEnv(body []byte) {
	// Maps, not structs: encoding/json matches struct fields case-insensitively, and only the
	// exact keys "value" and "env" count.
	var request, value map[string]json.RawMessage
	var env map[string]json.RawMessage
	if json.Unmarshal(body, &request) != nil || json.Unmarshal(request["value"], &value) != nil ||
		json.Unmarshal(value["env"], &env) != nil {
		return
	}
	keys := make([]string, 0, len(env))
	for key := range env {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		text, err := protocol.EnvText(env[key])
		if err == nil {
			err = os.Setenv(key, text)
		}
		if err != nil {
			fmt.Fprintf(s.options.Stderr, "cannot set %s from /init env: %v\n", key, err)
		}
	}
}

// safeRun is run with a last guard: a failure outside the action (none is expected: the
// handler and the encoding of its result are guarded on their own) still gets the protocol's
// answer and the sentinels, not a dropped connection.
func (s *Server) safeRun(r *http.Request, body []byte) (status int, answer []byte) {
	defer func() {
		if recovered := recover(); recovered != nil {
			fmt.Fprintf(s.options.Stderr, "owkit: the activation failed: %v\n\n%s", recovered, debug.Stack())
			status, answer = http.StatusBadGateway, notDictionaryResultBody
		}
	}()
	return s.run(r, body)
}

func (s *Server) run(r *http.Request, body []byte) (int, []byte) {
	request, err := protocol.ParseRunBody(body)
	if errors.Is(err, protocol.ErrNotDictionaryArgument) {
		return http.StatusNotFound, notDictionaryArgBody
	}
	if err != nil {
		return http.StatusBadRequest, invalidJSONBody
	}
	s.env.Apply(request.Vars, s.options.Stderr)
	ctx := protocol.ActivationContext(r.Context(), protocol.ActivationFromEnv(request.Vars))
	defer ctx.Finish()
	result, err := protocol.CallHandler(ctx, s.handler, request.Params(), s.options.Stderr)
	return httpResult(result, err, s.options.Stderr)
}

// httpResult maps a handler's outcome to the native runtime's answer.
func httpResult(result any, err error, stderr io.Writer) (int, []byte) {
	body, encodeErr := protocol.ResultJSON(result, err)
	if encodeErr != nil {
		fmt.Fprintf(stderr, "The action's result could not be serialized: %v\n", encodeErr)
	}
	if encodeErr != nil || !protocol.StartsDictionaryOrArray(body) {
		return http.StatusBadGateway, protocol.ErrorBody(protocol.MsgNotDictionaryResult)
	}
	return http.StatusOK, body
}
