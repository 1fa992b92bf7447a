package protocol

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The Go heap grows to twice what is live before it collects (GOGC=100), which a container of
// 256 MB cannot afford once a 64 MiB body is live. A soft memory limit below the container's
// makes the collector run, and return memory to the kernel, before the container's limit is
// reached. It is taken from the cgroup at start, unless GOMEMLIMIT says otherwise.
const (
	// NativeMemoryFraction: a native server is the container's only process.
	NativeMemoryFraction = 0.75
	// ChildMemoryFraction: a blackbox or actionloop child shares the container with the
	// proxy that runs it (a Node process that holds the same params).
	ChildMemoryFraction = 0.5
)

// The cgroup files that hold the container's memory limit, v2 first.
var cgroupMemoryFiles = []string{
	"/sys/fs/cgroup/memory.max",                   // cgroup v2
	"/sys/fs/cgroup/memory/memory.limit_in_bytes", // cgroup v1
}

// ApplyMemoryLimit sets the soft memory limit to fraction of the cgroup's limit, when there is
// one and GOMEMLIMIT is not set. It returns the limit set, 0 when none was.
func ApplyMemoryLimit(fraction float64) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit := cgroupMemoryLimit(os.ReadFile, cgroupMemoryFiles)
	if limit <= 0 {
		return 0
	}
	soft := int64(float64(limit) * fraction)
	debug.SetMemoryLimit(soft)
	return soft
}

// unlimitedCgroup: cgroup v1 reports "no limit" as a huge number (2^63 rounded to pages).
const unlimitedCgroup = 1 << 62

// cgroupMemoryLimit reads the first of files that exists; 0 means no limit found.
func cgroupMemoryLimit(readFile func(string) ([]byte, error), files []string) int64 {
	for _, file := range files {
		text, err := readFile(file)
		if err != nil {
			continue
		}
		value := strings.TrimSpace(string(text))
		if value == "max" {
			return 0
		}
		limit, err := strconv.ParseInt(value, 10, 64)
		if err != nil || limit <= 0 || limit >= unlimitedCgroup {
			return 0
		}
		return limit
	}
	return 0
}
