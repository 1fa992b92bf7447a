package owkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/internal/testsupport"
)

const sentinelPair = action.Sentinel + "\n"

func TestUnknownPathsAndMethodsAnswerJSONAndKeepServing(t *testing.T) {
	ts := startServer(t, testsupport.EchoParams, Options{})
	expectAnswer(t, ts.do(t, http.MethodGet, "/", ""), 404, `{"error":"Not found."}`)
	expectAnswer(t, ts.post(t, "/runs", `{}`), 404, `{"error":"Not found."}`)
	expectAnswer(t, ts.post(t, "/init/", `{}`), 404, `{"error":"Not found."}`)
	expectAnswer(t, ts.do(t, http.MethodGet, "/run", ""), 405, `{"error":"Method not allowed."}`)
	expectAnswer(t, ts.do(t, http.MethodPut, "/init", "{}"), 405, `{"error":"Method not allowed."}`)
	expectAnswer(t, ts.do(t, http.MethodDelete, "/run", ""), 405, `{"error":"Method not allowed."}`)
	expectAnswer(t, ts.post(t, "/run?trace=1", `{"value":{"a":1}}`), 200, `{"params":{"a":1}}`)
	if got := ts.stdout.String(); got != sentinelPair {
		t.Errorf("only the POST /run writes a sentinel; stdout %q", got)
	}
}

func TestInitAnswersOkOnceThen403WithoutSentinel(t *testing.T) {
	ts := startServer(t, testsupport.EchoParams, Options{})
	expectAnswer(t, ts.post(t, "/init", `{"value":{"name":"a","main":"main","code":"ignored","binary":false}}`), 200, `{"ok":true}`)
	expectAnswer(t, ts.post(t, "/init", `{"value":{}}`), 403, `{"error":"Cannot initialize the action more than once."}`)
	if got := ts.stderr.String(); got != "Cannot initialize the action more than once.\n" {
		t.Errorf("stderr %q", got)
	}
	if got := ts.stdout.String(); got != "" {
		t.Errorf("stdout %q, want no sentinel", got)
	}
	expectAnswer(t, ts.post(t, "/run", `{"value":{}}`), 200, `{"params":{}}`)
}

func TestInitRejectsInvalidJSONAndOversizeBodies(t *testing.T) {
	ts := startServer(t, testsupport.EchoParams, Options{BodyLimitBytes: 8})
	expectAnswer(t, ts.post(t, "/init", `{"value"`), 400, `{"error":"Request body is not valid JSON."}`)
	expectAnswer(t, ts.post(t, "/init", `{"value":{}}`), 413, `{"error":"Request body too large."}`)
	expectAnswer(t, ts.post(t, "/init", `{}`), 200, `{"ok":true}`)
}

func TestInitSetsEnvWithConversionsBeforeTheInitHook(t *testing.T) {
	var seen map[string]string
	names := []string{"OWKIT_T_STRING", "OWKIT_T_INT", "OWKIT_T_FLOAT", "OWKIT_T_HUGE", "OWKIT_T_TINY", "OWKIT_T_TRUE", "OWKIT_T_NULL", "OWKIT_T_OBJECT", "OWKIT_T_ARRAY"}
	for _, name := range names {
		t.Setenv(name, "unset")
	}
	ts := startServer(t, testsupport.EchoParams, Options{Init: func() error {
		seen = map[string]string{}
		for _, name := range names {
			seen[name] = os.Getenv(name)
		}
		return nil
	}})
	body := `{"value":{"env":{"OWKIT_T_STRING":"a b","OWKIT_T_INT":42,"OWKIT_T_FLOAT":1.50,` +
		`"OWKIT_T_HUGE":1e21,"OWKIT_T_TINY":1.5e-7,"OWKIT_T_TRUE":true,"OWKIT_T_NULL":null,` +
		`"OWKIT_T_OBJECT":{ "z" : 1.0, "a" : ["\u0041<", false, null] },"OWKIT_T_ARRAY":[1, {"k":"v"}]}}}`
	expectAnswer(t, ts.post(t, "/init", body), 200, `{"ok":true}`)
	want := map[string]string{
		"OWKIT_T_STRING": "a b", "OWKIT_T_INT": "42", "OWKIT_T_FLOAT": "1.5", "OWKIT_T_HUGE": "1e+21",
		"OWKIT_T_TINY": "1.5e-7", "OWKIT_T_TRUE": "true", "OWKIT_T_NULL": "",
		"OWKIT_T_OBJECT": `{"z":1,"a":["A<",false,null]}`, "OWKIT_T_ARRAY": `[1,{"k":"v"}]`,
	}
	for name, value := range want {
		if seen[name] != value {
			t.Errorf("%s = %q, want %q", name, seen[name], value)
		}
	}
}

