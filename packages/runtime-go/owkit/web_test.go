package owkit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// requestCase is one of the ```json web-request blocks docs/web-actions.md records.
type requestCase struct {
	Rule    string `json:"rule"`
	Raw     bool   `json:"raw"`
	Request struct {
		Method     string `json:"method"`
		Path       string `json:"path"`
		Query      string `json:"query"`
		Body       string `json:"body"`
		BodyBase64 string `json:"bodyBase64"`
	} `json:"request"`
	Params  json.RawMessage `json:"params"`
	Rebuilt *struct {
		Query *string `json:"query"`
		Body  *string `json:"body"`
	} `json:"rebuilt"`
}

func documentedRequests(t *testing.T) []requestCase {
	t.Helper()
	doc, err := os.ReadFile("../../../docs/web-actions.md")
	if err != nil {
		t.Fatal(err)
	}
	var cases []requestCase
	for _, block := range regexp.MustCompile("(?s)```json web-request\n(.*?)```").FindAllSubmatch(doc, -1) {
		var c requestCase
		if err := json.Unmarshal(block[1], &c); err != nil {
			t.Fatalf("a web-request block does not parse: %v", err)
		}
		cases = append(cases, c)
	}
	if len(cases) < 12 {
		t.Fatalf("docs/web-actions.md holds %d web-request cases, want at least 12", len(cases))
	}
	return cases
}

func TestWebRebuildsTheDocumentedRequests(t *testing.T) {
	for _, c := range documentedRequests(t) {
		t.Run(c.Rule, func(t *testing.T) {
			request, err := webRequest(context.Background(), c.Params)
			if err != nil {
				t.Fatal(err)
			}
			if request.Method != c.Request.Method {
				t.Errorf("method %q, want %q", request.Method, c.Request.Method)
			}
			wantPath := c.Request.Path
			if wantPath == "" {
				wantPath = "/"
			}
			if request.URL.Path != wantPath {
				t.Errorf("path %q, want %q", request.URL.Path, wantPath)
			}
			wantQuery, wantBody := c.Request.Query, []byte(c.Request.Body)
			if c.Request.BodyBase64 != "" {
				wantBody, _ = base64.StdEncoding.DecodeString(c.Request.BodyBase64)
			}
			if c.Rebuilt != nil && c.Rebuilt.Query != nil {
				wantQuery = *c.Rebuilt.Query
			}
			if c.Rebuilt != nil && c.Rebuilt.Body != nil {
				wantBody = []byte(*c.Rebuilt.Body)
			}
			if request.URL.RawQuery != wantQuery {
				t.Errorf("query %q, want %q", request.URL.RawQuery, wantQuery)
			}
			body, _ := io.ReadAll(request.Body)
			if !bytes.Equal(body, wantBody) {
				t.Errorf("body %q, want %q", body, wantBody)
			}
			var params struct {
				Headers map[string]string `json:"__ow_headers"`
			}
			_ = json.Unmarshal(c.Params, &params)
			got := map[string]string{}
			for name, values := range request.Header {
				got[strings.ToLower(name)] = strings.Join(values, ", ")
			}
			if fmt.Sprint(got) != fmt.Sprint(params.Headers) {
				t.Errorf("headers %v, want %v", got, params.Headers)
			}
		})
	}
}

func TestWebBodyKind(t *testing.T) {
	for contentType, want := range map[string]string{
		"application/json; charset=utf-8":   "json",
		"application/problem+json":          "json",
		"Text/HTML":                         "text",
		"application/x-www-form-urlencoded": "text",
		"image/svg+xml":                     "binary",
		"multipart/form-data; boundary=x":   "binary",
		"":                                  "binary",
	} {
		if got := WebBodyKind(contentType); got != want {
			t.Errorf("WebBodyKind(%q) = %q, want %q", contentType, got, want)
		}
	}
}

