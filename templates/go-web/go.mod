module github.com/owkit/owkit/templates/go-web

go 1.24

require github.com/owkit/owkit/packages/runtime-go v0.0.0
