package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
	"github.com/owkit/owkit/packages/runtime-go/internal/testsupport"
)

type blackboxRun struct {
	code           int
	stdout, stderr string
}

func runBlackboxWith(handler Handler, args []string, stdin string, env map[string]string) blackboxRun {
	stdout, stderr := &testsupport.SyncBuffer{}, &testsupport.SyncBuffer{}
	code := runBlackbox(context.Background(), handler, args, strings.NewReader(stdin),
		NewLineWriter(stdout), NewLineWriter(stderr), func(name string) string { return env[name] })
	return blackboxRun{code, stdout.String(), stderr.String()}
}

func TestBlackboxReadsParamsFromArgvThenStdin(t *testing.T) {
	cases := []struct {
		name, stdin, want string
		args              []string
		code              int
	}{
		{"argv wins", `{"from":"stdin"}`, `{"params":{"from":"argv"}}`, []string{`{"from":"argv"}`}, 0},
		{"stdin", ` {"from": "stdin"} ` + "\n", `{"params":{"from":"stdin"}}`, nil, 0},
		{"array", `[1,2]`, `{"params":[1,2]}`, nil, 0},
		{"nothing at all means {}", "", `{"params":{}}`, nil, 0},
		{"invalid JSON", `{"a"`, `{"error":"The params are not valid JSON."}`, nil, 2},
		{"a scalar", `"text"`, `{"error":"The action did not receive a dictionary or array as an argument."}`, nil, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runBlackboxWith(testsupport.EchoParams, c.args, c.stdin, nil)
			if got.code != c.code || got.stdout != c.want+"\n" {
				t.Errorf("got %d %q, want %d %q", got.code, got.stdout, c.code, c.want)
			}
			if c.code != 0 && !strings.Contains(got.stderr, "owkit: ") {
				t.Errorf("no reason on stderr: %q", got.stderr)
			}
		})
	}
}

func TestBlackboxResultIsTheLastLineWhateverTheHandlerPrinted(t *testing.T) {
	stdout, stderr := &testsupport.SyncBuffer{}, &testsupport.SyncBuffer{}
	out := NewLineWriter(stdout)
	code := runBlackbox(context.Background(), func(context.Context, json.RawMessage) (any, error) {
		fmt.Fprint(out, "progress: 50%")
		return map[string]string{"s": "a\nb"}, nil
	}, nil, strings.NewReader("{}"), out, NewLineWriter(stderr), os.Getenv)
	if code != 0 || stdout.String() != "progress: 50%\n"+`{"s":"a\nb"}`+"\n" {
		t.Errorf("got %d %q", code, stdout.String())
	}
}

func TestBlackboxOutcomes(t *testing.T) {
	cases := []struct {
		name   string
		result any
		err    error
		panic  bool
		code   int
		want   string
	}{
		{"result", []string{"x"}, nil, false, 0, `["x"]`},
		{"nil", nil, nil, false, 0, `{}`},
		{"scalar is printed for the proxy to reject", 7, nil, false, 0, `7`},
		{"handler error is a result", nil, errors.New("bad payload"), false, 0, `{"error":"bad payload"}`},
		{"panic", nil, nil, true, 1, `{"error":"boom"}`},
		{"unencodable", func() {}, nil, false, 1, `null`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runBlackboxWith(func(context.Context, json.RawMessage) (any, error) {
				if c.panic {
					panic("boom")
				}
				return c.result, c.err
			}, nil, "{}", nil)
			if got.code != c.code || got.stdout != c.want+"\n" {
				t.Errorf("got %d %q, want %d %q", got.code, got.stdout, c.code, c.want)
			}
		})
	}
}