// webApp is a ServeMux app with path patterns and the shapes a web app has.
func webApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s%s", r.PathValue("name"), r.URL.Query().Get("punctuation"))
	})
	mux.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<p>%s</p>", r.FormValue("text"))
	})
	mux.HandleFunc("POST /json", func(w http.ResponseWriter, r *http.Request) {
		var got any
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"got": got, "q": r.URL.Query().Get("q")})
	})
	mux.HandleFunc("GET /cookies", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", HttpOnly: true, Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark"})
		cookie, err := r.Cookie("id")
		if err != nil {
			http.Error(w, "no id cookie", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "id %s", cookie.Value)
	})
	mux.HandleFunc("GET /old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hello/again", http.StatusMovedPermanently)
	})
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(data)
		fmt.Fprintf(w, "%d %s", len(data), hex.EncodeToString(sum[:]))
	})
	mux.HandleFunc("GET /image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0, 0xff})
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for _, part := range []string{"a", "b", "c"} {
			fmt.Fprint(w, part)
			_ = http.NewResponseController(w).Flush()
		}
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("the app failed") })
	mux.HandleFunc("GET /forever", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	return mux
}

type webAnswer struct {
	WebResult
	Error *WebResult `json:"error"`
}

func runWeb(t *testing.T, ts *testServer, params map[string]any, deadline time.Duration) webAnswer {
	t.Helper()
	value, _ := json.Marshal(params)
	body := fmt.Sprintf(`{"value":%s,"activation_id":"a1","deadline":"%d"}`, value, time.Now().Add(deadline).UnixMilli())
	got := ts.post(t, "/run", body)
	if got.status != http.StatusOK {
		t.Fatalf("/run answered %d %s", got.status, got.body)
	}
	var answer webAnswer
	if err := json.Unmarshal([]byte(got.body), &answer); err != nil {
		t.Fatalf("/run answered %s: %v", got.body, err)
	}
	return answer
}

func webParams(method, path string, headers map[string]string, more map[string]any) map[string]any {
	all := map[string]string{"host": "example.test"}
	for name, value := range headers {
		all[name] = value
	}
	params := map[string]any{"__ow_method": method, "__ow_headers": all, "__ow_path": path}
	for key, value := range more {
		params[key] = value
	}
	return params
}

