package protocol

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// Handler is an action; the public package action documents it.
type Handler func(ctx context.Context, params json.RawMessage) (any, error)

// Activation holds the facts the platform sends with one activation (see action.Activation).
type Activation struct {
	ID            string
	ActionName    string
	ActionVersion string
	Namespace     string
	TransactionID string
	// APIKey is empty unless the action was created with an API key.
	APIKey string
	// Deadline is when the platform stops waiting for the result; zero when none was sent.
	Deadline time.Time
}

type activationKey struct{}

// ActivationFrom returns the activation a handler's context belongs to.
func ActivationFrom(ctx context.Context) (Activation, bool) {
	activation, ok := ctx.Value(activationKey{}).(Activation)
	return activation, ok
}

// ActivationContext derives the handler's context: the activation's facts, done at its
// deadline or when parent is. The caller must call Finish once the handler has returned.
//
// context.WithValue and context.WithDeadline would cost nine allocations and a timer on every
// activation, for handlers that mostly never wait on the context: here the timer, and the watch
// on parent, start only when Done is first called. Err and Deadline need neither.
func ActivationContext(parent context.Context, activation Activation) *activationCtx {
	return &activationCtx{parent: parent, activation: activation}
}

type activationCtx struct {
	parent     context.Context
	activation Activation

	mu          sync.Mutex
	done        chan struct{} // made by the first Done
	err         error         // set once, when the context ends
	timer       *time.Timer
	stopWatcher func() bool
}

func (c *activationCtx) Deadline() (time.Time, bool) {
	deadline, ok := c.parent.Deadline()
	if own := c.activation.Deadline; !own.IsZero() && (!ok || own.Before(deadline)) {
		return own, true
	}
	return deadline, ok
}

func (c *activationCtx) Value(key any) any {
	if key == (activationKey{}) {
		return c.activation
	}
	return c.parent.Value(key)
}

func (c *activationCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	if c.endedLocked() {
		close(c.done)
		return c.done
	}
	if deadline := c.activation.Deadline; !deadline.IsZero() {
		c.timer = time.AfterFunc(time.Until(deadline), func() { c.end(context.DeadlineExceeded) })
	}
	c.stopWatcher = context.AfterFunc(c.parent, func() { c.end(c.parent.Err()) })
	return c.done
}

func (c *activationCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.endedLocked() && c.done != nil {
		c.closeLocked()
	}
	return c.err
}

// endedLocked records, and reports, whether the parent is done or the deadline has passed.
func (c *activationCtx) endedLocked() bool {
	if c.err == nil {
		if err := c.parent.Err(); err != nil {
			c.err = err
		} else if deadline := c.activation.Deadline; !deadline.IsZero() && !time.Now().Before(deadline) {
			c.err = context.DeadlineExceeded
		}
	}
	return c.err != nil
}

func (c *activationCtx) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
	c.closeLocked()
}

// closeLocked closes done (once) and stops what would have closed it.
func (c *activationCtx) closeLocked() {
	if c.done != nil {
		select {
		case <-c.done:
		default:
			close(c.done)
		}
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.stopWatcher != nil {
		c.stopWatcher()
	}
}

// Finish ends the context once its activation is over: a handler's goroutine that outlives
// it sees it done, as with the CancelFunc of context.WithCancel.
func (c *activationCtx) Finish() {
	c.end(context.Canceled)
}

// ActivationFromEnv reads an activation's facts from its __OW_* variables.
func ActivationFromEnv(vars map[string]string) Activation {
	return Activation{
		ID:            vars["__OW_ACTIVATION_ID"],
		ActionName:    vars["__OW_ACTION_NAME"],
		ActionVersion: vars["__OW_ACTION_VERSION"],
		Namespace:     vars["__OW_NAMESPACE"],
		TransactionID: vars["__OW_TRANSACTION_ID"],
		APIKey:        vars["__OW_API_KEY"],
		Deadline:      parseDeadline(vars["__OW_DEADLINE"]),
	}
}

// parseDeadline reads epoch milliseconds; anything else means no deadline.
func parseDeadline(text string) time.Time {
	ms, err := strconv.ParseFloat(text, 64)
	if err != nil || ms <= 0 || ms > 1e15 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}

// isScalarContext says whether a top-level key of a /run body becomes an __OW_<KEY> variable:
// strings, numbers and booleans do; null, objects and arrays are skipped.
func isScalarContext(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	switch raw[0] {
	case 'n', '{', '[':
		return false
	}
	return true
}

// ProcessEnv sets each activation's __OW_* variables in the process environment for code that
// reads os.Getenv, and removes the previous activation's, so nothing leaks from one activation
// to the next. Concurrent activations see each other's values there: their context is the
// reliable source.
type ProcessEnv struct {
	mu       sync.Mutex
	previous map[string]string
}

func (env *ProcessEnv) Apply(vars map[string]string, stderr io.Writer) {
	env.mu.Lock()
	defer env.mu.Unlock()
	for key := range env.previous {
		if _, kept := vars[key]; !kept {
			if err := os.Unsetenv(key); err != nil {
				fmt.Fprintf(stderr, "cannot unset %s: %v\n", key, err)
			}
		}
	}
	for key, value := range vars {
		if previous, set := env.previous[key]; set && previous == value {
			continue
		}
		if err := os.Setenv(key, value); err != nil {
			fmt.Fprintf(stderr, "cannot set %s: %v\n", key, err)
		}
	}
	env.previous = vars
}
