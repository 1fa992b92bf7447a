// Command owkit-spawn starts the blackbox proxy's children for it. Node's child_process forks the
// whole proxy for every spawn (its page tables included), which cost the proxy about 1 ms of CPU
// per activation more than Python's subprocess; Go's syscall.ForkExec uses clone(CLONE_VFORK |
// CLONE_VM), whose cost does not grow with the parent. The proxy starts this helper once and
// sends it one frame per activation on stdin; it answers with the child's pid, its output as it
// comes, its exit status and the end of its pipes, in frames on stdout. Every decision (deadline,
// output caps, what the result is, killing the process tree) stays in the proxy.
//
// A frame is a little-endian uint32 length (of what follows), a type byte, a uint32 activation
// id, then the payload.
//
//	from the proxy:  'B' base environment (first, once): a uint32 count of uint32-length
//	                 NAME=value strings, the proxy's environment for every child; the helper's
//	                 own stays almost empty, so that it is not mistaken for an action's process
//	                 'S' spawn: path, cwd, args, env overrides (each a uint32 count of
//	                 uint32-length strings), then the child's stdin bytes
//	                 'K' cut: close the child's stdout and stderr now (a grandchild holds them)
//	to the proxy:    'P' started: uint32 pid      'F' not started: errno name
//	                 'O' stdout bytes             'E' stderr bytes
//	                 'X' exited: int32 exit code (-1 when killed), then the signal name
//	                 'C' closed: both output pipes ended after the exit, and the child's
//	                 process group killed and, when its environment carries a tree tag,
//	                 every leftover carrying it and all below one (the proxy's sweep, done
//	                 here where it is cheaper)
//
// The helper is its children's subreaper (PR_SET_CHILD_SUBREAPER): whatever they leave behind,
// double forks and setsid included, is re-parented to it rather than to init. So one goroutine
// reaps every child on SIGCHLD (no thread blocked in wait4 per child), and the sweep after an
// activation reads only the helper's own children (/proc/<pid>/task/<pid>/children) instead of
// every process on the host: O(leftovers), not O(processes).
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
)

// childOOMScoreAdj makes a child the OOM killer's first choice, as the proxy's own spawns do.
const childOOMScoreAdj = "1000"

// readChunkBytes is how much output one read takes from a child's pipe.
const readChunkBytes = 64 * 1024

// maxFrameBytes bounds one spawn frame: argv and stdin of at most 128 KiB each plus the
// environment overrides (the proxy sends larger params through its own spawn).
const maxFrameBytes = 64 * 1024 * 1024

func main() {
	// Die with the proxy: a helper left behind would hold nothing but could never be told to stop.
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0)
	// Its work is system calls and waiting: a second processor only adds threads that wake each
	// other (unpinned on two cores, 339-371 us of CPU per activation against 399-505 with two).
	runtime.GOMAXPROCS(1)
	h := newHelper(newFrameWriter(os.Stdout))
	if err := h.serve(bufio.NewReaderSize(pollable(os.Stdin), 256*1024)); err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(os.Stderr, "owkit-spawn: %v\n", err)
		os.Exit(1)
	}
}

// pollable reads the proxy's frames through Go's poller: the proxy hands over a blocking socket,
// and a read blocked on it holds a thread that the runtime replaces and wakes again for every
// frame (futex calls and context switches per activation).
func pollable(in *os.File) *os.File {
	if syscall.SetNonblock(int(in.Fd()), true) != nil {
		return in
	}
	return os.NewFile(in.Fd(), in.Name())
}

type helper struct {
	out  *frameWriter
	base []string
	mu   sync.Mutex
	// children by activation id, until the activation's 'C' frame.
	children map[uint32]*child
	// procs orders starting, reaping and sweeping: while it is held no child of the helper is
	// reaped, so a pid the sweep read from the children list cannot be reused under it, and a
	// child started is in roots before a sweep or the reaper can see it.
	procs sync.Mutex
	// roots are the children the helper started and has not reaped yet, each with where its
	// exit status goes; every other child of the helper is something an activation left behind.
	roots map[int]chan syscall.WaitStatus
	// leftovers lists the children of the helper's main thread, where the kernel re-parents
	// orphans; nil where the kernel has no children files (the sweep then reads all of /proc).
	leftovers *childrenList
}

