package owkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
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
	if options.Stdout == nil {
		options.Stdout = Stdout
	}
	if options.Stderr == nil {
		options.Stderr = Stderr
	}
	return &Server{handler: handler, options: options}
}

var (
	notFoundBody         = errorBody(msgNotFound)
	methodNotAllowedBody = errorBody(msgMethodNotAllowed)
	bodyTooLargeBody     = errorBody(msgBodyTooLarge)
	invalidJSONBody      = errorBody(msgInvalidJSON)
	reinitBody           = errorBody(msgReinit)
	notDictionaryArgBody = errorBody(msgNotDictionaryArg)
	initOKBody           = []byte(`{"ok":true}`)
)

// ServeHTTP routes by hand rather than through http.ServeMux: the mux answers unknown paths,
// wrong methods and unclean paths (redirects) with plain-text bodies, and every answer here
// must be JSON.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := r.URL.Path
	if route != "/init" && route != "/run" {
		s.drain(r)
		reply(w, http.StatusNotFound, notFoundBody)
		return
	}
	if r.Method != http.MethodPost {
		s.drain(r)
		reply(w, http.StatusMethodNotAllowed, methodNotAllowedBody)
		return
	}
	body, tooLarge, err := readBody(r, s.options.BodyLimitBytes)
	if err != nil {
		// The client went away mid-body: nobody is left to answer.
		panic(http.ErrAbortHandler)
	}
	var status int
	var answer []byte
	switch {
	case tooLarge:
		status, answer = http.StatusRequestEntityTooLarge, bodyTooLargeBody
	case route == "/init":
		status, answer = s.init(body)
	default:
		status, answer = s.run(r, body)
	}
	if route == "/run" {
		// Every POST /run ends its logs, whatever the outcome, before the answer leaves: the
		// invoker collects logs up to the sentinels once it has the answer.
		s.writeSentinels()
	}
	reply(w, status, answer)
}

// drain reads and drops the body of a request answered without it (up to the body limit), so
// net/http keeps the connection and the client gets the answer instead of a reset mid-upload.
func (s *Server) drain(r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, s.options.BodyLimitBytes+1)) // a read error means the client is gone
}

// reply sends a JSON body with an explicit length: the invoker reads a response without one
// as no response at all.
func reply(w http.ResponseWriter, status int, body []byte) {
	header := w.Header()
	header["Content-Type"] = []string{"application/json"}
	header["Content-Length"] = []string{strconv.Itoa(len(body))}
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

// readBody reads up to limit bytes. A larger body is drained, never kept, so the client can
// finish sending and read the 413; a client that waits for "100 Continue" is answered at once.
func readBody(r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > limit {
		if r.Header.Get("Expect") != "" {
			return nil, true, nil
		}
		_, err = io.Copy(io.Discard, r.Body)
		return nil, true, err
	}
	if r.ContentLength >= 0 {
		body = make([]byte, r.ContentLength)
		if _, err = io.ReadFull(r.Body, body); err != nil {
			return nil, false, err
		}
		return body, false, nil
	}
	// A chunked body of unknown size is kept in fixed pieces, so refusing an oversize one never
	// holds more than the limit, and an accepted one is copied once into a slice of its size.
	var pieces [][]byte
	var size int64
	for {
		piece := make([]byte, min(bodyPieceBytes, limit+1-size))
		n, readErr := io.ReadFull(r.Body, piece)
		size += int64(n)
		pieces = append(pieces, piece[:n])
		if size > limit {
			pieces = nil
			_, err = io.Copy(io.Discard, r.Body)
			return nil, true, err
		}
		if readErr == io.EOF || readErr == io.ErrUnexpectedEOF {
			break
		}
		if readErr != nil {
			return nil, false, readErr
		}
	}
	return bytes.Join(pieces, nil), false, nil
}

// bodyPieceBytes is the size of each piece a chunked body is read in.
const bodyPieceBytes = 1 << 20

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

func (s *Server) run(r *http.Request, body []byte) (int, []byte) {
	request, err := parseRunBody(body)
	if errors.Is(err, errNotDictionaryArgument) {
		return http.StatusNotFound, notDictionaryArgBody
	}
	if err != nil {
		return http.StatusBadRequest, invalidJSONBody
	}
	vars := activationVars(request)
	s.env.apply(vars, s.options.Stderr)
	ctx, cancel := activationContext(r.Context(), activationFromEnv(vars))
	defer cancel()
	result, err := callHandler(ctx, s.handler, paramsOf(request), s.options.Stderr)
	return httpResult(result, err, s.options.Stderr)
}

var errInvalidJSON = errors.New(msgInvalidJSON)

// parseRunBody reads a /run body: an object whose "value", when present, is an object or an
// array. Both the HTTP server and the loop child use it.
func parseRunBody(body []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if json.Valid(trimmed) {
			return nil, errNotDictionaryArgument
		}
		return nil, errInvalidJSON
	}
	var request map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &request); err != nil {
		return nil, errInvalidJSON
	}
	if value, present := request["value"]; present && !isDictionaryOrArray(value) {
		return nil, errNotDictionaryArgument
	}
	return request, nil
}

// paramsOf is the request's value; a missing one means {}.
func paramsOf(request map[string]json.RawMessage) json.RawMessage {
	if value, present := request["value"]; present {
		return value
	}
	return json.RawMessage(emptyObject)
}
