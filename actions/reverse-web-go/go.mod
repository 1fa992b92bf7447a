module github.com/owkit/owkit/actions/reverse-web-go

go 1.24

require (
	github.com/owkit/owkit/actions/reverse-string-go v0.0.0
	github.com/owkit/owkit/packages/runtime-go v0.0.0
)