func TestFailedInitHookAnswers502AndMayBeRetried(t *testing.T) {
	attempts := 0
	ts := startServer(t, testsupport.EchoParams, Options{Init: func() error {
		attempts++
		if attempts == 1 {
			return errors.New("no database")
		}
		return nil
	}})
	expectAnswer(t, ts.post(t, "/init", `{}`), 502, `{"error":"Initialization has failed due to: no database"}`)
	expectAnswer(t, ts.post(t, "/init", `{}`), 200, `{"ok":true}`)
	if !strings.Contains(ts.stderr.String(), "no database") {
		t.Errorf("stderr %q", ts.stderr.String())
	}
}

func TestRunValueRules(t *testing.T) {
	ts := startServer(t, testsupport.EchoParams, Options{})
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"missing value means {}", `{"activation_id":"a"}`, 200, `{"params":{}}`},
		{"object", ` {"value": {"a" : [1, 2]}} `, 200, `{"params":{"a":[1,2]}}`},
		{"array", `{"value":[1,"x"]}`, 200, `{"params":[1,"x"]}`},
		{"null", `{"value":null}`, 404, `{"error":"The action did not receive a dictionary or array as an argument."}`},
		{"string", `{"value":"x"}`, 404, `{"error":"The action did not receive a dictionary or array as an argument."}`},
		{"number", `{"value":3}`, 404, `{"error":"The action did not receive a dictionary or array as an argument."}`},
		{"body is an array", `[{"value":{}}]`, 404, `{"error":"The action did not receive a dictionary or array as an argument."}`},
		{"body is a string", `"x"`, 404, `{"error":"The action did not receive a dictionary or array as an argument."}`},
		{"empty body", ``, 400, `{"error":"Request body is not valid JSON."}`},
		{"trailing text", `{"value":{}} x`, 400, `{"error":"Request body is not valid JSON."}`},
		{"truncated", `{"value":{`, 400, `{"error":"Request body is not valid JSON."}`},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectAnswer(t, ts.post(t, "/run", c.body), c.status, c.want)
			wantLogs := strings.Repeat(sentinelPair, i+1)
			if ts.stdout.String() != wantLogs || ts.stderr.String() != wantLogs {
				t.Errorf("every /run writes one sentinel pair; stdout %q stderr %q", ts.stdout.String(), ts.stderr.String())
			}
		})
	}
}

