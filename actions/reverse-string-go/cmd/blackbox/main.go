// The action as the executable a blackbox proxy runs once per activation (/action/exec).
package main

import (
	"github.com/owkit/owkit/actions/reverse-string-go/reverse"
	"github.com/owkit/owkit/packages/runtime-go/action"
)

func main() { action.RunBlackbox(reverse.Handle) }
