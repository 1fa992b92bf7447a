// The action as the persistent child an actionloop proxy starts once (/action/exec).
package main

import (
	"github.com/owkit/owkit/actions/reverse-string-go/reverse"
	"github.com/owkit/owkit/packages/runtime-go/action"
)

func main() { action.ServeLoop(reverse.Handle) }