type child struct {
	pid            int
	stdout, stderr *os.File
	cutOnce        sync.Once
}

func (c *child) cut() {
	c.cutOnce.Do(func() {
		_ = c.stdout.Close()
		_ = c.stderr.Close()
	})
}

func newHelper(out *frameWriter) *helper {
	h := &helper{
		out:      out,
		children: map[uint32]*child{},
		roots:    map[int]chan syscall.WaitStatus{},
	}
	// Notified before the first child can exit; a helper that cannot be a subreaper (no such
	// prctl) still reaps its own children and falls back to reading /proc in full.
	exits := make(chan os.Signal, 1)
	signal.Notify(exits, syscall.SIGCHLD)
	go h.reapOnSignal(exits)
	if becomeSubreaper() {
		h.leftovers = openChildrenList(os.Getpid())
	}
	return h
}

func (h *helper) serve(in *bufio.Reader) error {
	var header [9]byte
	for {
		if _, err := io.ReadFull(in, header[:]); err != nil {
			return err
		}
		length := binary.LittleEndian.Uint32(header[0:4])
		kind := header[4]
		id := binary.LittleEndian.Uint32(header[5:9])
		if length < 5 || length > maxFrameBytes {
			return fmt.Errorf("frame of %d bytes", length)
		}
		payload := make([]byte, length-5)
		if _, err := io.ReadFull(in, payload); err != nil {
			return err
		}
		switch kind {
		case 'B':
			rest := payload
			base, err := readList(&rest)
			if err != nil {
				return err
			}
			h.base = base
		case 'S':
			h.spawn(id, payload)
		case 'K':
			h.mu.Lock()
			c := h.children[id]
			h.mu.Unlock()
			if c != nil {
				c.cut()
			}
		default:
			return fmt.Errorf("unknown frame type %q", kind)
		}
	}
}

// spawnRequest is an 'S' frame's payload, decoded.
type spawnRequest struct {
	path, cwd string
	args, env []string
	stdin     []byte
}

func decodeSpawn(payload []byte) (spawnRequest, error) {
	var r spawnRequest
	rest := payload
	head, err := readList(&rest)
	if err != nil || len(head) != 2 {
		return r, errors.New("bad spawn frame")
	}
	r.path, r.cwd = head[0], head[1]
	if r.args, err = readList(&rest); err != nil {
		return r, err
	}
	if r.env, err = readList(&rest); err != nil {
		return r, err
	}
	r.stdin = rest
	return r, nil
}

// readList takes a uint32 count of uint32-length strings off the front of rest.
func readList(rest *[]byte) ([]string, error) {
	b := *rest
	if len(b) < 4 {
		return nil, errors.New("truncated list")
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	items := make([]string, 0, min(n, 1024))
	for range n {
		if len(b) < 4 {
			return nil, errors.New("truncated string")
		}
		size := binary.LittleEndian.Uint32(b)
		if uint32(len(b)-4) < size {
			return nil, errors.New("truncated string")
		}
		items = append(items, string(b[4:4+size]))
		b = b[4+size:]
	}
	*rest = b
	return items, nil
}

// environment is the base the proxy sent with the overrides replacing same-named entries.
func (h *helper) environment(overrides []string) []string {
	if len(overrides) == 0 {
		return h.base
	}
	names := make(map[string]struct{}, len(overrides))
	for _, entry := range overrides {
		name, _, _ := strings.Cut(entry, "=")
		names[name] = struct{}{}
	}
	env := make([]string, 0, len(h.base)+len(overrides))
	for _, entry := range h.base {
		name, _, _ := strings.Cut(entry, "=")
		if _, replaced := names[name]; !replaced {
			env = append(env, entry)
		}
	}
	return append(env, overrides...)
}
