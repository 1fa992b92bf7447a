// The action as its own HTTP server: the whole image is this binary (FROM scratch).
package main

import (
	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/owkit"
)

// handler decodes the params into Params and encodes the Result.
var handler = action.Typed(greet)

func main() { owkit.Serve(handler) }
