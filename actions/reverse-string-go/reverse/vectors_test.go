package reverse_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owkit/owkit/actions/reverse-string-go/reverse"
	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/owkit"
)

type vector struct {
	Name     string `json:"name"`
	Request  string `json:"request"`
	Status   int    `json:"status"`
	Response string `json:"response"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("../testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) < 20 {
		t.Fatalf("only %d vectors", len(file.Vectors))
	}
	return file.Vectors
}

// The vectors through the native server, as the go-native image answers them.
func TestVectorsThroughTheNativeServer(t *testing.T) {
	server := httptest.NewServer(owkit.NewServer(reverse.Handle, owkit.Options{
		Stdout: action.NewLineWriter(io.Discard), Stderr: action.NewLineWriter(io.Discard),
	}))
	defer server.Close()
	for _, v := range loadVectors(t) {
		response, err := http.Post(server.URL+"/run", "application/json", strings.NewReader(v.Request))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(response.Body)
		response.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if response.StatusCode != v.Status || string(body) != v.Response {
			t.Errorf("%s: got %d %s, want %d %s", v.Name, response.StatusCode, body, v.Status, v.Response)
		}
	}
}

// The vectors through the loop side, as the go-actionloop image's child answers them.
func TestVectorsThroughTheLoop(t *testing.T) {
	vectors := loadVectors(t)
	var input bytes.Buffer
	for _, v := range vectors {
		input.WriteString(strings.TrimRight(v.Request, "\n") + "\n")
	}
	var results bytes.Buffer
	if err := action.RunLoop(context.Background(), reverse.Handle, &input, &results, action.NewLineWriter(io.Discard)); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(&results)
	for _, v := range vectors {
		if !lines.Scan() {
			t.Fatalf("%s: no result line", v.Name)
		}
		if lines.Text() != v.Response {
			t.Errorf("%s: got %s, want %s", v.Name, lines.Text(), v.Response)
		}
	}
}

// The vectors through the real blackbox binary, given the params on argv as the proxy does.
func TestVectorsThroughTheBlackboxBinary(t *testing.T) {
	binary := filepath.Join(t.TempDir(), "blackbox")
	if output, err := exec.Command("go", "build", "-o", binary, "../cmd/blackbox").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, output)
	}
	for _, v := range loadVectors(t) {
		var request map[string]json.RawMessage
		if err := json.Unmarshal([]byte(v.Request), &request); err != nil {
			t.Fatal(err)
		}
		params := request["value"]
		if params == nil {
			params = json.RawMessage("{}")
		}
		command := exec.Command(binary, string(params))
		command.Stdin = bytes.NewReader(params)
		output, err := command.Output()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		if err != nil || string(output) != v.Response+"\n" {
			t.Errorf("%s: got %q (%v), want %s", v.Name, output, err, v.Response)
		}
	}
}
