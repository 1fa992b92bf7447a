// Command floor-go is the Go floor: plain net/http doing the reverse-string work and nothing
// else, so the bench can tell what a runtime costs on top of the bare platform.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

const sentinelLine = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n"

type runRequest struct {
	Value struct {
		Payload any `json:"payload"`
	} `json:"value"`
}

func reply(w http.ResponseWriter, status int, body any) {
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	compact := bytes.TrimSuffix(out.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(compact)))
	w.WriteHeader(status)
	w.Write(compact)
}

func reverseRunes(text string) string {
	runes := []rune(text)
	for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
		runes[i], runes[j] = runes[j], runes[i]
	}
	return string(runes)
}

func run(w http.ResponseWriter, r *http.Request, sentinels bool) {
	var request runRequest
	if err := json.NewDecoder(r.Body).Decode(&request); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": "Request body is not valid JSON."})
	} else if payload, ok := request.Value.Payload.(string); ok {
		reply(w, http.StatusOK, map[string]string{"reversed": reverseRunes(payload)})
	} else {
		reply(w, http.StatusOK, map[string]string{"error": "payload must be a string"})
	}
	if sentinels {
		os.Stdout.WriteString(sentinelLine)
		os.Stderr.WriteString(sentinelLine)
	}
}

func main() {
	sentinels := os.Getenv("OWKIT_FLOOR_SENTINELS") != "0"
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /init", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /run", func(w http.ResponseWriter, r *http.Request) { run(w, r, sentinels) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusNotFound, map[string]string{"error": "Not found."})
	})
	server := &http.Server{Addr: ":" + port, Handler: mux}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-stop
		server.Close()
	}()
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
