package main

import "context"

// greeting is the first word of every answer: change it, and the tests follow.
const greeting = "hello"

// Params is what the action takes: {"name":"Ada"}.
type Params struct {
	Name string `json:"name"`
}

// Result is what it answers: {"greeting":"hello, Ada"}.
type Result struct {
	Greeting string `json:"greeting"`
}

// greet is the handler; without a name, it greets the world. A returned error would become the
// application error {"error": "<message>"}.
func greet(_ context.Context, params Params) (Result, error) {
	if params.Name == "" {
		params.Name = "world"
	}
	return Result{Greeting: greeting + ", " + params.Name}, nil
}
