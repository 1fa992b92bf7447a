package reverse_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/owkit/owkit/actions/reverse-string-go/reverse"
	"github.com/owkit/owkit/packages/runtime-go/action"
	"github.com/owkit/owkit/packages/runtime-go/owkit"
)

// The go-native server against a bare net/http server that does the same work (the bench's
// floor-go: decode, reverse, encode, two sentinel lines), both in this process over loopback
// with one kept-alive connection, logs dropped. cpu-ns/op is the process's CPU per request,
// client included (the same client for both): the difference is what the runtime costs.
//
//	go test -run - -bench Loopback -benchtime 20000x ./reverse/

const benchBody = `{"value":{"payload":"hello world"},"namespace":"guest","action_name":"/guest/reverse",` +
	`"action_version":"0.0.1","activation_id":"6c0d4f2e2b9a4b1a","transaction_id":"t","deadline":"4102444800000"}`

func BenchmarkNativeOverLoopback(b *testing.B) {
	server := owkit.NewServer(reverse.Handle, owkit.Options{
		Stdout: action.NewLineWriter(io.Discard), Stderr: action.NewLineWriter(io.Discard),
	})
	benchmarkOverLoopback(b, func(listener net.Listener) {
		ctx, stop := context.WithCancel(context.Background())
		b.Cleanup(stop)
		go server.Serve(ctx, listener)
	})
}

func BenchmarkFloorOverLoopback(b *testing.B) {
	benchmarkOverLoopback(b, func(listener net.Listener) {
		server := &http.Server{Handler: http.HandlerFunc(floorRun)}
		b.Cleanup(func() { server.Close() })
		go server.Serve(listener)
	})
}

// floorRun is bench/floors/go's /run.
func floorRun(w http.ResponseWriter, r *http.Request) {
	var request struct {
		Value struct {
			Payload any `json:"payload"`
		} `json:"value"`
	}
	var answer any
	if err := json.NewDecoder(r.Body).Decode(&request); err != nil {
		answer = map[string]string{"error": "Request body is not valid JSON."}
	} else if payload, ok := request.Value.Payload.(string); ok {
		answer = map[string]string{"reversed": reverse.String(payload)}
	}
	body, _ := json.Marshal(answer)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	action.NewLineWriter(io.Discard).WriteSentinel()
	action.NewLineWriter(io.Discard).WriteSentinel()
}

func benchmarkOverLoopback(b *testing.B, serve func(net.Listener)) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	serve(listener)
	conn, err := net.Dial("tcp", listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	request := []byte(fmt.Sprintf("POST /run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(benchBody), benchBody))
	reader := bufio.NewReader(conn)
	roundTrip := func() {
		if _, err := conn.Write(request); err != nil {
			b.Fatal(err)
		}
		response, err := http.ReadResponse(reader, nil)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(response.Body)
		if string(body) != `{"reversed":"dlrow olleh"}` {
			b.Fatalf("%s", body)
		}
	}
	roundTrip()
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	for range b.N {
		roundTrip()
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(syscall.TimevalToNsec(after.Utime) + syscall.TimevalToNsec(after.Stime) -
		syscall.TimevalToNsec(before.Utime) - syscall.TimevalToNsec(before.Stime))
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}
