package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"sync"
)

// frameWriter sends frames from every goroutine, one whole frame at a time, and writes what
// has gathered in one system call.
type frameWriter struct {
	mu      sync.Mutex
	w       *bufio.Writer
	pending bool
	wake    chan struct{}
}

func newFrameWriter(to io.Writer) *frameWriter {
	fw := &frameWriter{w: bufio.NewWriterSize(to, 256*1024), wake: make(chan struct{}, 1)}
	go fw.flushLoop()
	return fw
}

func (fw *frameWriter) send(kind byte, id uint32, payload []byte) {
	var header [9]byte
	binary.LittleEndian.PutUint32(header[0:4], uint32(5+len(payload)))
	header[4] = kind
	binary.LittleEndian.PutUint32(header[5:9], id)
	fw.mu.Lock()
	_, _ = fw.w.Write(header[:])
	_, _ = fw.w.Write(payload)
	fw.pending = true
	fw.mu.Unlock()
	select {
	case fw.wake <- struct{}{}:
	default:
	}
}

func (fw *frameWriter) flushLoop() {
	for range fw.wake {
		fw.mu.Lock()
		if fw.pending {
			fw.pending = false
			if err := fw.w.Flush(); err != nil {
				// The proxy is gone: nothing is left to serve.
				os.Exit(0)
			}
		}
		fw.mu.Unlock()
	}
}
