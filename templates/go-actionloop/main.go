// The action as the persistent child an actionloop proxy starts once (/action/exec): one
// activation per line in on stdin, one result per line out on fd 3.
package main

import "github.com/owkit/owkit/packages/runtime-go/owkit"

// handler decodes the params into Params and encodes the Result.
var handler = owkit.Typed(greet)

func main() { owkit.ServeLoop(handler) }
