module github.com/owkit/owkit/packages/sdk-proxy

go 1.24
