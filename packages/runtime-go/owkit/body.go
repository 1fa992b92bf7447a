package owkit

import (
	"errors"
	"io"
	"net/http"
	"time"
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

// errBodyTooLarge says a body went past the limit while it was being read.
var errBodyTooLarge = errors.New(msgBodyTooLarge)

// readLimited reads all of r, which declares declared bytes (-1 when unknown), keeping at most
// limit bytes. A body past the limit returns errBodyTooLarge after reading limit+1 bytes, and
// nothing it read is kept.
func readLimited(r io.Reader, declared, limit int64) ([]byte, error) {
	return readLimitedNoting(r, declared, limit, nil)
}

// readLimitedNoting is readLimited that calls large, once, before the buffer grows past
// largeInput: a blackbox child sets its memory limit only for the activations that need it.
func readLimitedNoting(r io.Reader, declared, limit int64, large func()) ([]byte, error) {
	if declared > limit {
		return nil, errBodyTooLarge
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
					return nil, errBodyTooLarge
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return buf, nil
				}
				return nil, err
			}
			next := min(2*int64(cap(buf)), ceiling)
			if large != nil && next > largeInput {
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

// Timeouts are the connection rules of protocol §1.1. None of them covers a running
// activation: the platform owns the action's time limit.
type Timeouts struct {
	// Head is how long the request head (request line and headers) may take to arrive: from
	// the connection, or from the first byte of a later request on a kept-alive one.
	Head time.Duration
	// BodyIdle is how long a body that started may go without a byte before the connection
	// closes. It is re-armed as bytes arrive and cleared once the body has been read.
	BodyIdle time.Duration
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle time.Duration
	// OversizeDrain bounds how long the rest of a refused (413) body is read and dropped after
	// the answer has left, so the client can read the answer before the connection closes.
	// At most BodyLimitBytes are drained.
	OversizeDrain time.Duration
}

// DefaultTimeouts are the protocol's: a head within 60 s, a body never silent for 60 s, idle
// keep-alive connections closed after 65 s, and 1 s to drain a refused body.
var DefaultTimeouts = Timeouts{
	Head:          60 * time.Second,
	BodyIdle:      60 * time.Second,
	Idle:          65 * time.Second,
	OversizeDrain: time.Second,
}

// withDefaults fills in each zero field.
func (t Timeouts) withDefaults() Timeouts {
	if t.Head <= 0 {
		t.Head = DefaultTimeouts.Head
	}
	if t.BodyIdle <= 0 {
		t.BodyIdle = DefaultTimeouts.BodyIdle
	}
	if t.Idle <= 0 {
		t.Idle = DefaultTimeouts.Idle
	}
	if t.OversizeDrain <= 0 {
		t.OversizeDrain = DefaultTimeouts.OversizeDrain
	}
	return t
}

// progressReader reads a request body under the BodyIdle rule: before a read, the
// connection's read deadline is pushed to BodyIdle from now. Re-arming costs a timer update,
// so it is done again only once a sixtieth of BodyIdle has passed since the last time: the
// connection closes between 59/60 and 1 × BodyIdle after the last byte.
type progressReader struct {
	body       io.Reader
	controller *http.ResponseController
	idle       time.Duration
	armedAt    time.Time
	armed      bool
}

func (p *progressReader) Read(b []byte) (int, error) {
	now := time.Now()
	if !p.armed || now.Sub(p.armedAt) >= p.idle/60 {
		// A recorder under httptest has no connection (ErrNotSupported): nothing to time.
		_ = p.controller.SetReadDeadline(now.Add(p.idle))
		p.armedAt, p.armed = now, true
	}
	return p.body.Read(b)
}

// disarm clears the deadline once the body has been read. It must not outlive the body: net/http
// then reads in the background to notice a client that goes away, and a deadline there would
// cancel the running activation's context.
func (p *progressReader) disarm() {
	if p.armed {
		_ = p.controller.SetReadDeadline(time.Time{})
		p.armed = false
	}
}

// drainFor reads and drops up to limit bytes of r for at most d, the read deadline making
// sure a silent client cannot hold it longer.
func drainFor(r io.Reader, controller *http.ResponseController, d time.Duration, limit int64) {
	_ = controller.SetReadDeadline(time.Now().Add(d))
	_, _ = io.Copy(io.Discard, io.LimitReader(r, limit)) // errors: the client is gone or too slow
	_ = controller.SetReadDeadline(time.Time{})
}
