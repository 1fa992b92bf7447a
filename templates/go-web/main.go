// The web app as its own HTTP server: the whole image is this binary (FROM scratch).
package main

import "github.com/owkit/owkit/packages/runtime-go/owkit"

// handler serves the app as a web action: the request rebuilt from the __ow_* params, what the
// app writes turned into {statusCode, headers, body}.
var handler = owkit.Web(newApp())

func main() { owkit.Serve(handler) }
