module github.com/owkit/owkit/packages/runtime-go

go 1.24
