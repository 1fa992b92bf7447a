// The action as its own HTTP server: the whole container is this binary (FROM scratch).
package main

import (
	"github.com/owkit/owkit/actions/reverse-string-go/reverse"
	"github.com/owkit/owkit/packages/runtime-go/owkit"
)

func main() { owkit.Serve(reverse.Handle) }
