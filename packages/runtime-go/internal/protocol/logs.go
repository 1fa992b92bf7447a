package protocol

import (
	"io"
	"os"
	"sync"
)

// LineWriter is action.LineWriter. Writes are serialized: lines from concurrent activations
// never mix within one Write.
type LineWriter struct {
	mu      sync.Mutex
	out     io.Writer
	midLine bool
}

// NewLineWriter tracks writes to out.
func NewLineWriter(out io.Writer) *LineWriter {
	return &LineWriter{out: out}
}

// Stdout and Stderr are the process's streams, tracked (see action.Stdout).
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
	return w.WriteLine(sentinel)
}

var sentinel = []byte(Sentinel)

// WriteLine writes line and a newline, starting a new line first if the last write left one
// unfinished. A short line goes out in one write; a long one is not copied to frame it.
func (w *LineWriter) WriteLine(line []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	midLine := w.midLine
	w.midLine = false
	if len(line) >= 64<<10 {
		if midLine {
			if _, err := w.out.Write(Newline); err != nil {
				return err
			}
		}
		if _, err := w.out.Write(line); err != nil {
			return err
		}
		_, err := w.out.Write(Newline)
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

var Newline = []byte{'\n'}
