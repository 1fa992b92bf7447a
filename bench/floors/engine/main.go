// Command floor-engine answers every request at once with {"ok":true}: its cold start is what
// the container engine alone costs (create, start, network namespace, first accept).
package main

import (
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	body := []byte(`{"ok":true}`)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "11")
		w.Write(body)
	})
	if err := http.ListenAndServe(":"+port, handler); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
