// Package owkit runs a Go function as an Apache OpenWhisk action, in any of the three ways an
// action container can work:
//
//   - [Serve]: the binary is the container's HTTP server (/init and /run on port 8080). One
//     process, no proxy; the fastest and smallest image (FROM scratch).
//   - [RunBlackbox]: the binary is run once per activation by a blackbox proxy (the Docker SDK
//     contract): params on argv or stdin, the result as the last line of stdout.
//   - [ServeLoop]: the binary is started once by an actionloop proxy and reads one activation
//     per line on stdin, answering one line on file descriptor 3.
//
// The same [Handler] serves all three. It gets the activation's params and a context that
// carries the activation's deadline and its facts ([ActivationFrom]).
//
// Logs: in native mode the runtime ends every activation's output with a sentinel line on
// stdout and stderr. To be sure that line starts a line of its own, write logs through [Stdout]
// and [Stderr] (for example slog.New(slog.NewTextHandler(owkit.Stderr, nil))), which remember
// whether the last write ended a line.
package owkit
