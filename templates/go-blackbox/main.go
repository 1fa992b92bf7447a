// The action as the executable a blackbox proxy runs once per activation (/action/exec): params
// in on argv and stdin, the result as its last line of stdout.
package main

import "github.com/owkit/owkit/packages/runtime-go/action"

// handler decodes the params into Params and encodes the Result.
var handler = action.Typed(greet)

func main() { action.RunBlackbox(handler) }
