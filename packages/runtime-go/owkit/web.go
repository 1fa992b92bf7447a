package owkit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/owkit/owkit/packages/runtime-go/action"
)

// Web runs an http.Handler (a ServeMux, chi, any router) as an OpenWhisk web action, created
// with --web true or --web raw. The controller turns each HTTP request into params
// (__ow_method, __ow_headers, __ow_path, and the query and body merged into the params or, for
// raw, kept as __ow_query and __ow_body); Web rebuilds the *http.Request from them, runs app,
// and turns what it wrote into the {statusCode, headers, body} result the controller answers
// with. The request's context is the activation's: it is cancelled at the deadline.
//
// A handler that panics answers 500, one still running at the deadline 504, and params that
// are not a web request 400 — each as an application error whose "error" is that HTTP answer.
// Every rule, with the controller's source: docs/web-actions.md.
func Web(app http.Handler) action.Handler {
	return func(ctx context.Context, params json.RawMessage) (any, error) {
		request, err := webRequest(ctx, params)
		if err != nil {
			return webFailure(http.StatusBadRequest, err.Error()), nil
		}
		recorder := &webRecorder{header: http.Header{}}
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			app.ServeHTTP(recorder, request)
		}()
		select {
		case recovered := <-done:
			if recovered != nil {
				fmt.Fprintf(action.Stderr, "web: the handler panicked: %v\n%s", recovered, debug.Stack())
				return webFailure(http.StatusInternalServerError, "Internal Server Error"), nil
			}
		case <-ctx.Done():
			// The handler's goroutine may still write: the recorder is not read from here on.
			fmt.Fprintln(action.Stderr, "web: the handler had not answered by the deadline")
			return webFailure(http.StatusGatewayTimeout, "Gateway Timeout"), nil
		}
		return recorder.result(request.Method), nil
	}
}

// WebResult is what a web action returns for the controller's .http handling.
type WebResult struct {
	StatusCode int `json:"statusCode"`
	// Headers: lower-case names; a header with several values is a list (sent repeated).
	Headers map[string]any `json:"headers"`
	// Body is text for textual content types, base64 for the rest (see [WebBodyKind]).
	Body string `json:"body"`
}

// WebBodyKind says how a body of this content type travels between the controller and the
// action, as the controller's HTTP library classifies media types: "json" (application/json
// and +json: parsed, or base64), "text" (text/*, form data, XML, XHTML, JavaScript: the text)
// or "binary" (everything else, no content type and image/svg+xml included: base64).
func WebBodyKind(contentType string) string {
	media := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	switch {
	case media == "":
		return "binary"
	case media == "application/json" || strings.HasSuffix(media, "+json"):
		return "json"
	case strings.HasPrefix(media, "text/"), textualApplicationTypes[media]:
		return "text"
	}
	return "binary"
}

var textualApplicationTypes = map[string]bool{
	"application/x-www-form-urlencoded": true,
	"application/xml":                   true,
	"application/xhtml+xml":             true,
	"application/javascript":            true,
}

// droppedRequestHeaders are recomputed from the rebuilt body, which may differ in length.
var droppedRequestHeaders = map[string]bool{"content-length": true, "transfer-encoding": true}

var errNotWeb = errors.New("This is a web action: call it through /api/v1/web/… (its params carry no __ow_method).")

type webField struct {
	key   string
	value json.RawMessage
}

// webRequest rebuilds the HTTP request the controller received from the params it sent.
func webRequest(ctx context.Context, params json.RawMessage) (*http.Request, error) {
	fields, err := orderedFields(params)
	if err != nil {
		return nil, errNotWeb
	}
	byKey := map[string]json.RawMessage{}
	var appFields []webField
	for _, field := range fields {
		byKey[field.key] = field.value
		if !strings.HasPrefix(field.key, "__ow_") {
			appFields = append(appFields, field)
		}
	}
	var method string
	if json.Unmarshal(byKey["__ow_method"], &method) != nil || method == "" {
		return nil, errNotWeb
	}
	method = strings.ToUpper(method)
	var sent map[string]any
	_ = json.Unmarshal(byKey["__ow_headers"], &sent) // absent or not an object: no headers
	header := http.Header{}
	for name, value := range sent {
		if text, ok := value.(string); ok && !droppedRequestHeaders[strings.ToLower(name)] {
			header.Add(name, text)
		}
	}
	var path string
	_ = json.Unmarshal(byKey["__ow_path"], &path) // absent: the root
	if path == "" {
		path = "/"
	}
	kind := WebBodyKind(header.Get("Content-Type"))
	var query string
	var body []byte

	if rawQuery, isRaw := byKey["__ow_query"]; isRaw {
		if json.Unmarshal(rawQuery, &query) != nil {
			return nil, errors.New("__ow_query is not a string.")
		}
		var text string
		_ = json.Unmarshal(byKey["__ow_body"], &text) // absent: no body
		if body, err = decodeWebBody(text, kind); err != nil {
			return nil, err
		}
	} else {
		form := strings.EqualFold(mediaType(header.Get("Content-Type")), "application/x-www-form-urlencoded")
		canHaveBody := method != http.MethodGet && method != http.MethodHead
		if value, ok := byKey["__ow_body"]; ok {
			var text string
			switch {
			case kind == "json":
				body, err = compactJSON(value)
			case json.Unmarshal(value, &text) == nil:
				body, err = decodeWebBody(text, kind)
			}
			if err != nil {
				return nil, err
			}
			query = encodeFields(appFields)
		} else if canHaveBody && kind == "json" && len(appFields) > 0 {
			if body, err = jsonObject(appFields); err != nil {
				return nil, err
			}
		} else if canHaveBody && form && len(appFields) > 0 {
			body = []byte(encodeFields(appFields))
		} else {
			query = encodeFields(appFields)
		}
	}

	host := header.Get("Host")
	if host == "" {
		host = "localhost"
	}
	target, err := url.Parse("http://" + host + path)
	if err != nil {
		return nil, fmt.Errorf("__ow_path is not a URL path: %w", err)
	}
	target.RawQuery = query
	request, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("the request cannot be rebuilt: %w", err)
	}
	header.Del("Host")
	request.Header = header
	request.Host = host
	request.RequestURI = target.RequestURI()
	if len(body) == 0 {
		request.Body = http.NoBody
	}
	return request, nil
}