func TestBlackboxContextComesFromTheEnvironment(t *testing.T) {
	deadline := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	var activation Activation
	var ctxDeadline time.Time
	runBlackboxWith(func(ctx context.Context, _ json.RawMessage) (any, error) {
		activation, _ = ActivationFrom(ctx)
		ctxDeadline, _ = ctx.Deadline()
		return nil, nil
	}, nil, "{}", map[string]string{"__OW_ACTIVATION_ID": "a", "__OW_ACTION_NAME": "/ns/x", "__OW_ACTION_VERSION": "1",
		"__OW_NAMESPACE": "ns", "__OW_TRANSACTION_ID": "t", "__OW_API_KEY": "k", "__OW_DEADLINE": fmt.Sprint(deadline.UnixMilli())})
	want := Activation{ID: "a", ActionName: "/ns/x", ActionVersion: "1", Namespace: "ns", TransactionID: "t", APIKey: "k", Deadline: deadline}
	if activation != want || !ctxDeadline.Equal(deadline) {
		t.Errorf("activation %+v deadline %v", activation, ctxDeadline)
	}
}

// The real binary, as the blackbox proxy spawns it: params on argv and on stdin.
func TestRunBlackboxProcess(t *testing.T) {
	command := exec.Command(testsupport.Fixture(t), `{"via":"argv"}`)
	command.Env = append(os.Environ(), "FIXTURE_MODE=blackbox", "__OW_ACTIVATION_ID=b1")
	command.Stdin = strings.NewReader(`{"via":"stdin"}`)
	output, err := command.Output()
	if err != nil || string(output) != `{"activationId":"b1","env":"b1","params":{"via":"argv"}}`+"\n" {
		t.Errorf("argv: %q %v", output, err)
	}
	command = exec.Command(testsupport.Fixture(t))
	command.Env = append(os.Environ(), "FIXTURE_MODE=blackbox")
	command.Stdin = strings.NewReader(`{"via":"stdin"}`)
	output, err = command.Output()
	if err != nil || string(output) != `{"activationId":"","env":"","params":{"via":"stdin"}}`+"\n" {
		t.Errorf("stdin: %q %v", output, err)
	}
	command = exec.Command(testsupport.Fixture(t), "not json")
	command.Env = append(os.Environ(), "FIXTURE_MODE=blackbox")
	output, err = command.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || string(output) != `{"error":"The params are not valid JSON."}`+"\n" {
		t.Errorf("bad input: %q %v", output, err)
	}
}

// With the size the proxy announces (OWKIT_PARAMS_BYTES), stdin is read into one buffer of
// exactly that size; the size is only a hint, so fewer or more bytes still arrive whole, and
// anything that is not a size under the limit is ignored.
func TestBlackboxReadsAnnouncedParamsIntoOneBufferOfTheirSize(t *testing.T) {
	params := `{"pad":"` + strings.Repeat("x", 200_000) + `"}`
	size := fmt.Sprint(len(params))
	input, err := readParams(&testsupport.Trickle{Left: 3 << 20}, fmt.Sprint(3<<20))
	if err != nil || len(input) != 3<<20 || cap(input) != 3<<20 {
		t.Errorf("announced 3 MiB: len %d cap %d, %v", len(input), cap(input), err)
	}
	cases := []struct{ name, stdin, hint string }{
		{"exact", params, size},
		{"fewer than announced", params, fmt.Sprint(len(params) + 1000)},
		{"more than announced", params, fmt.Sprint(len(params) - 1000)},
		{"not a number", params, "lots"},
		{"zero", params, "0"},
		{"past the limit", params, fmt.Sprint(protocol.DefaultBodyLimitBytes + 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runBlackboxWith(testsupport.EchoParams, nil, c.stdin, map[string]string{paramsBytesVariable: c.hint})
			if got.code != 0 || got.stdout != `{"params":`+params+"}\n" {
				t.Errorf("got %d, %d bytes out", got.code, len(got.stdout))
			}
		})
	}
	if _, err := readParams(&testsupport.Trickle{Left: protocol.DefaultBodyLimitBytes + 1}, "1000"); !errors.Is(err, protocol.ErrBodyTooLarge) {
		t.Errorf("past the limit after a smaller announcement: %v", err)
	}
}
