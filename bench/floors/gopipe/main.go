// Command floor-go-pipe is the ActionLoop floor: the least a Go HTTP server can do to serve
// activations through one persistent child, the way the official Go ActionLoop proxy does. It
// starts the child once (the path in its first argument) with a pipe on stdin and one on file
// descriptor 3, writes each /run body to stdin as one line and answers with the line the child
// writes back on fd 3. The child's own stdout and stderr are this process's; the two sentinel
// lines follow each activation. One activation at a time goes through the child (a mutex):
// the child reads one line, answers one line.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
)

const sentinelLine = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n"

// maxBody is the platform's payload limit and a little more: the invoker's metadata.
const maxBody = 1<<20 + 64<<10

type child struct {
	mu      sync.Mutex
	stdin   io.WriteCloser
	results *bufio.Reader
	command *exec.Cmd
}

// startChild starts the action with __OW_WAIT_FOR_ACK set and waits for its {"ok":true}.
func startChild(path string) (*child, error) {
	resultsRead, resultsWrite, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	command := exec.Command(path)
	command.Env = append(os.Environ(), "__OW_WAIT_FOR_ACK=1")
	command.Stdout = os.Stdout
	command.Stderr = os.Stderr
	command.ExtraFiles = []*os.File{resultsWrite}
	stdin, err := command.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := command.Start(); err != nil {
		return nil, err
	}
	resultsWrite.Close()
	c := &child{stdin: stdin, results: bufio.NewReaderSize(resultsRead, 64<<10), command: command}
	ack, err := c.results.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("the child sent no acknowledgement: %w", err)
	}
	if string(bytes.TrimSpace(ack)) != `{"ok":true}` {
		return nil, fmt.Errorf("the child acknowledged with %q", ack)
	}
	return c, nil
}

// call writes one activation line and reads one result line.
func (c *child) call(line []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.stdin.Write(append(line, '\n')); err != nil {
		return nil, err
	}
	answer, err := c.results.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(answer, []byte("\n")), nil
}

func reply(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func run(w http.ResponseWriter, r *http.Request, c *child) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		reply(w, http.StatusRequestEntityTooLarge, []byte(`{"error":"Request body too large."}`))
		return
	}
	if bytes.IndexByte(body, '\n') >= 0 {
		// One activation per line: a body that spans lines is compacted first.
		var compact bytes.Buffer
		if err := json.Compact(&compact, body); err != nil {
			reply(w, http.StatusBadRequest, []byte(`{"error":"Request body is not valid JSON."}`))
			return
		}
		body = compact.Bytes()
	}
	answer, err := c.call(body)
	if err != nil {
		reply(w, http.StatusBadGateway, []byte(`{"error":"The action did not answer."}`))
	} else {
		reply(w, http.StatusOK, answer)
	}
	os.Stdout.WriteString(sentinelLine)
	os.Stderr.WriteString(sentinelLine)
}

func main() {
	if len(os.Args) != 2 {
		os.Stderr.WriteString("usage: floor-go-pipe <actionloop executable>\n")
		os.Exit(2)
	}
	c, err := startChild(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "floor-go-pipe: cannot start %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /init", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, []byte(`{"ok":true}`))
	})
	mux.HandleFunc("POST /run", func(w http.ResponseWriter, r *http.Request) { run(w, r, c) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusNotFound, []byte(`{"error":"Not found."}`))
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
	c.stdin.Close() // the child's stdin ends: it returns
	c.command.Wait()
}
