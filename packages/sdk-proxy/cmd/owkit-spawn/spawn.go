package main

import (
	"encoding/binary"
	"errors"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func (h *helper) spawn(id uint32, payload []byte) {
	req, err := decodeSpawn(payload)
	if err != nil {
		h.out.send('F', id, []byte("EINVAL"))
		return
	}
	pipes, err := openChildPipes()
	if err != nil {
		h.out.send('F', id, []byte(errnoName(err)))
		return
	}
	attr := &syscall.ProcAttr{
		Dir:   req.cwd,
		Env:   h.environment(req.env),
		Files: []uintptr{uintptr(pipes.child[0]), uintptr(pipes.child[1]), uintptr(pipes.child[2])},
		// A session and so a process group of its own (as Node's detached spawn), so that the
		// child and what it forks are killed together.
		Sys: &syscall.SysProcAttr{Setsid: true},
	}
	exited := make(chan syscall.WaitStatus, 1)
	startedAt := time.Now()
	h.procs.Lock()
	pid, err := syscall.ForkExec(req.path, req.args, attr)
	if err == nil {
		h.roots[pid] = exited
	}
	h.procs.Unlock()
	pipes.closeChildEnds()
	if err != nil {
		pipes.closeParentEnds()
		h.out.send('F', id, []byte(errnoName(err)))
		return
	}
	preferForOomKill(pid)
	var started [4]byte
	binary.LittleEndian.PutUint32(started[:], uint32(pid))
	h.out.send('P', id, started[:])

	c := &child{pid: pid, stdout: os.NewFile(uintptr(pipes.stdout), "stdout"), stderr: os.NewFile(uintptr(pipes.stderr), "stderr")}
	h.mu.Lock()
	h.children[id] = c
	h.mu.Unlock()

	writeStdin(pipes.stdin, req.stdin)
	var readers sync.WaitGroup
	readers.Add(2)
	go h.forward(id, 'O', c.stdout, &readers)
	go h.forward(id, 'E', c.stderr, &readers)
	go func() {
		status := <-exited
		h.out.send('X', id, exitPayload(status))
		readers.Wait()
		c.cut()
		h.mu.Lock()
		delete(h.children, id)
		h.mu.Unlock()
		// Nothing the activation started may outlive it: done before the proxy answers.
		killGroup(pid)
		if tag := treeTag(req.env); tag != "" {
			h.sweep(tag, pid, startedAt)
		}
		h.out.send('C', id, nil)
	}()
}

// childPipes are the child's stdin, stdout and stderr: its ends (blocking, as a child expects)
// and the helper's (non-blocking: output is read through Go's poller).
type childPipes struct {
	child                 [3]int
	stdin, stdout, stderr int
}

// openChildPipes makes the three pipes with raw system calls: os.Pipe would register both ends
// with the poller and the child's ends would then have to be made blocking again, about twenty
// system calls per child that bring nothing.
func openChildPipes() (*childPipes, error) {
	p := &childPipes{child: [3]int{-1, -1, -1}, stdin: -1, stdout: -1, stderr: -1}
	var fds [2]int
	for i, parent := range []*int{&p.stdin, &p.stdout, &p.stderr} {
		if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
			p.closeChildEnds()
			p.closeParentEnds()
			return nil, err
		}
		childEnd, parentEnd := fds[1], fds[0]
		if i == 0 {
			childEnd, parentEnd = fds[0], fds[1]
		}
		p.child[i], *parent = childEnd, parentEnd
		if err := setBlocking(childEnd); err != nil {
			p.closeChildEnds()
			p.closeParentEnds()
			return nil, err
		}
	}
	return p, nil
}

func (p *childPipes) closeChildEnds() {
	for _, fd := range p.child {
		closeFd(fd)
	}
}

func (p *childPipes) closeParentEnds() {
	closeFd(p.stdin)
	closeFd(p.stdout)
	closeFd(p.stderr)
}

func closeFd(fd int) {
	if fd >= 0 {
		_ = syscall.Close(fd)
	}
}

// setBlocking clears O_NONBLOCK on a pipe end: pipe2 set it on both ends, the child's must not
// keep it. A pipe end has no other status flag set, so the flags become 0.
func setBlocking(fd int) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFL, 0); errno != 0 {
		return errno
	}
	return nil
}

// writeStdin writes the child's stdin and closes it: at once when the pipe takes it all (params
// of a few KiB always fit), else the rest through the poller in a goroutine of its own. A child
// that never reads its stdin is fine: the broken pipe is expected then.
func writeStdin(fd int, data []byte) {
	var err error
	for len(data) > 0 {
		var n int
		n, err = syscall.Write(fd, data)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if n > 0 {
			data = data[n:]
		}
		if err != nil {
			break
		}
	}
	if len(data) == 0 || !errors.Is(err, syscall.EAGAIN) {
		_ = syscall.Close(fd)
		return
	}
	rest := os.NewFile(uintptr(fd), "stdin")
	go func() {
		_, _ = rest.Write(data)
		_ = rest.Close()
	}()
}

// readBuffers are the forwarders' read buffers, reused: a fresh 64 KiB pair per activation was
// most of what the helper allocated, and clearing and collecting it showed in its profile.
var readBuffers = sync.Pool{New: func() any { return new([readChunkBytes]byte) }}

func (h *helper) forward(id uint32, kind byte, from *os.File, done *sync.WaitGroup) {
	defer done.Done()
	chunk := readBuffers.Get().(*[readChunkBytes]byte)
	defer readBuffers.Put(chunk)
	buf := chunk[:]
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

// preferForOomKill writes the child's oom_score_adj, best effort as in the proxy: the child may
// be gone already. Raw system calls: a /proc file needs no poller.
func preferForOomKill(pid int) {
	fd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/oom_score_adj", syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	_, _ = syscall.Write(fd, []byte(childOOMScoreAdj))
	_ = syscall.Close(fd)
}

func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
