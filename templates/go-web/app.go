package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
)

// greeting is the first word of every answer: change it, and the tests follow.
const greeting = "hello"

// newApp is the web app, on net/http only: GET /?name=Ada answers a page, GET /api/greet?name=Ada
// answers {"greeting":"hello, Ada"}. Any http.Handler (chi, gorilla/mux…) fits here too.
func newApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body><h1>%s, %s</h1></body></html>\n",
			greeting, greeting, html.EscapeString(nameOf(r)))
	})
	mux.HandleFunc("GET /api/greet", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"greeting": greeting + ", " + nameOf(r)})
	})
	return mux
}

// nameOf is the name to greet: the query's, or the world.
func nameOf(r *http.Request) string {
	if name := r.URL.Query().Get("name"); name != "" {
		return name
	}
	return "world"
}
