// The action as its own HTTP server: the whole container is this binary (FROM scratch).
package main

import (
	"github.com/owkit/owkit/actions/reverse-string-go/reverse"
	owkit "github.com/owkit/owkit/packages/runtime-go"
)

func main() { owkit.Serve(reverse.Handle) }
