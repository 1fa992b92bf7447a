// The web app as its own HTTP server: an http.ServeMux served as an OpenWhisk web action by
// owkit.Web, the whole image this binary (FROM scratch).
package main

import "github.com/owkit/owkit/packages/runtime-go/owkit"

func main() { owkit.Serve(owkit.Web(newApp())) }
