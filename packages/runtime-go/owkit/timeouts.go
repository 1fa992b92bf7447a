package owkit

import (
	"io"
	"net/http"
	"time"
)

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
