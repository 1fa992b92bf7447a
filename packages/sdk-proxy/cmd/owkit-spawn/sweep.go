package main

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// treeVariable marks every process of one child's tree (the proxy's OWKIT_ACTIVATION_TREE).
const treeVariable = "OWKIT_ACTIVATION_TREE="

// Sweep limits, as the proxy's own sweep: rounds while processes are found.
const (
	maxSweeps = 16
	// A process in the middle of execve shows an empty environment for a moment, so a round that
	// found nothing right after one that killed can miss a grandchild being exec'd. Once a sweep
	// has killed, it ends only after this many quiet rounds, each this far apart. A tree that
	// left nothing behind (every normal activation) pays one round.
	quietRounds = 2
	quietPause  = 2 * time.Millisecond
)

// Where the helper cannot list its own children and reads all of /proc: up to fewProcesses
// others, all are read; past that, a tree younger than recentTree is swept among the pids
// allocated since its child's only (the proxy's rule).
const (
	fewProcesses = 16
	recentTree   = time.Second
)

func treeTag(overrides []string) string {
	for _, entry := range overrides {
		if tag, ok := strings.CutPrefix(entry, treeVariable); ok {
			return tag
		}
	}
	return ""
}

// sweep SIGKILLs what the activation whose child was root left behind, until a round finds
// nothing: every process carrying the tree's tag and, under the helper, everything below one.
func (h *helper) sweep(tag string, root int, startedAt time.Time) {
	needle := []byte(treeVariable + tag + "\x00")
	killed, quiet := false, 0
	for range maxSweeps {
		var found int
		if h.leftovers != nil {
			found = h.sweepLeftovers(needle)
		} else {
			found = h.sweepProc(needle, root, startedAt)
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

// sweepLeftovers reads only the helper's children that are no activation's root: what every
// tree left behind lands there (the helper is their subreaper), and each is read for the tag.
// One carrying it is killed with all it forked, whatever their environment (they are below it).
// In the normal case (nothing left behind) that is one read of the children list.
func (h *helper) sweepLeftovers(needle []byte) int {
	h.procs.Lock()
	defer h.procs.Unlock()
	found := 0
	for _, pid := range h.leftovers.read() {
		if _, root := h.roots[pid]; root {
			continue
		}
		environ, err := readProcFile(pid, "environ")
		if err != nil || !holdsVariable(environ, needle) {
			continue
		}
		found += killTree(pid)
	}
	return found
}

// killTree SIGKILLs a process and everything below it; it returns how many it reached. Each is
// stopped before its children are read, and killed only once all are read: a process killed at
// once could die before the read, and its children, re-parented to the helper, would no longer
// be below anything carrying the tag. A stopped process forks no more (a fork with a signal
// pending is restarted after it).
func killTree(pid int) int {
	var stopped []int
	pending := []int{pid}
	for len(pending) > 0 {
		next := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		if syscall.Kill(next, syscall.SIGSTOP) != nil {
			continue
		}
		stopped = append(stopped, next)
		pending = append(pending, processChildren(next)...)
	}
	for _, member := range stopped {
		_ = syscall.Kill(member, syscall.SIGKILL)
	}
	return len(stopped)
}

// processChildren lists the children of every thread of a process (its own forks may come from
// any of them, and orphans of a subreaper go to one).
func processChildren(pid int) []int {
	dir, err := os.Open("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return nil
	}
	tids, _ := dir.Readdirnames(-1)
	_ = dir.Close()
	var children []int
	for _, tid := range tids {
		text, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + tid + "/children")
		if err == nil {
			children = appendPids(children, text)
		}
	}
	return children
}

// childrenList reads the children of one thread again and again through one open file: a
// seq_file read from offset 0 lists them afresh.
type childrenList struct {
	fd  int
	buf []byte
}

// openChildrenList opens the children of the helper's main thread. The kernel re-parents an
// orphan to the first live thread of its subreaper, which is the main thread (it never exits);
// children the helper starts itself may sit under any thread, but those are roots. Nil where the
// kernel has no such file (CONFIG_PROC_CHILDREN).
func openChildrenList(pid int) *childrenList {
	path := "/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/children"
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	return &childrenList{fd: fd, buf: make([]byte, 4096)}
}

// read lists the pids; called with procs held, so that the buffer is the caller's alone.
func (l *childrenList) read() []int {
	for {
		n, err := syscall.Pread(l.fd, l.buf, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || n <= 0 {
			return nil
		}
		if n < len(l.buf) {
			return appendPids(nil, l.buf[:n])
		}
		l.buf = make([]byte, 2*len(l.buf))
	}
}

// appendPids parses a children file: pids separated by spaces.
func appendPids(pids []int, text []byte) []int {
	for _, field := range bytes.Fields(text) {
		if pid, err := strconv.Atoi(string(field)); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// readProcFile reads /proc/<pid>/<name> with raw system calls (no poller, no stat).
func readProcFile(pid int, name string) ([]byte, error) {
	fd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/"+name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 4096)
	for {
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// sweepProc is the sweep where the helper cannot list its children: every readable process
// whose environment holds the tag, but for this helper, the proxy and the live roots.
func (h *helper) sweepProc(needle []byte, root int, startedAt time.Time) int {
	found := 0
	for _, pid := range h.procCandidates(root, startedAt) {
		environ, err := readProcFile(pid, "environ")
		if err != nil || !holdsVariable(environ, needle) {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			found++
		}
	}
	return found
}

func (h *helper) procCandidates(root int, startedAt time.Time) []int {
	skip := map[int]bool{os.Getpid(): true, os.Getppid(): true}
	h.procs.Lock()
	for pid := range h.roots {
		skip[pid] = true
	}
	h.procs.Unlock()
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
	if len(pids) <= fewProcesses || time.Since(startedAt) > recentTree {
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
	narrowed := pids[:0]
	for _, pid := range pids {
		if (root <= last && pid >= root && pid <= last) || (root > last && (pid >= root || pid <= last)) {
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
