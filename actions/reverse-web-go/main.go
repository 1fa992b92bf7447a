// The web app as its own HTTP server: an http.ServeMux served as an OpenWhisk web action by
// owkit.Web, the whole image this binary (FROM scratch).
package main

import owkit "github.com/owkit/owkit/packages/runtime-go"

func main() { owkit.Serve(owkit.Web(newApp())) }
