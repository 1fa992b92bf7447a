// Package testsupport holds what the runtime's test packages share: a log stream to read while
// it is written, and the fixture action built as a real binary.
package testsupport

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// SyncBuffer is a log stream the test can read while the code under test writes to it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// EchoParams is a handler that answers {"params": <its params>}.
func EchoParams(_ context.Context, params json.RawMessage) (any, error) {
	return map[string]json.RawMessage{"params": params}, nil
}

// fixturePackage is a tiny action that runs in the mode FIXTURE_MODE names.
const fixturePackage = "github.com/owkit/owkit/packages/runtime-go/internal/fixture"

// Fixture compiles the fixture action once per test binary, for the tests that need a real
// process. Call RemoveFixture from TestMain once the tests have run.
func Fixture(t *testing.T) string {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "owkit-fixture")
		if err != nil {
			fixtureErr = err
			return
		}
		fixturePath = filepath.Join(dir, "fixture")
		output, err := exec.Command("go", "build", "-o", fixturePath, fixturePackage).CombinedOutput()
		if err != nil {
			fixtureErr = &buildError{output: string(output), err: err}
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixturePath
}

// RemoveFixture deletes the binary Fixture built, if it did.
func RemoveFixture() {
	if fixturePath != "" {
		os.RemoveAll(filepath.Dir(fixturePath))
	}
}

var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureErr  error
)

type buildError struct {
	output string
	err    error
}

func (b *buildError) Error() string { return b.err.Error() + ": " + b.output }

// Trickle is a body of Left bytes that arrives in reads of at most 4 KiB, as a socket gives it.
type Trickle struct{ Left int }

func (r *Trickle) Read(p []byte) (int, error) {
	if r.Left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.Left, 4<<10)
	for i := range n {
		p[i] = 'x'
	}
	r.Left -= n
	return n, nil
}
