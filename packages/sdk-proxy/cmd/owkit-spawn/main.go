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
//	                 every process carrying it (the proxy's sweep, done here where it is cheaper)
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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
	out := newFrameWriter(os.Stdout)
	h := &helper{out: out, children: map[uint32]*child{}}
	if err := h.serve(bufio.NewReaderSize(os.Stdin, 256*1024)); err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(os.Stderr, "owkit-spawn: %v\n", err)
		os.Exit(1)
	}
}

type helper struct {
	out      *frameWriter
	base     []string
	mu       sync.Mutex
	children map[uint32]*child
}

type child struct {
	pid            int
	startedAt      time.Time
	stdout, stderr *os.File
	cutOnce        sync.Once
}

func (c *child) cut() {
	c.cutOnce.Do(func() {
		_ = c.stdout.Close()
		_ = c.stderr.Close()
	})
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

func (h *helper) spawn(id uint32, payload []byte) {
	req, err := decodeSpawn(payload)
	if err != nil {
		h.out.send('F', id, []byte("EINVAL"))
		return
	}
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		h.out.send('F', id, []byte(errnoName(err)))
		return
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		closeAll(stdinR, stdinW)
		h.out.send('F', id, []byte(errnoName(err)))
		return
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		closeAll(stdinR, stdinW, stdoutR, stdoutW)
		h.out.send('F', id, []byte(errnoName(err)))
		return
	}
	pid, err := syscall.ForkExec(req.path, req.args, &syscall.ProcAttr{
		Dir:   req.cwd,
		Env:   h.environment(req.env),
		Files: []uintptr{stdinR.Fd(), stdoutW.Fd(), stderrW.Fd()},
		// A session and so a process group of its own (as Node's detached spawn), so that the
		// child and what it forks are killed together.
		Sys: &syscall.SysProcAttr{Setsid: true},
	})
	closeAll(stdinR, stdoutW, stderrW)
	if err != nil {
		closeAll(stdinW, stdoutR, stderrR)
		h.out.send('F', id, []byte(errnoName(err)))
		return
	}
	// Best effort, as in the proxy: the child may be gone already.
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid), []byte(childOOMScoreAdj), 0)
	var started [4]byte
	binary.LittleEndian.PutUint32(started[:], uint32(pid))
	h.out.send('P', id, started[:])

	c := &child{pid: pid, startedAt: time.Now(), stdout: stdoutR, stderr: stderrR}
	h.mu.Lock()
	h.children[id] = c
	h.mu.Unlock()

	go func() {
		// A child that never reads its stdin is fine: the broken pipe is expected then.
		_, _ = stdinW.Write(req.stdin)
		_ = stdinW.Close()
	}()
	var readers sync.WaitGroup
	readers.Add(2)
	go h.forward(id, 'O', stdoutR, &readers)
	go h.forward(id, 'E', stderrR, &readers)
	go func() {
		var status syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &status, 0, nil)
			if !errors.Is(err, syscall.EINTR) {
				break
			}
		}
		h.out.send('X', id, exitPayload(status))
		readers.Wait()
		c.cut()
		h.mu.Lock()
		delete(h.children, id)
		h.mu.Unlock()
		// Nothing the activation started may outlive it: done before the proxy answers.
		killGroup(pid)
		if tag := treeTag(req.env); tag != "" {
			h.sweep(tag, c)
		}
		h.out.send('C', id, nil)
	}()
}

