// Package owkit runs an action as the container's HTTP server, the native way: [Serve] answers
// /init and /run on port 8080 itself, one process and no proxy, in the smallest image (FROM
// scratch). The action is an action.Handler, the type package action defines for all three
// ways an action container can work; [Web] adapts a net/http handler into one, for web
// actions.
//
// The runtime ends every activation's output with a sentinel line on stdout and stderr. To be
// sure that line starts a line of its own, log through action.Stdout and action.Stderr.
package owkit