func TestRunResults(t *testing.T) {
	type result struct {
		Text string `json:"text"`
	}
	var nilResult *result
	cases := []struct {
		name   string
		result any
		err    error
		status int
		want   string
	}{
		{"struct", result{Text: "x"}, nil, 200, `{"text":"x"}`},
		{"map", map[string]int{"b": 2, "a": 1}, nil, 200, `{"a":1,"b":2}`},
		{"slice", []int{1, 2}, nil, 200, `[1,2]`},
		{"empty slice", []string{}, nil, 200, `[]`},
		{"raw JSON is compacted", json.RawMessage(" { \"a\" : [ 1 ] } "), nil, 200, `{"a":[1]}`},
		{"nil means {}", nil, nil, 200, `{}`},
		{"application error key", map[string]string{"error": "bad"}, nil, 200, `{"error":"bad"}`},
		{"returned error", nil, errors.New(`no "x" <here>`), 200, `{"error":"no \"x\" <here>"}`},
		{"error wins over a result", result{Text: "x"}, errors.New("failed"), 200, `{"error":"failed"}`},
		{"number", 42, nil, 502, `{"error":"The action did not return a dictionary or array."}`},
		{"string", "text", nil, 502, `{"error":"The action did not return a dictionary or array."}`},
		{"bool", true, nil, 502, `{"error":"The action did not return a dictionary or array."}`},
		{"nil pointer is null", nilResult, nil, 502, `{"error":"The action did not return a dictionary or array."}`},
		{"raw null", json.RawMessage("null"), nil, 502, `{"error":"The action did not return a dictionary or array."}`},
		{"unencodable", map[string]any{"c": make(chan int)}, nil, 502, `{"error":"The action did not return a dictionary or array."}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := startServer(t, func(context.Context, json.RawMessage) (any, error) { return c.result, c.err }, Options{})
			expectAnswer(t, ts.post(t, "/run", `{"value":{}}`), c.status, c.want)
			if c.err != nil && !strings.Contains(ts.stderr.String(), c.err.Error()) {
				t.Errorf("the error is logged on stderr; got %q", ts.stderr.String())
			}
		})
	}
}

func TestRunEncodesLikeTheTypeScriptRuntime(t *testing.T) {
	ts := startServer(t, func(context.Context, json.RawMessage) (any, error) {
		return map[string]string{"s": "<a href=\"x\">&</a> \u2028\u2029 \b\f\n\r\t \x00\x1f\x7f é 😀 \\"}, nil
	}, Options{})
	want := `{"s":"<a href=\"x\">&</a> \u2028\u2029 \b\f\n\r\t \u0000\u001f` + "\x7f é 😀" + ` \\"}`
	expectAnswer(t, ts.post(t, "/run", `{}`), 200, want)
}

func TestPanicsBecomeApplicationErrorsWithTheStackOnStderr(t *testing.T) {
	calls := 0
	ts := startServer(t, func(context.Context, json.RawMessage) (any, error) {
		calls++
		if calls == 1 {
			panic("boom")
		}
		var nilMap map[string]int
		//lint:ignore SA5000 the point: a runtime error panic, not one the handler chose
		nilMap["x"] = 1
		return nil, nil
	}, Options{})
	expectAnswer(t, ts.post(t, "/run", `{}`), 200, `{"error":"boom"}`)
	expectAnswer(t, ts.post(t, "/run", `{}`), 200, `{"error":"assignment to entry in nil map"}`)
	stderr := ts.stderr.String()
	if !strings.Contains(stderr, "panic: boom") || !strings.Contains(stderr, "goroutine") {
		t.Errorf("stderr lacks the panic and its stack: %q", stderr)
	}
	if !strings.HasSuffix(stderr, sentinelPair) || strings.Count(stderr, action.Sentinel) != 2 {
		t.Errorf("stderr must end with the activation's sentinel: %q", stderr)
	}
}

func TestSentinelsFollowTheActivationsOutputOnALineOfTheirOwn(t *testing.T) {
	ts := startServer(t, func(_ context.Context, params json.RawMessage) (any, error) {
		var p struct{ Out, Err string }
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		fmt.Fprint(action.Stdout, p.Out)
		fmt.Fprint(action.Stderr, p.Err)
		return nil, nil
	}, Options{Stdout: nil})
	// The handler logs through the package's writers, so point them at the test's buffers.
	restore := swapStreams(ts)
	defer restore()
	ts.post(t, "/run", `{"value":{"Out":"no newline","Err":"line\n"}}`)
	ts.post(t, "/run", `{"value":{"Out":"","Err":"a\nb"}}`)
	wantOut := "no newline\n" + action.Sentinel + "\n" + action.Sentinel + "\n"
	wantErr := "line\n" + action.Sentinel + "\na\nb\n" + action.Sentinel + "\n"
	if ts.stdout.String() != wantOut {
		t.Errorf("stdout %q, want %q", ts.stdout.String(), wantOut)
	}
	if ts.stderr.String() != wantErr {
		t.Errorf("stderr %q, want %q", ts.stderr.String(), wantErr)
	}
}

// swapStreams makes Stdout and Stderr the server's test writers, as they are the process's
// streams in production.
func swapStreams(ts *testServer) func() {
	savedOut, savedErr := action.Stdout, action.Stderr
	action.Stdout, action.Stderr = ts.server.options.Stdout, ts.server.options.Stderr
	return func() { action.Stdout, action.Stderr = savedOut, savedErr }
}

func TestContextCarriesTheActivationAndTheEnvironmentFollowsIt(t *testing.T) {
	type seen struct {
		activation action.Activation
		deadline   time.Time
		hasDL      bool
		env        map[string]string
	}
	envNames := []string{"__OW_ACTIVATION_ID", "__OW_API_KEY", "__OW_DEADLINE", "__OW_COUNT", "__OW_FLAG", "__OW_NOTHING", "__OW_EXTRA"}
	for _, name := range envNames {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	var got seen
	ts := startServer(t, func(ctx context.Context, _ json.RawMessage) (any, error) {
		got = seen{env: map[string]string{}}
		got.activation, _ = action.ActivationFrom(ctx)
		got.deadline, got.hasDL = ctx.Deadline()
		for _, name := range envNames {
			if value, ok := os.LookupEnv(name); ok {
				got.env[name] = value
			}
		}
		return nil, nil
	}, Options{})

	deadline := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	ts.post(t, "/run", fmt.Sprintf(`{"value":{},"namespace":"ns","action_name":"/ns/act","action_version":"0.0.1",`+
		`"activation_id":"a1","transaction_id":"t1","deadline":"%d","api_key":"k","count":3,"flag":true,`+
		`"nothing":null,"extra":{"x":1}}`, deadline.UnixMilli()))
	wantActivation := action.Activation{ID: "a1", ActionName: "/ns/act", ActionVersion: "0.0.1", Namespace: "ns",
		TransactionID: "t1", APIKey: "k", Deadline: deadline}
	if got.activation != wantActivation {
		t.Errorf("activation %+v, want %+v", got.activation, wantActivation)
	}
	if !got.hasDL || !got.deadline.Equal(deadline) {
		t.Errorf("ctx deadline %v (%v), want %v", got.deadline, got.hasDL, deadline)
	}
	wantEnv := map[string]string{"__OW_ACTIVATION_ID": "a1", "__OW_API_KEY": "k", "__OW_DEADLINE": fmt.Sprint(deadline.UnixMilli()),
		"__OW_COUNT": "3", "__OW_FLAG": "true"}
	if fmt.Sprint(got.env) != fmt.Sprint(wantEnv) {
		t.Errorf("env %v, want %v", got.env, wantEnv)
	}

	ts.post(t, "/run", `{"value":{},"activation_id":"a2"}`)
	if got.activation.ID != "a2" || got.activation.APIKey != "" || !got.activation.Deadline.IsZero() || got.hasDL {
		t.Errorf("second activation %+v (deadline %v)", got.activation, got.hasDL)
	}
	if fmt.Sprint(got.env) != fmt.Sprint(map[string]string{"__OW_ACTIVATION_ID": "a2"}) {
		t.Errorf("the first activation's context leaked: %v", got.env)
	}
}

func TestDeadlineCancelsTheContext(t *testing.T) {
	ts := startServer(t, func(ctx context.Context, _ json.RawMessage) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}, Options{})
	past := time.Now().Add(-time.Second).UnixMilli()
	expectAnswer(t, ts.post(t, "/run", fmt.Sprintf(`{"deadline":"%d"}`, past)), 200, `{"error":"context deadline exceeded"}`)
}

func TestOverlappingActivationsRunConcurrentlyWithTheirOwnContext(t *testing.T) {
	const overlapping = 16
	var arrived sync.WaitGroup
	arrived.Add(overlapping)
	allIn := make(chan struct{})
	go func() { arrived.Wait(); close(allIn) }()
	ts := startServer(t, func(ctx context.Context, params json.RawMessage) (any, error) {
		arrived.Done()
		select {
		case <-allIn: // every activation is in flight at once
		case <-time.After(10 * time.Second):
			return nil, errors.New("activations were not served concurrently")
		}
		activation, _ := action.ActivationFrom(ctx)
		return map[string]any{"id": activation.ID, "params": params}, nil
	}, Options{})
	var done sync.WaitGroup
	for i := range overlapping {
		done.Add(1)
		go func() {
			defer done.Done()
			got := ts.post(t, "/run", fmt.Sprintf(`{"value":{"n":%d},"activation_id":"id-%d"}`, i, i))
			want := fmt.Sprintf(`{"id":"id-%d","params":{"n":%d}}`, i, i)
			if got.status != 200 || got.body != want {
				t.Errorf("got %d %s, want %s", got.status, got.body, want)
			}
		}()
	}
	done.Wait()
	if n := strings.Count(ts.stdout.String(), action.Sentinel); n != overlapping {
		t.Errorf("%d sentinels on stdout, want %d", n, overlapping)
	}
}

func TestTypedDecodesParams(t *testing.T) {
	type params struct {
		Name string `json:"name"`
	}
	type greeting struct {
		Greeting string `json:"greeting"`
	}
	ts := startServer(t, action.Typed(func(_ context.Context, p params) (greeting, error) {
		return greeting{Greeting: "hello " + p.Name}, nil
	}), Options{})
	expectAnswer(t, ts.post(t, "/run", `{"value":{"name":"go"}}`), 200, `{"greeting":"hello go"}`)
	got := ts.post(t, "/run", `{"value":{"name":7}}`)
	if got.status != 200 || !strings.HasPrefix(got.body, `{"error":"json: cannot unmarshal number`) {
		t.Errorf("got %d %s", got.status, got.body)
	}
}

func TestInitEnvKeysAreCaseSensitiveAndOddShapesSetNothing(t *testing.T) {
	t.Setenv("OWKIT_T_ODD", "before")
	for _, body := range []string{
		`{"value":{"ENV":{"OWKIT_T_ODD":"x"}}}`,
		`{"Value":{"env":{"OWKIT_T_ODD":"x"}}}`,
		`{"value":{"env":["OWKIT_T_ODD"]}}`,
		`{"value":null}`,
		`[]`,
	} {
		ts := startServer(t, testsupport.EchoParams, Options{})
		expectAnswer(t, ts.post(t, "/init", body), 200, `{"ok":true}`)
		if got := os.Getenv("OWKIT_T_ODD"); got != "before" {
			t.Errorf("%s set OWKIT_T_ODD to %q", body, got)
		}
	}
}
