// Package protocol is what the native server (package owkit) and the blackbox and actionloop
// children (package action) share: the /run body's parsing, the activation's context and
// environment, results and error bodies, body limits, log framing and the memory limit. It
// imports no networking, so that a child binary links none.
package protocol
