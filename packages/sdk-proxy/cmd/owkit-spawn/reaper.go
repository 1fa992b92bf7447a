package main

import (
	"errors"
	"os"
	"syscall"
)

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER (Linux 3.4), which package syscall lacks.
const prSetChildSubreaper = 36

// becomeSubreaper makes the helper the reaper of every orphan its children leave: a process that
// double-forks or calls setsid under one stays in the helper's tree instead of going to init.
func becomeSubreaper() bool {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	return errno == 0
}

// reapOnSignal reaps every child that has exited, each time SIGCHLD comes (signals of children
// that exit together arrive as one, so each round reaps until none is left).
func (h *helper) reapOnSignal(exits <-chan os.Signal) {
	for range exits {
		h.reap()
	}
}

// reap collects exited children: a root's status goes to its activation, a leftover's is
// dropped (the leftover was killed by a sweep, or ended on its own; either way it is no zombie).
func (h *helper) reap() {
	h.procs.Lock()
	defer h.procs.Unlock()
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		if exited, ok := h.roots[pid]; ok {
			delete(h.roots, pid)
			exited <- status
		}
	}
}
