package reverse_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The children run beside the proxy in a 256 MB container, which also holds the same params:
// with 64 MiB of params each must stay well under that. Without a cgroup (here) no soft memory
// limit applies, so this is the child's own peak. Before the runtime read and reversed in place
// (io.ReadAll, json.Unmarshal copies, []rune of the payload) a blackbox child peaked past 600 MiB.
const childPeakBudget = 160 << 20

// largeParams is 64 MiB of params: a payload of that size, or a small payload beside padding.
func largeParams(padding bool) (params []byte, answer string) {
	const size = 64 << 20
	if padding {
		head, tail := `{"payload":"hello","pad":"`, `"}`
		return []byte(head + strings.Repeat("y", size-len(head)-len(tail)) + tail), `{"reversed":"olleh"}`
	}
	head, tail := `{"payload":"`, `"}`
	// "ab" reversed is "ba": the answer is checked without building a second copy here.
	payload := strings.Repeat("ab", (size-len(head)-len(tail))/2)
	return []byte(head + payload + tail), `{"reversed":"` + strings.Repeat("ba", len(payload)/2) + `"}`
}

func buildChild(t *testing.T, name string) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), name)
	if output, err := exec.Command("go", "build", "-o", binary, "../cmd/"+name).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, output)
	}
	return binary
}

// watchPeak samples the process's high-water RSS (VmHWM, its own memory since exec: the
// rusage figure would include this test's, which the child shared until exec) until stop is
// closed, and returns the last sample.
func watchPeak(pid int, stop <-chan struct{}) <-chan int64 {
	peak := make(chan int64, 1)
	go func() {
		var last int64
		defer func() { peak <- last }()
		ticker := time.NewTicker(2 * time.Millisecond)
		defer ticker.Stop()
		for {
			if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
				for _, line := range strings.Split(string(status), "\n") {
					if kib, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						if value, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(kib, "kB")), 10, 64); err == nil {
							last = max(last, value<<10)
						}
					}
				}
			}
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
		}
	}()
	return peak
}

// announcedPeakBudget: with its size announced by the proxy (OWKIT_PARAMS_BYTES), 64 MiB of
// padding is read into one buffer of its size and nothing else large is allocated.
const announcedPeakBudget = 80 << 20

func TestBlackboxChildTakes64MiBOfParamsOnStdin(t *testing.T) {
	binary := buildChild(t, "blackbox")
	for _, c := range []struct{ padding, announced bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		padding := c.padding
		params, answer := largeParams(padding)
		command := exec.Command(binary)
		command.Stdin = bytes.NewReader(params)
		if c.announced {
			command.Env = append(os.Environ(), fmt.Sprintf("OWKIT_PARAMS_BYTES=%d", len(params)))
		}
		var stdout bytes.Buffer
		command.Stdout = &stdout
		command.Stderr = os.Stderr
		if err := command.Start(); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		peaked := watchPeak(command.Process.Pid, stop)
		err := command.Wait()
		close(stop)
		peak := <-peaked
		if err != nil {
			t.Fatal(err)
		}
		if stdout.String() != answer+"\n" {
			t.Errorf("%+v: an answer of %d bytes, want %d", c, stdout.Len(), len(answer)+1)
		}
		budget := childPeakBudget
		if c.announced && c.padding {
			budget = announcedPeakBudget
		}
		if peak > int64(budget) || peak == 0 {
			t.Errorf("%+v: peak RSS %d MiB, budget %d MiB", c, peak>>20, budget>>20)
		} else {
			t.Logf("%+v: peak RSS %d MiB", c, peak>>20)
		}
	}
}

func TestActionloopChildTakesTwo64MiBLinesInARow(t *testing.T) {
	binary := buildChild(t, "actionloop")
	results, resultsWriter, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer results.Close()
	command := exec.Command(binary)
	command.ExtraFiles = []*os.File{resultsWriter} // file descriptor 3
	command.Stderr = os.Stderr
	stdin, err := command.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	resultsWriter.Close()
	defer command.Process.Kill()
	stop := make(chan struct{})
	peaked := watchPeak(command.Process.Pid, stop)
	reader := bufio.NewReaderSize(results, 1<<20)
	for _, padding := range []bool{false, false, true} {
		params, answer := largeParams(padding)
		go func() {
			_, _ = stdin.Write([]byte(`{"value":`))
			_, _ = stdin.Write(params)
			_, _ = stdin.Write([]byte("}\n"))
		}()
		line, err := reader.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line != answer+"\n" {
			t.Errorf("padding %v: an answer of %d bytes, want %d", padding, len(line), len(answer)+1)
		}
	}
	close(stop)
	peak := <-peaked
	stdin.Close()
	if err := command.Wait(); err != nil {
		t.Fatal(err)
	}
	if peak > childPeakBudget || peak == 0 {
		t.Errorf("peak RSS %d MiB, budget %d MiB", peak>>20, childPeakBudget>>20)
	} else {
		t.Logf("peak RSS %d MiB", peak>>20)
	}
}
