// The action as the persistent child an actionloop proxy starts once (/action/exec): one
// activation per line in on stdin, one result per line out on fd 3.
package main

import "github.com/owkit/owkit/packages/runtime-go/action"

// handler decodes the params into Params and encodes the Result.
var handler = action.Typed(greet)

func main() { action.ServeLoop(handler) }
