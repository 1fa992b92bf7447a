package protocol

import (
	"errors"
	"io"
)

// Request bodies are read as they arrive, never into a buffer sized from the declared
// Content-Length alone: a client that declares 64 MiB and sends 70 bytes must cost 70 bytes,
// not 64 MiB. The buffer starts small and doubles as bytes come in, up to the declared length
// (or the limit, for a chunked body), so memory follows what was received; each outgrown
// buffer is dropped as soon as its bytes are in the next one.
const (
	// firstBodyBuffer is where the buffer starts. A declared length up to it is allocated
	// exactly: almost every activation fits in one allocation of its own size.
	firstBodyBuffer = 64 << 10
	// firstChunkedBuffer is where a body of unknown length starts.
	firstChunkedBuffer = 16 << 10
)

// ErrBodyTooLarge says a body went past the limit while it was being read.
var ErrBodyTooLarge = errors.New(MsgBodyTooLarge)

// ReadLimited reads all of r, which declares declared bytes (-1 when unknown), keeping at most
// limit bytes. A body past the limit returns ErrBodyTooLarge after reading limit+1 bytes, and
// nothing it read is kept.
func ReadLimited(r io.Reader, declared, limit int64) ([]byte, error) {
	return ReadLimitedNoting(r, declared, limit, nil)
}

// ReadLimitedNoting is ReadLimited that calls large, once, before the buffer grows past
// LargeInput: a blackbox child sets its memory limit only for the activations that need it.
func ReadLimitedNoting(r io.Reader, declared, limit int64, large func()) ([]byte, error) {
	if declared > limit {
		return nil, ErrBodyTooLarge
	}
	if declared == 0 {
		return []byte{}, nil
	}
	ceiling := limit // the largest buffer this body may need
	if declared > 0 {
		ceiling = declared
	}
	first := int64(firstChunkedBuffer)
	if declared > 0 {
		first = firstBodyBuffer
	}
	buf := make([]byte, 0, min(first, ceiling))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) == ceiling {
				// Full at the ceiling: the body must end here. One more byte is one too many.
				var probe [1]byte
				n, err := io.ReadFull(r, probe[:])
				if n > 0 {
					return nil, ErrBodyTooLarge
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return buf, nil
				}
				return nil, err
			}
			next := min(2*int64(cap(buf)), ceiling)
			if large != nil && next > LargeInput {
				large()
				large = nil
			}
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if declared > 0 && int64(len(buf)) < declared {
				return nil, io.ErrUnexpectedEOF
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// LargeInput is the size past which an activation counts as large: a blackbox child sets its
// soft memory limit for it, and servers hand its memory back to the kernel once it is done.
const LargeInput = 1 << 20
