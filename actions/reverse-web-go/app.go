package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/owkit/owkit/actions/reverse-string-go/reverse"
	"github.com/owkit/owkit/packages/runtime-go/action"
)

const defaultText = "hello, world"

// newApp is the web app, written against net/http only: it would run as it is under
// http.ListenAndServe. main serves it as an OpenWhisk web action.
func newApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		writePage(w, defaultText, nil)
	})
	mux.HandleFunc("POST /reverse", func(w http.ResponseWriter, r *http.Request) {
		text := r.FormValue("text")
		reversed := reverse.String(text)
		writePage(w, text, &reversed)
	})
	mux.HandleFunc("GET /api/reverse", func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.Query().Has("text") {
			writeReversed(w, nil)
			return
		}
		text := r.URL.Query().Get("text")
		writeReversed(w, &text)
	})
	mux.HandleFunc("POST /api/reverse", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Text *string `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body) // not JSON: no text, a 400 below
		writeReversed(w, body.Text)
	})
	mux.HandleFunc("GET /image.png", func(w http.ResponseWriter, r *http.Request) {
		text := defaultText
		if r.URL.Query().Has("text") {
			text = r.URL.Query().Get("text")
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "no-store")
		if err := writeStrip(w, text); err != nil {
			fmt.Fprintf(action.Stderr, "image.png: %v\n", err)
		}
	})
	return logRequests(mux)
}

// logRequests writes one log line per activation: pnpm dev prints it under its request.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(action.Stdout, "%s %s\n", r.Method, r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

func writeReversed(w http.ResponseWriter, text *string) {
	w.Header().Set("Content-Type", "application/json")
	if text == nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"text must be a string"}`))
		return
	}
	// The same bytes as the TypeScript example: no HTML escaping, no trailing newline.
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false)
	_ = encoder.Encode(map[string]string{"reversed": reverse.String(*text)})
	_, _ = w.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
}

// writePage writes the page: a form that posts back to `reverse`, the reversed text, and the
// strip of the reversed text as an image. Links are relative, so the page works wherever the
// platform mounts the action (open it with a trailing slash: …/reverse-web-go/).
func writePage(w http.ResponseWriter, text string, reversed *string) {
	shown, output := text, ""
	if reversed != nil {
		shown, output = *reversed, *reversed
	}
	blocks := max(1, min(maxBlocks, utf8.RuneCountInString(shown)))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>reverse-web</title></head>
<body>
<h1>Reverse a string</h1>
<form method="post" action="reverse">
<label for="text">Text</label>
<input id="text" name="text" value="%s">
<button type="submit">Reverse</button>
</form>
<p>Reversed: <output id="reversed">%s</output></p>
<p><img id="strip" alt="one square per character" width="%d" height="%d" src="image.png?text=%s"></p>
<p>JSON: <code>GET api/reverse?text=…</code>, or <code>POST api/reverse</code> with <code>{"text": "…"}</code>.</p>
</body>
</html>
`, html.EscapeString(text), html.EscapeString(output), blocks*block, block, url.QueryEscape(shown))
}