func TestWebServesAServeMuxApp(t *testing.T) {
	ts := startServer(t, Web(webApp()), Options{})
	minute := time.Minute

	hello := runWeb(t, ts, webParams("get", "/hello/Ada", nil, map[string]any{"punctuation": "!"}), minute)
	if hello.StatusCode != 200 || hello.Body != "hello Ada!" || hello.Headers["content-type"] != "text/plain; charset=utf-8" {
		t.Errorf("GET with a path pattern and a query param: %+v", hello)
	}
	raw := runWeb(t, ts, webParams("get", "/hello/Bo", nil, map[string]any{"__ow_query": "punctuation=%3F", "__ow_body": ""}), minute)
	if raw.Body != "hello Bo?" {
		t.Errorf("raw GET: %+v", raw)
	}

	form := map[string]string{"content-type": "application/x-www-form-urlencoded"}
	if got := runWeb(t, ts, webParams("post", "/form", form, map[string]any{"text": "héllo"}), minute); got.Body != "<p>héllo</p>" {
		t.Errorf("form, non-raw: %+v", got)
	}
	if got := runWeb(t, ts, webParams("post", "/form", form, map[string]any{"__ow_query": "", "__ow_body": "text=a%26b"}), minute); got.Body != "<p>a&b</p>" {
		t.Errorf("form, raw: %+v", got)
	}

	jsonType := map[string]string{"content-type": "application/json"}
	merged := runWeb(t, ts, webParams("post", "/json", jsonType, map[string]any{"a": 1}), minute)
	if decoded, _ := base64.StdEncoding.DecodeString(merged.Body); string(decoded) != `{"got":{"a":1},"q":""}`+"\n" {
		t.Errorf("JSON, non-raw: %+v (%s)", merged, decoded)
	}
	rawJSON := runWeb(t, ts, webParams("post", "/json", jsonType, map[string]any{
		"__ow_query": "q=x", "__ow_body": base64.StdEncoding.EncodeToString([]byte(`{"a":[1]}`)),
	}), minute)
	if decoded, _ := base64.StdEncoding.DecodeString(rawJSON.Body); string(decoded) != `{"got":{"a":[1]},"q":"x"}`+"\n" {
		t.Errorf("JSON, raw: %+v (%s)", rawJSON, decoded)
	}

	cookies := runWeb(t, ts, webParams("get", "/cookies", map[string]string{"Cookie": "id=7"}, nil), minute)
	if fmt.Sprint(cookies.Headers["set-cookie"]) != "[session=abc; Path=/; HttpOnly theme=dark]" || cookies.Body != "id 7" {
		t.Errorf("cookies: %+v", cookies)
	}
	redirect := runWeb(t, ts, webParams("get", "/old", nil, nil), minute)
	if redirect.StatusCode != 301 || redirect.Headers["location"] != "/hello/again" {
		t.Errorf("redirect: %+v", redirect)
	}
	if got := runWeb(t, ts, webParams("delete", "/hello/x", nil, nil), minute); got.StatusCode != 405 {
		t.Errorf("a method the mux does not route: %+v", got)
	}

	data := make([]byte, 256)
	for i := range data {
		data[i] = byte(i)
	}
	sum := sha256.Sum256(data)
	upload := runWeb(t, ts, webParams("post", "/upload", map[string]string{"content-type": "application/octet-stream"},
		map[string]any{"__ow_body": base64.StdEncoding.EncodeToString(data)}), minute)
	if upload.Body != "256 "+hex.EncodeToString(sum[:]) {
		t.Errorf("binary request body: %+v", upload)
	}
	image := runWeb(t, ts, webParams("get", "/image", nil, nil), minute)
	if decoded, _ := base64.StdEncoding.DecodeString(image.Body); !bytes.Equal(decoded, []byte{0x89, 'P', 'N', 'G', 0, 0xff}) || image.Headers["content-type"] != "image/png" {
		t.Errorf("binary answer: %+v", image)
	}
	if got := runWeb(t, ts, webParams("get", "/stream", nil, nil), minute); got.Body != "abc" {
		t.Errorf("streamed answer: %+v", got)
	}
}

func TestWebFailuresAreHTTPAnswers(t *testing.T) {
	ts := startServer(t, Web(webApp()), Options{})
	panicked := runWeb(t, ts, webParams("get", "/panic", nil, nil), time.Minute)
	if panicked.Error == nil || panicked.Error.StatusCode != 500 {
		t.Errorf("a panic: %+v", panicked)
	}
	late := runWeb(t, ts, webParams("get", "/forever", nil, nil), 200*time.Millisecond)
	if late.Error == nil || late.Error.StatusCode != 504 {
		t.Errorf("past the deadline: %+v", late)
	}
	if got := runWeb(t, ts, map[string]any{"name": "x"}, time.Minute); got.Error == nil || got.Error.StatusCode != 400 || !strings.Contains(got.Error.Body, "/api/v1/web") {
		t.Errorf("not a web request: %+v", got)
	}
	bad := runWeb(t, ts, webParams("post", "/upload", map[string]string{"content-type": "image/png"}, map[string]any{"__ow_body": "not base64!"}), time.Minute)
	if bad.Error == nil || bad.Error.StatusCode != 400 {
		t.Errorf("a body that is not base64: %+v", bad)
	}
	if got := runWeb(t, ts, webParams("get", "/hello/still", nil, nil), time.Minute); got.Body != "hello still" {
		t.Errorf("the server serves on: %+v", got)
	}
}
