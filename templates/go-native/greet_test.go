package main

import (
	"context"
	"encoding/json"
	"testing"
)

func TestGreet(t *testing.T) {
	cases := []struct {
		params string
		want   string
	}{
		{`{"name":"Ada"}`, greeting + ", Ada"},
		{`{}`, greeting + ", world"},
	}
	for _, c := range cases {
		// Through the typed handler, as the runtime calls it: JSON params in, a result out.
		result, err := handler(context.Background(), json.RawMessage(c.params))
		if err != nil {
			t.Fatalf("%s: %v", c.params, err)
		}
		if got := result.(Result).Greeting; got != c.want {
			t.Errorf("%s: greeting %q, want %q", c.params, got, c.want)
		}
	}
}

func TestGreetRefusesParamsOfTheWrongType(t *testing.T) {
	if _, err := handler(context.Background(), json.RawMessage(`{"name":42}`)); err == nil {
		t.Fatal("a number as the name was accepted")
	}
}