// orderedFields reads a JSON object's fields in order: the query or form the adapter rebuilds
// keeps the order in which the controller sent them.
func orderedFields(params json.RawMessage) ([]webField, error) {
	decoder := json.NewDecoder(bytes.NewReader(params))
	if token, err := decoder.Token(); err != nil || token != json.Delim('{') {
		return nil, errors.New("params are not an object")
	}
	var fields []webField
	for decoder.More() {
		token, err := decoder.Token()
		if err != nil {
			return nil, err
		}
		key, _ := token.(string)
		var value json.RawMessage
		if err := decoder.Decode(&value); err != nil {
			return nil, err
		}
		fields = append(fields, webField{key: key, value: value})
	}
	return fields, nil
}

// encodeFields writes fields as a query or form: strings as they are, other values as JSON.
func encodeFields(fields []webField) string {
	parts := make([]string, 0, len(fields))
	for _, field := range fields {
		var text string
		if json.Unmarshal(field.value, &text) != nil {
			compact, err := compactJSON(field.value)
			if err != nil {
				continue
			}
			text = string(compact)
		}
		parts = append(parts, url.QueryEscape(field.key)+"="+url.QueryEscape(text))
	}
	return strings.Join(parts, "&")
}

func jsonObject(fields []webField) ([]byte, error) {
	var out bytes.Buffer
	out.WriteByte('{')
	for i, field := range fields {
		if i > 0 {
			out.WriteByte(',')
		}
		key, _ := json.Marshal(field.key)
		out.Write(key)
		out.WriteByte(':')
		if err := json.Compact(&out, field.value); err != nil {
			return nil, err
		}
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func compactJSON(value json.RawMessage) ([]byte, error) {
	var out bytes.Buffer
	err := json.Compact(&out, value)
	return out.Bytes(), err
}

// isBase64Text reports whether text is standard base64 characters with at most two "=" of
// padding at the end. A loop, not a regexp: regexp would add ~200 KB to every action binary
// (package-level patterns are compiled, so linked, even when web actions are not used), and
// go-native's image has a 6 MB budget.
func isBase64Text(text string) bool {
	body := strings.TrimRight(text, "=")
	if len(text)-len(body) > 2 {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

func decodeWebBody(text, kind string) ([]byte, error) {
	if text == "" {
		return nil, nil
	}
	if kind == "text" {
		return []byte(text), nil
	}
	compact := strings.Join(strings.Fields(text), "")
	decoded, err := base64.StdEncoding.DecodeString(compact)
	if err != nil || !isBase64Text(compact) {
		return nil, errors.New("__ow_body is not valid base64 for its content type.")
	}
	return decoded, nil
}

func mediaType(contentType string) string {
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0])
	}
	return media
}

func webFailure(status int, text string) map[string]any {
	return map[string]any{"error": WebResult{
		StatusCode: status,
		Headers:    map[string]any{"content-type": "text/plain; charset=utf-8"},
		Body:       text,
	}}
}

// webRecorder is the http.ResponseWriter the handler writes to; the whole body is kept, as the
// result carries it in one piece.
type webRecorder struct {
	header      http.Header
	status      int
	body        bytes.Buffer
	wroteHeader bool
}

func (w *webRecorder) Header() http.Header { return w.header }

func (w *webRecorder) WriteHeader(status int) {
	if w.wroteHeader || status < 200 { // 1xx answers are interim: the final one follows
		return
	}
	w.status, w.wroteHeader = status, true
}

func (w *webRecorder) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

// Flush lets streaming handlers (http.Flusher, http.ResponseController) run; their output is
// collected all the same.
func (w *webRecorder) Flush() {}

var _ io.Writer = (*webRecorder)(nil)

func (w *webRecorder) result(method string) WebResult {
	status := w.status
	if !w.wroteHeader {
		status = http.StatusOK
	}
	body := w.body.Bytes()
	if method == http.MethodHead {
		body = nil
	}
	// As net/http's server does: a body without a Content-Type gets the sniffed one.
	if len(body) > 0 && w.header.Get("Content-Type") == "" {
		w.header.Set("Content-Type", http.DetectContentType(body))
	}
	headers := map[string]any{}
	for name, values := range w.header {
		key := strings.ToLower(name)
		if len(values) == 1 {
			headers[key] = values[0]
		} else if len(values) > 1 {
			headers[key] = values
		}
	}
	result := WebResult{StatusCode: status, Headers: headers}
	if len(body) == 0 {
		return result
	}
	// JSON goes as base64 too: the controller decodes a JSON body that looks like base64, so
	// JSON text such as `true` or `1234` would otherwise be decoded into garbage.
	if WebBodyKind(w.header.Get("Content-Type")) == "text" {
		result.Body = string(body)
	} else {
		result.Body = base64.StdEncoding.EncodeToString(body)
	}
	return result
}
