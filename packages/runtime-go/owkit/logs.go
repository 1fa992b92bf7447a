package owkit

import (
	"io"
	"os"
	"sync"
)

// LineWriter passes writes through to a stream and remembers whether the last one ended a
// line, so the sentinel that ends an activation's logs always starts a line of its own. Writes
// are serialized: lines from concurrent activations never mix within one Write.
type LineWriter struct {
	mu      sync.Mutex
	out     io.Writer
	midLine bool
}

// NewLineWriter tracks writes to out.
func NewLineWriter(out io.Writer) *LineWriter {
	return &LineWriter{out: out}
}

// Stdout and Stderr are the process's streams, tracked. Log through them (fmt.Fprintln,
// log.New, slog.NewTextHandler…) so the sentinel lands on a line of its own even when a log
// line was left unfinished. Output written to os.Stdout or os.Stderr directly is not seen.
var (
	Stdout = NewLineWriter(os.Stdout)
	Stderr = NewLineWriter(os.Stderr)
)

func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.out.Write(p)
	if n > 0 {
		w.midLine = p[n-1] != '\n'
	}
	return n, err
}

// WriteSentinel ends an activation's output on this stream: the sentinel on a line of its own.
func (w *LineWriter) WriteSentinel() error {
	return w.writeLine(sentinel)
}

var sentinel = []byte(Sentinel)

// writeLine writes line and a newline, starting a new line first if the last write left one
// unfinished. A short line goes out in one write; a long one is not copied to frame it.
func (w *LineWriter) writeLine(line []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	midLine := w.midLine
	w.midLine = false
	if len(line) >= 64<<10 {
		if midLine {
			if _, err := w.out.Write(newline); err != nil {
				return err
			}
		}
		if _, err := w.out.Write(line); err != nil {
			return err
		}
		_, err := w.out.Write(newline)
		return err
	}
	framed := make([]byte, 0, len(line)+2)
	if midLine {
		framed = append(framed, '\n')
	}
	framed = append(framed, line...)
	framed = append(framed, '\n')
	_, err := w.out.Write(framed)
	return err
}
