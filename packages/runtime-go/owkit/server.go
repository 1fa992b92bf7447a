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
	"strings"
	"sync"
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
	Stdout, Stderr *LineWriter
}

// Server serves one handler over the protocol's /init and /run. It is an http.Handler, so it
// runs under httptest as well as under [Server.Serve].
type Server struct {
	handler   Handler
	options   Options
	env       processEnv
	initMu    sync.Mutex
	initState bool
}

// NewServer returns an unstarted server for handler.
func NewServer(handler Handler, options Options) *Server {
	if options.BodyLimitBytes <= 0 {
		options.BodyLimitBytes = DefaultBodyLimitBytes
	}
	options.Timeouts = options.Timeouts.withDefaults()
	if options.Stdout == nil {
		options.Stdout = Stdout
	}
	if options.Stderr == nil {
		options.Stderr = Stderr
	}
	return &Server{handler: handler, options: options}
}

var (
	notFoundBody            = errorBody(msgNotFound)
	methodNotAllowedBody    = errorBody(msgMethodNotAllowed)
	bodyTooLargeBody        = errorBody(msgBodyTooLarge)
	invalidJSONBody         = errorBody(msgInvalidJSON)
	reinitBody              = errorBody(msgReinit)
	notDictionaryArgBody    = errorBody(msgNotDictionaryArg)
	notDictionaryResultBody = errorBody(msgNotDictionaryResult)
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
	if errors.Is(err, errBodyTooLarge) {
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
	if len(body) > largeInput {
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
	large := len(body)+len(answer) > largeInput
	reply(w, status, answer)
	if large {
		debug.FreeOSMemory() // the answer is out: its memory and the body's go back now
	}
}

// readBody reads the request body under the BodyIdle rule, never past the limit.
func (s *Server) readBody(r *http.Request, controller *http.ResponseController) ([]byte, error) {
	if r.ContentLength > s.options.BodyLimitBytes {
		return nil, errBodyTooLarge // answered before a byte of it is read
	}
	body := &progressReader{body: r.Body, controller: controller, idle: s.options.Timeouts.BodyIdle}
	read, err := readLimited(body, r.ContentLength, s.options.BodyLimitBytes)
	if err == nil || errors.Is(err, errBodyTooLarge) {
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
		fmt.Fprintln(s.options.Stderr, msgReinit)
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
			return http.StatusBadGateway, errorBody(msgInitFailedPrefix + err.Error())
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
		text, err := envText(env[key])
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
	request, err := parseRunBody(body)
	if errors.Is(err, errNotDictionaryArgument) {
		return http.StatusNotFound, notDictionaryArgBody
	}
	if err != nil {
		return http.StatusBadRequest, invalidJSONBody
	}
	s.env.apply(request.vars, s.options.Stderr)
	ctx := activationContext(r.Context(), activationFromEnv(request.vars))
	defer ctx.finish()
	result, err := callHandler(ctx, s.handler, request.params(), s.options.Stderr)
	return httpResult(result, err, s.options.Stderr)
}

var errInvalidJSON = errors.New(msgInvalidJSON)

// runRequest is a /run body taken apart: its value (a slice of the body, not a copy) and its
// other top-level keys as __OW_* variables.
type runRequest struct {
	value []byte // nil when the body has no "value"
	vars  map[string]string
}

// params is the request's value; a missing one means {}.
func (request runRequest) params() json.RawMessage {
	if request.value == nil {
		return json.RawMessage(emptyObject)
	}
	return request.value
}

// contextVarNames maps the keys every /run body holds, as written without escapes, to their
// variables, so the usual activation names no string; "value" is there to be recognised too.
var contextVarNames = map[string]string{
	`"value"`: "value", `"namespace"`: "__OW_NAMESPACE", `"action_name"`: "__OW_ACTION_NAME",
	`"action_version"`: "__OW_ACTION_VERSION", `"activation_id"`: "__OW_ACTIVATION_ID",
	`"transaction_id"`: "__OW_TRANSACTION_ID", `"deadline"`: "__OW_DEADLINE", `"api_key"`: "__OW_API_KEY",
}

// parseRunBody reads a /run body: an object whose "value", when present, is an object or an
// array. Both the HTTP server and the loop child use it. json.Valid decides what is JSON,
// including its nesting bound (10,000 levels, encoding/json's own); a byte-order mark is not
// JSON.
func parseRunBody(body []byte) (runRequest, error) {
	if !json.Valid(body) {
		return runRequest{}, errInvalidJSON
	}
	request := runRequest{vars: make(map[string]string, 8)}
	var valuePresent bool
	var keyErr error
	err := eachMember(body, func(quotedKey, raw []byte) {
		name := contextVarNames[string(quotedKey)] // no allocation: the compiler looks up the bytes
		if name == "" {
			key, err := memberKey(quotedKey)
			if err != nil {
				keyErr = err
				return
			}
			if key == "value" {
				request.value, valuePresent = raw, true
				return
			}
			name = "__OW_" + strings.ToUpper(key)
		} else if name == "value" {
			request.value, valuePresent = raw, true
			return
		}
		if !isScalarContext(raw) {
			delete(request.vars, name) // the last of duplicate keys wins, as in a decoded map
			return
		}
		if text, err := envText(raw); err == nil {
			request.vars[name] = text
		}
	})
	if err != nil {
		return runRequest{}, errNotDictionaryArgument // valid JSON, but not an object
	}
	if keyErr != nil {
		return runRequest{}, errInvalidJSON
	}
	if valuePresent && !isDictionaryOrArray(request.value) {
		return runRequest{}, errNotDictionaryArgument
	}
	return request, nil
}
