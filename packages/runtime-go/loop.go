package owkit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// ServeLoop is the whole main function of an action run by an actionloop proxy. The proxy
// starts the binary once and writes one /run body per line to its stdin; each result goes back
// as one line on file descriptor 3. With __OW_WAIT_FOR_ACK set, {"ok":true} is written there
// first to say the child is ready. Logs go to stdout and stderr, where the proxy adds the
// sentinels. ServeLoop returns when stdin ends; if fd 3 is not open (the binary was started by
// hand), it prints why and exits 1.
func ServeLoop(handler Handler) {
	results := os.NewFile(3, "results")
	if _, err := results.Stat(); err != nil {
		fmt.Fprintf(Stderr, "owkit: file descriptor 3 is not open (%v): this binary runs under an actionloop proxy\n", err)
		os.Exit(1)
	}
	err := func() error {
		if os.Getenv("__OW_WAIT_FOR_ACK") != "" {
			if _, err := results.Write([]byte("{\"ok\":true}\n")); err != nil {
				return err
			}
		}
		return RunLoop(context.Background(), handler, os.Stdin, results, Stderr)
	}()
	if err != nil {
		fmt.Fprintf(Stderr, "owkit: %v\n", err)
		os.Exit(1)
	}
}

// RunLoop serves activations one line at a time: it reads a /run body per line from in, sets
// the activation's __OW_* variables, calls the handler and writes the result as one compact
// JSON line to results: the result itself (scalars too, for the proxy to reject), {} for nil,
// or {"error": …} for an error. It returns nil when in ends.
func RunLoop(ctx context.Context, handler Handler, in io.Reader, results io.Writer, stderr io.Writer) error {
	// ReadBytes has no line-length cap, unlike bufio.Scanner: params can be megabytes.
	reader := bufio.NewReaderSize(in, 64<<10)
	env := &processEnv{}
	for {
		line, readErr := reader.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			answer := runLine(ctx, handler, line, env, stderr)
			if _, err := results.Write(append(answer, '\n')); err != nil {
				return fmt.Errorf("cannot write a result: %w", err)
			}
		}
		if errors.Is(readErr, io.EOF) {
			return nil
		}
		if readErr != nil {
			return fmt.Errorf("cannot read an activation: %w", readErr)
		}
	}
}

func runLine(ctx context.Context, handler Handler, line []byte, env *processEnv, stderr io.Writer) []byte {
	request, err := parseRunBody(line)
	if err != nil {
		fmt.Fprintf(stderr, "owkit: rejected an activation: %v\n", err)
		return errorBody(err.Error())
	}
	vars := activationVars(request)
	env.apply(vars, stderr)
	activationCtx, cancel := activationContext(ctx, activationFromEnv(vars))
	defer cancel()
	result, err := callHandler(activationCtx, handler, paramsOf(request), stderr)
	answer, _ := lineResult(result, err, stderr)
	return answer
}
