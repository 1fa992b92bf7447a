package action

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/owkit/owkit/packages/runtime-go/internal/protocol"
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
	protocol.ApplyMemoryLimit(protocol.ChildMemoryFraction)
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
// or {"error": …} for an error. Lines may be as long as a 64 MiB body and a little more
// (loopLineLimit); a longer one is dropped and answered {"error":"Request body too large."}.
// It returns nil when in ends.
func RunLoop(ctx context.Context, handler Handler, in io.Reader, results io.Writer, stderr io.Writer) error {
	reader := bufio.NewReaderSize(in, 64<<10)
	env := &protocol.ProcessEnv{}
	for {
		large, readErr, writeErr := serveLine(ctx, handler, reader, results, env, stderr)
		if writeErr != nil {
			return fmt.Errorf("cannot write a result: %w", writeErr)
		}
		if large {
			// The child idles beside the proxy in one container: hand the memory of a large
			// activation back to the kernel now rather than keep it for the next one.
			debug.FreeOSMemory()
		}
		if errors.Is(readErr, io.EOF) {
			return nil
		}
		if readErr != nil && !errors.Is(readErr, protocol.ErrBodyTooLarge) {
			return fmt.Errorf("cannot read an activation: %w", readErr)
		}
	}
}

// serveLine reads one activation line and answers it. Once it returns, nothing of the
// activation is referenced any more.
func serveLine(ctx context.Context, handler Handler, reader *bufio.Reader, results io.Writer, env *protocol.ProcessEnv, stderr io.Writer) (large bool, readErr, writeErr error) {
	line, readErr := readLine(reader, loopLineLimit)
	var answer []byte
	switch {
	case errors.Is(readErr, protocol.ErrBodyTooLarge):
		fmt.Fprintf(stderr, "owkit: rejected an activation: its line is longer than %d bytes\n", loopLineLimit)
		answer = protocol.ErrorBody(protocol.MsgBodyTooLarge)
	case len(bytes.TrimSpace(line)) > 0:
		if len(line) > protocol.LargeInput {
			// The buffers the line outgrew (half its size in all) go back to the kernel
			// before the action allocates its result.
			debug.FreeOSMemory()
		}
		answer = runLine(ctx, handler, line, env, stderr)
	}
	if answer != nil {
		writeErr = writeResultLine(results, answer)
	}
	return len(line)+len(answer) > protocol.LargeInput, readErr, writeErr
}

// largeGrowth: a line buffer growing past this size first returns the buffers it outgrew.
const largeGrowth = 8 << 20

// loopLineLimit is the longest activation line a loop child takes: a body of the protocol's
// limit, plus room for anything the proxy adds around it.
const loopLineLimit = protocol.DefaultBodyLimitBytes + 64<<10

// readLine reads one line (its newline dropped) into a buffer that doubles as the line arrives,
// so a long line costs its own size plus the buffer it outgrew, once; bufio.Reader.ReadBytes
// would keep every piece and then join them (twice the line). A line past limit is read to its
// end and dropped: ErrBodyTooLarge. At the end of input the error is io.EOF, with any last
// unterminated line.
func readLine(reader *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		piece, err := reader.ReadSlice('\n')
		if err == nil {
			piece = piece[:len(piece)-1] // the newline
		}
		if !tooLong {
			if len(line)+len(piece) > limit {
				tooLong, line = true, nil
			} else {
				line = appendDoubling(line, piece, limit)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case tooLong && (err == nil || errors.Is(err, io.EOF)):
			return nil, protocol.ErrBodyTooLarge // the next call sees the end of input, if that is what came
		case tooLong:
			return nil, err
		default:
			return line, err
		}
	}
}

// appendDoubling appends piece to buf, doubling buf's capacity when it must grow, where
// append would grow a large slice by a quarter at a time, copying it each time. A doubling that
// would leave less than another doubling's room under limit goes to limit at once: a line just
// over 64 MiB is not copied from 64 MiB to 64 MiB and a bit.
func appendDoubling(buf, piece []byte, limit int) []byte {
	if need := len(buf) + len(piece); need > cap(buf) {
		next := max(2*cap(buf), need)
		if 2*next > limit {
			next = max(limit, need)
		}
		if next > largeGrowth {
			// The copy needs buf and the next buffer; the buffers buf outgrew before (as much
			// as buf again) are garbage the collector has not taken yet. They go back to the
			// kernel first: a 64 MiB line was read at 122 MiB of the child's memory with them,
			// at 103 MiB without. Three collections for such a line, none for a line under 8 MiB.
			debug.FreeOSMemory()
		}
		grown := make([]byte, len(buf), next)
		copy(grown, buf)
		buf = grown
	}
	return append(buf, piece...)
}

// writeResultLine writes a result and its newline; a large result is not copied to add the
// newline.
func writeResultLine(w io.Writer, result []byte) error {
	if len(result) < 64<<10 {
		_, err := w.Write(append(result[:len(result):len(result)], '\n'))
		return err
	}
	if _, err := w.Write(result); err != nil {
		return err
	}
	_, err := w.Write(protocol.Newline)
	return err
}

func runLine(ctx context.Context, handler Handler, line []byte, env *protocol.ProcessEnv, stderr io.Writer) []byte {
	request, err := protocol.ParseRunBody(line)
	if err != nil {
		fmt.Fprintf(stderr, "owkit: rejected an activation: %v\n", err)
		return protocol.ErrorBody(err.Error())
	}
	env.Apply(request.Vars, stderr)
	activationCtx := protocol.ActivationContext(ctx, protocol.ActivationFromEnv(request.Vars))
	defer activationCtx.Finish()
	result, err := protocol.CallHandler(activationCtx, handler, request.Params(), stderr)
	answer, _ := protocol.LineResult(result, err, stderr)
	return answer
}
