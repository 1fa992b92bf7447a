module github.com/owkit/owkit/bench/floors

go 1.24
