package action

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
	"github.com/owkit/owkit/packages/runtime-go/internal/testsupport"
)

// loopChild runs RunLoop over real pipes, as a proxy drives a child.
type loopChild struct {
	stdin   *io.PipeWriter
	results *bufio.Reader
	stderr  *testsupport.SyncBuffer
	done    chan error
}

func startLoop(t *testing.T, handler Handler) *loopChild {
	t.Helper()
	inReader, inWriter := io.Pipe()
	resultReader, resultWriter, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	child := &loopChild{stdin: inWriter, results: bufio.NewReader(resultReader), stderr: &testsupport.SyncBuffer{}, done: make(chan error, 1)}
	go func() {
		err := RunLoop(context.Background(), handler, inReader, resultWriter, NewLineWriter(child.stderr))
		resultWriter.Close()
		child.done <- err
	}()
	t.Cleanup(func() { inWriter.Close(); resultReader.Close() })
	return child
}

func (c *loopChild) activate(t *testing.T, line string) string {
	t.Helper()
	if _, err := io.WriteString(c.stdin, line); err != nil {
		t.Fatal(err)
	}
	answer, err := c.results.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

func TestLoopAnswersOneLinePerActivation(t *testing.T) {
	child := startLoop(t, func(ctx context.Context, params json.RawMessage) (any, error) {
		var p struct {
			Return json.RawMessage `json:"return"`
			Fail   string          `json:"fail"`
			Panic  string          `json:"panic"`
		}
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		switch {
		case p.Fail != "":
			return nil, errors.New(p.Fail)
		case p.Panic != "":
			panic(p.Panic)
		case p.Return != nil:
			return p.Return, nil
		}
		activation, _ := ActivationFrom(ctx)
		deadline, hasDeadline := ctx.Deadline()
		return map[string]any{"params": params, "id": activation.ID, "env": os.Getenv("__OW_ACTIVATION_ID"),
			"deadline": hasDeadline && deadline.Equal(time.UnixMilli(4102444800000))}, nil
	})
	cases := []struct{ line, want string }{
		{`{"value":{"a":"<\u2028>"},"activation_id":"a1","deadline":"4102444800000"}` + "\n",
			`{"deadline":true,"env":"a1","id":"a1","params":{"a":"<\u2028>"}}` + "\n"},
		{`{"activation_id":"a2"}` + "\n", `{"deadline":false,"env":"a2","id":"a2","params":{}}` + "\n"},
		{`{"value":{"return":{"x":1}}}` + "\n", `{"x":1}` + "\n"},
		{`{"value":{"return":42}}` + "\n", "42\n"},
		{`{"value":{"return":"text"}}` + "\n", `"text"` + "\n"},
		{`{"value":{"return":null}}` + "\n", "null\n"},
		{`{"value":{"fail":"no way"}}` + "\n", `{"error":"no way"}` + "\n"},
		{`{"value":{"panic":"boom"}}` + "\n", `{"error":"boom"}` + "\n"},
		{`{"value":3}` + "\n", `{"error":"The action did not receive a dictionary or array as an argument."}` + "\n"},
		{"{oops\n", `{"error":"Request body is not valid JSON."}` + "\n"},
	}
	for _, c := range cases {
		if got := child.activate(t, c.line); got != c.want {
			t.Errorf("line %q answered %q, want %q", c.line, got, c.want)
		}
	}
	if os.Getenv("__OW_DEADLINE") != "" {
		t.Error("an activation's __OW_DEADLINE leaked into the next")
	}
	if stderr := child.stderr.String(); !strings.Contains(stderr, "no way") || !strings.Contains(stderr, "panic: boom") {
		t.Errorf("stderr %q", stderr)
	}
	child.stdin.Close()
	if err := <-child.done; err != nil {
		t.Errorf("RunLoop at EOF: %v", err)
	}
}

func TestLoopTakesLinesFarLongerThanAScannerBuffer(t *testing.T) {
	child := startLoop(t, testsupport.EchoParams)
	big := strings.Repeat("é", 3<<20)
	got := child.activate(t, `{"value":{"big":"`+big+`"}}`+"\n")
	if got != `{"params":{"big":"`+big+`"}}`+"\n" {
		t.Errorf("answer of %d bytes is wrong", len(got))
	}
	// The last line may end without a newline.
	if _, err := io.WriteString(child.stdin, `{"value":[1]}`); err != nil {
		t.Fatal(err)
	}
	child.stdin.Close()
	if got, _ := child.results.ReadString('\n'); got != `{"params":[1]}`+"\n" {
		t.Errorf("unterminated last line answered %q", got)
	}
	if err := <-child.done; err != nil {
		t.Errorf("RunLoop at EOF: %v", err)
	}
}

// The real binary with a real file descriptor 3, as the actionloop proxy starts it.
func TestServeLoopProcessAcknowledgesServesAndExitsAtEOF(t *testing.T) {
	for _, ack := range []bool{true, false} {
		t.Run(fmt.Sprintf("ack=%v", ack), func(t *testing.T) {
			resultReader, resultWriter, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer resultReader.Close()
			command := exec.Command(testsupport.Fixture(t))
			command.Env = append(os.Environ(), "FIXTURE_MODE=loop")
			if ack {
				command.Env = append(command.Env, "__OW_WAIT_FOR_ACK=1")
			}
			command.ExtraFiles = []*os.File{resultWriter}
			stdin, err := command.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stdout strings.Builder
			command.Stdout = &stdout
			if err := command.Start(); err != nil {
				t.Fatal(err)
			}
			resultWriter.Close()
			results := bufio.NewReader(resultReader)
			if ack {
				if line, err := results.ReadString('\n'); err != nil || line != `{"ok":true}`+"\n" {
					t.Fatalf("acknowledgement %q %v", line, err)
				}
			}
			for i := range 3 {
				fmt.Fprintf(stdin, `{"value":{"print":"log %d"},"activation_id":"a%d"}`+"\n", i, i)
				line, err := results.ReadString('\n')
				want := fmt.Sprintf(`{"activationId":"a%d","env":"a%d","params":{"print":"log %d"}}`+"\n", i, i, i)
				if err != nil || line != want {
					t.Fatalf("answer %q %v, want %q", line, err, want)
				}
			}
			stdin.Close()
			if err := command.Wait(); err != nil {
				t.Errorf("exit at EOF: %v", err)
			}
			if stdout.String() != "log 0log 1log 2" {
				t.Errorf("logs %q", stdout.String())
			}
		})
	}
}

func TestServeLoopWithoutFD3ExitsWithAReason(t *testing.T) {
	command := exec.Command(testsupport.Fixture(t))
	command.Env = append(os.Environ(), "FIXTURE_MODE=loop")
	output, err := command.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(output), "file descriptor 3 is not open") {
		t.Errorf("got %v: %s", err, output)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	testsupport.RemoveFixture()
	os.Exit(code)
}

func TestLoopDropsALineOverTheLimitAndKeepsServing(t *testing.T) {
	reader := bufio.NewReaderSize(strings.NewReader(strings.Repeat("x", 300)+"\n"+`{"a":1}`+"\n"+"tail"), 16)
	if _, err := readLine(reader, 100); !errors.Is(err, protocol.ErrBodyTooLarge) {
		t.Fatalf("long line: %v", err)
	}
	if line, err := readLine(reader, 100); err != nil || string(line) != `{"a":1}` {
		t.Fatalf("next line %q %v", line, err)
	}
	if line, err := readLine(reader, 100); !errors.Is(err, io.EOF) || string(line) != "tail" {
		t.Fatalf("last line %q %v", line, err)
	}
	line, err := readLine(bufio.NewReaderSize(strings.NewReader(strings.Repeat("y", 100)+"\n"), 16), 100)
	if err != nil || len(line) != 100 {
		t.Fatalf("a line of exactly the limit: %d %v", len(line), err)
	}
}

// Params nested 5,000 deep reach the handler through the loop and the blackbox child alike, as
// they do through the native server.
func TestChildrenTakeDeepNesting(t *testing.T) {
	nested := strings.Repeat("[", 5_000) + strings.Repeat("]", 5_000)
	want := `{"params":{"d":` + nested + `}}`
	child := startLoop(t, testsupport.EchoParams)
	if got := child.activate(t, `{"value":{"d":`+nested+"}}\n"); got != want+"\n" {
		t.Errorf("loop: %.80s", got)
	}
	run := runBlackboxWith(testsupport.EchoParams, nil, `{"d":`+nested+`}`, nil)
	if run.code != 0 || run.stdout != want+"\n" {
		t.Errorf("blackbox: %d %.80s", run.code, run.stdout)
	}
}