func (h *helper) forward(id uint32, kind byte, from *os.File, done *sync.WaitGroup) {
	defer done.Done()
	buf := make([]byte, readChunkBytes)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			h.out.send(kind, id, buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func exitPayload(status syscall.WaitStatus) []byte {
	code := int32(status.ExitStatus())
	signal := ""
	if status.Signaled() {
		code = -1
		signal = signalName(status.Signal())
	}
	payload := binary.LittleEndian.AppendUint32(nil, uint32(code))
	return append(payload, signal...)
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// frameWriter sends frames from every goroutine, one whole frame at a time, and writes what
// has gathered in one system call.
type frameWriter struct {
	mu      sync.Mutex
	w       *bufio.Writer
	pending bool
	wake    chan struct{}
}

func newFrameWriter(to io.Writer) *frameWriter {
	fw := &frameWriter{w: bufio.NewWriterSize(to, 256*1024), wake: make(chan struct{}, 1)}
	go fw.flushLoop()
	return fw
}

func (fw *frameWriter) send(kind byte, id uint32, payload []byte) {
	var header [9]byte
	binary.LittleEndian.PutUint32(header[0:4], uint32(5+len(payload)))
	header[4] = kind
	binary.LittleEndian.PutUint32(header[5:9], id)
	fw.mu.Lock()
	_, _ = fw.w.Write(header[:])
	_, _ = fw.w.Write(payload)
	fw.pending = true
	fw.mu.Unlock()
	select {
	case fw.wake <- struct{}{}:
	default:
	}
}

func (fw *frameWriter) flushLoop() {
	for range fw.wake {
		fw.mu.Lock()
		if fw.pending {
			fw.pending = false
			if err := fw.w.Flush(); err != nil {
				// The proxy is gone: nothing is left to serve.
				os.Exit(0)
			}
		}
		fw.mu.Unlock()
	}
}

func errnoName(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return "EIO"
	}
	if name, ok := errnoNames[errno]; ok {
		return name
	}
	return fmt.Sprintf("ERRNO%d", int(errno))
}

var errnoNames = map[syscall.Errno]string{
	syscall.ENOENT:  "ENOENT",
	syscall.EACCES:  "EACCES",
	syscall.ENOEXEC: "ENOEXEC",
	syscall.E2BIG:   "E2BIG",
	syscall.EMFILE:  "EMFILE",
	syscall.ENFILE:  "ENFILE",
	syscall.EAGAIN:  "EAGAIN",
	syscall.ENOMEM:  "ENOMEM",
	syscall.ENOTDIR: "ENOTDIR",
	syscall.EISDIR:  "EISDIR",
	syscall.EPERM:   "EPERM",
	syscall.ELOOP:   "ELOOP",
	syscall.ETXTBSY: "ETXTBSY",
}

func signalName(signal syscall.Signal) string {
	if name, ok := signalNames[signal]; ok {
		return name
	}
	return fmt.Sprintf("SIG%d", int(signal))
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP:  "SIGHUP",
	syscall.SIGINT:  "SIGINT",
	syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL:  "SIGILL",
	syscall.SIGTRAP: "SIGTRAP",
	syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS:  "SIGBUS",
	syscall.SIGFPE:  "SIGFPE",
	syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1",
	syscall.SIGSEGV: "SIGSEGV",
	syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE",
	syscall.SIGALRM: "SIGALRM",
	syscall.SIGTERM: "SIGTERM",
	syscall.SIGXCPU: "SIGXCPU",
	syscall.SIGXFSZ: "SIGXFSZ",
	syscall.SIGSYS:  "SIGSYS",
}

// treeVariable marks every process of one child's tree (the proxy's OWKIT_ACTIVATION_TREE).
const treeVariable = "OWKIT_ACTIVATION_TREE="

// Sweep limits, as the proxy's own sweep: rounds while processes are found; where more than
// fewProcesses run, a tree younger than recentTree is swept among the pids allocated since its
// child's only.
const (
	maxSweeps    = 16
	fewProcesses = 16
	recentTree   = time.Second
	// A process in the middle of execve shows an empty environment for a moment, so a round
	// that found nothing right after one that killed can miss a grandchild being exec'd. Once a
	// sweep has killed, it ends only after this many quiet rounds, each this far apart. A tree
	// that left nothing behind (every normal activation) pays one round, as before.
	quietRounds = 2
	quietPause  = 2 * time.Millisecond
)

func treeTag(overrides []string) string {
	for _, entry := range overrides {
		if tag, ok := strings.CutPrefix(entry, treeVariable); ok {
			return tag
		}
	}
	return ""
}

func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// sweep SIGKILLs every readable process whose environment holds the tree's tag, but for this
// helper, the proxy and the live children (each another tree's root), until a round finds none.
func (h *helper) sweep(tag string, root *child) {
	needle := []byte(treeVariable + tag + "\x00")
	killed, quiet := false, 0
	for range maxSweeps {
		found := 0
		for _, pid := range h.candidates(root) {
			environ, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
			if err != nil || !holdsVariable(environ, needle) {
				continue
			}
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				found++
			}
		}
		if found > 0 {
			killed, quiet = true, 0
			continue
		}
		if !killed || quiet == quietRounds {
			return
		}
		quiet++
		time.Sleep(quietPause)
	}
}

func (h *helper) candidates(root *child) []int {
	skip := map[int]bool{os.Getpid(): true, os.Getppid(): true}
	h.mu.Lock()
	for _, c := range h.children {
		skip[c.pid] = true
	}
	h.mu.Unlock()
	dir, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := dir.Readdirnames(-1)
	_ = dir.Close()
	pids := make([]int, 0, len(names))
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err == nil && !skip[pid] {
			pids = append(pids, pid)
		}
	}
	if len(pids) <= fewProcesses || time.Since(root.startedAt) > recentTree {
		return pids
	}
	raw, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		return pids
	}
	last, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return pids
	}
	first := root.pid
	narrowed := pids[:0]
	for _, pid := range pids {
		if (first <= last && pid >= first && pid <= last) || (first > last && (pid >= first || pid <= last)) {
			narrowed = append(narrowed, pid)
		}
	}
	return narrowed
}

func holdsVariable(environ, needle []byte) bool {
	for at := 0; ; {
		i := bytes.Index(environ[at:], needle)
		if i < 0 {
			return false
		}
		if at+i == 0 || environ[at+i-1] == 0 {
			return true
		}
		at += i + 1
	}
}
