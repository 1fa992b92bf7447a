package action

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
)

// RunBlackbox is the whole main function of an action run by a blackbox proxy, once per
// activation. The params come from the first argument when there is one, else from stdin (the
// proxy always writes them there; argv is limited to 128 KiB); the __OW_* variables and the
// deadline come from the environment. The result is printed as the last line of stdout. The
// process exits 0 when the handler ran (an error it returns is a result: {"error": …}), and
// non-zero when the params are unusable, the handler panicked, or the result cannot be
// encoded; an {"error": …} line is printed then too, and the reason goes to stderr.
func RunBlackbox(handler Handler) {
	os.Exit(runBlackbox(context.Background(), handler, os.Args[1:], os.Stdin, Stdout, Stderr, os.Getenv))
}

// Exit codes of a blackbox run.
const (
	exitOK          = 0
	exitActionError = 1
	exitBadInput    = 2
)

var activationVarNames = []string{
	"__OW_ACTIVATION_ID", "__OW_ACTION_NAME", "__OW_ACTION_VERSION", "__OW_NAMESPACE",
	"__OW_TRANSACTION_ID", "__OW_API_KEY", "__OW_DEADLINE",
}

func runBlackbox(ctx context.Context, handler Handler, args []string, stdin io.Reader, stdout, stderr *LineWriter, getenv func(string) string) int {
	params, err := blackboxParams(args, stdin, getenv(paramsBytesVariable))
	if err != nil {
		fmt.Fprintf(stderr, "owkit: %v\n", err)
		printLine(stdout, stderr, protocol.ErrorBody(err.Error()))
		return exitBadInput
	}
	vars := make(map[string]string, len(activationVarNames))
	for _, name := range activationVarNames {
		vars[name] = getenv(name)
	}
	activationCtx := protocol.ActivationContext(ctx, protocol.ActivationFromEnv(vars))
	defer activationCtx.Finish()
	result, err := protocol.CallHandler(activationCtx, handler, params, stderr)
	line, encoded := protocol.LineResult(result, err, stderr)
	printLine(stdout, stderr, line)
	if !encoded || errors.As(err, new(protocol.PanicError)) {
		return exitActionError
	}
	return exitOK
}

func printLine(stdout, stderr *LineWriter, line []byte) {
	if err := stdout.WriteLine(line); err != nil {
		fmt.Fprintf(stderr, "owkit: cannot write the result: %v\n", err)
	}
}

// paramsBytesVariable is where the owkit proxy announces the size of params it sends on stdin
// only (too large for argv): the exact number of bytes it will write. Other proxies do not set
// it; without it, or with a value that is not a size under the limit, stdin is read into a
// buffer that grows.
const paramsBytesVariable = "OWKIT_PARAMS_BYTES"

// blackboxParams reads the params; nothing at all (a binary run by hand with no input) means
// {}. Stdin is read up to the protocol's body limit: into one buffer of the announced size when
// the proxy announced one (sizeHint, paramsBytesVariable's value), else into one that doubles as
// it fills (see protocol.ReadLimited).
func blackboxParams(args []string, stdin io.Reader, sizeHint string) (json.RawMessage, error) {
	var input []byte
	if len(args) > 0 {
		input = []byte(args[0])
	} else {
		var err error
		input, err = readParams(stdin, sizeHint)
		if errors.Is(err, protocol.ErrBodyTooLarge) {
			return nil, fmt.Errorf("the params on stdin are larger than %d bytes", protocol.DefaultBodyLimitBytes)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read the params from stdin: %w", err)
		}
	}
	input = bytes.TrimSpace(input)
	switch {
	case len(input) == 0:
		return json.RawMessage(protocol.EmptyObject), nil
	case !json.Valid(input):
		return nil, errors.New("The params are not valid JSON.")
	case !protocol.IsDictionaryOrArray(input):
		return nil, protocol.ErrNotDictionaryArgument
	}
	return input, nil
}

// readParams reads the params from stdin. With a size announced, they go into one buffer of that
// size: 64 MiB of params cost 64 MiB, not the 96 MiB of a doubling buffer's last copy. The size is
// only a hint: fewer bytes are returned as they came, more are read on, up to the limit.
func readParams(stdin io.Reader, sizeHint string) ([]byte, error) {
	// Only a large input is worth the cgroup's files: most activations skip them.
	setMemoryLimit := func() { protocol.ApplyMemoryLimit(protocol.ChildMemoryFraction) }
	size, err := strconv.ParseInt(sizeHint, 10, 64)
	if err != nil || size <= 0 || size > protocol.DefaultBodyLimitBytes {
		input, err := protocol.ReadLimitedNoting(stdin, -1, protocol.DefaultBodyLimitBytes, setMemoryLimit)
		if err == nil && len(input) > protocol.LargeInput {
			// The buffers the input outgrew go back to the kernel before the action runs.
			debug.FreeOSMemory()
		}
		return input, err
	}
	if size > protocol.LargeInput {
		setMemoryLimit()
	}
	input := make([]byte, size)
	n, err := io.ReadFull(stdin, input)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return input[:n], nil
	case err != nil:
		return nil, err
	}
	rest, err := protocol.ReadLimited(stdin, -1, protocol.DefaultBodyLimitBytes-size)
	if err != nil || len(rest) == 0 {
		return input, err
	}
	return append(input, rest...), nil
}
