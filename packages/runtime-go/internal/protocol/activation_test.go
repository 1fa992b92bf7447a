package protocol

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestActivationContextBehavesLikeTheStandardOnes(t *testing.T) {
	background := context.Background()
	// A deadline ahead: nothing is done until it passes, which closes Done.
	soon := time.Now().Add(80 * time.Millisecond)
	ctx := ActivationContext(background, Activation{ID: "a", Deadline: soon})
	if ctx.Err() != nil {
		t.Fatal("done too early")
	}
	if deadline, ok := ctx.Deadline(); !ok || !deadline.Equal(soon) {
		t.Errorf("deadline %v %v", deadline, ok)
	}
	if activation, _ := ActivationFrom(ctx); activation.ID != "a" {
		t.Errorf("activation %+v", activation)
	}
	derived, cancelDerived := context.WithCancel(ctx)
	defer cancelDerived()
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the deadline did not reach a derived context")
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !errors.Is(derived.Err(), context.DeadlineExceeded) {
		t.Errorf("errors %v, %v", ctx.Err(), derived.Err())
	}
	ctx.Finish()

	// A deadline already past: Err says so without Done ever being called, and Done is closed.
	past := ActivationContext(background, Activation{Deadline: time.Now().Add(-time.Second)})
	if !errors.Is(past.Err(), context.DeadlineExceeded) {
		t.Errorf("past deadline: %v", past.Err())
	}
	select {
	case <-past.Done():
	default:
		t.Error("Done is open after the deadline")
	}

	// The parent ending (the client going away) ends it too; so does finish.
	parent, cancelParent := context.WithCancel(background)
	child := ActivationContext(parent, Activation{})
	done := child.Done()
	cancelParent()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the parent's end did not reach the activation")
	}
	if !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("parent cancelled: %v", child.Err())
	}
	parentDeadline, cancelDeadline := context.WithDeadline(background, time.Now().Add(time.Hour))
	defer cancelDeadline()
	nearer := ActivationContext(parentDeadline, Activation{Deadline: time.Now().Add(2 * time.Hour)})
	if deadline, _ := nearer.Deadline(); deadline.After(time.Now().Add(90 * time.Minute)) {
		t.Errorf("the parent's nearer deadline is not the deadline: %v", deadline)
	}
	finished := ActivationContext(background, Activation{})
	finished.Finish()
	if !errors.Is(finished.Err(), context.Canceled) {
		t.Errorf("after finish: %v", finished.Err())
	}
	<-finished.Done()
}
