package protocol

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/owkit/owkit/packages/runtime-go/internal/testsupport"
)

// ReadLimited never trusts a declared length: 64 MiB declared and 70 bytes sent costs a small
// buffer, not 64 MiB. A body that arrives whole is held in one buffer of its exact size.
func TestBodiesAreNotPreallocatedFromTheirDeclaredLength(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadLimited(strings.NewReader(strings.Repeat("x", 70)), 64<<20, 64<<20)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a short body: %v", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("%d bytes allocated for 70 received", allocated)
	}

	for _, size := range []int{1, 1000, firstBodyBuffer, firstBodyBuffer + 1, 5<<20 + 3} {
		body, err := ReadLimited(&testsupport.Trickle{Left: size}, int64(size), 64<<20)
		if err != nil || len(body) != size || cap(body) != size {
			t.Errorf("%d bytes declared: len %d cap %d, %v", size, len(body), cap(body), err)
		}
	}
	// A body of unknown length grows by doubling, never past the limit.
	body, err := ReadLimited(&testsupport.Trickle{Left: 3 << 20}, -1, 64<<20)
	if err != nil || len(body) != 3<<20 || cap(body) > 4<<20 {
		t.Errorf("chunked: len %d cap %d, %v", len(body), cap(body), err)
	}
	body, err = ReadLimited(&testsupport.Trickle{Left: 1 << 20}, -1, 1<<20)
	if err != nil || len(body) != 1<<20 || cap(body) != 1<<20 {
		t.Errorf("chunked at the limit: len %d cap %d, %v", len(body), cap(body), err)
	}
	if _, err := ReadLimited(&testsupport.Trickle{Left: 1<<20 + 1}, -1, 1<<20); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("chunked past the limit: %v", err)
	}
}
