// Package action is what a Go action is written against: the [Handler] it implements, the
// facts of its activation ([ActivationFrom]), its log streams ([Stdout], [Stderr]), and the two
// ways a proxy runs it:
//
//   - [RunBlackbox]: the binary is run once per activation by a blackbox proxy (the Docker SDK
//     contract): params on argv or stdin, the result as the last line of stdout.
//   - [ServeLoop]: the binary is started once by an actionloop proxy and reads one activation
//     per line on stdin, answering one line on file descriptor 3.
//
// The third way, the binary as the container's own HTTP server, is package owkit's Serve; it
// takes the same Handler.
//
// This package does not import net/http, and a binary that imports only it does not link it. A
// blackbox binary starts once per activation, and net/http's packages cost it about a third of
// its start-up CPU (packages/runtime-go/README.md has the figures).
//
// Logs: the sentinel line that ends an activation's output must start a line of its own. Write
// logs through [Stdout] and [Stderr] (for example slog.New(slog.NewTextHandler(action.Stderr,
// nil))), which remember whether the last write ended a line.
package action
