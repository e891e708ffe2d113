// Package sockio reads and writes TCP sockets without the Go scheduler's
// system-call hooks.
//
// Go keeps every socket non-blocking: a read or write that cannot proceed
// returns EAGAIN and the goroutine waits in the netpoller. Yet net.Conn
// still makes each read and write through syscall.Read and syscall.Write,
// which call the runtime's entersyscall and exitsyscall, made for calls
// that may block. In a replica those hooks cost more than the calls
// themselves: a call made after the process was idle wakes the runtime's
// sysmon thread, which then polls every 20 µs; a call sysmon finds still
// in the kernel on its next tick loses its P to another thread whenever
// other goroutines are ready (that thread is woken with a futex), and the
// caller, back from the kernel, must wait for a P again. Three replicas
// at GOMAXPROCS 1 under 64 clients on the benchmark machine (a 2-core KVM
// guest) made, on the primary, 3,000 sleeps, 2,300 futex calls, 200
// sched_yields and 7,900 context switches a second; through this package
// 110, 40, 0 and 3,400, and the servers' CPU per request fell by 40%
// (docs/benchmarks.md, fifteenth session). A ping-pong between two
// processes, one goroutine each, shows no difference: the cost needs
// other goroutines waiting for the P.
//
// Wrap returns a connection whose Read and Write make raw system calls on
// Linux (syscall.RawSyscall: the socket never blocks, so nothing is lost
// by skipping the hooks) and wait in the netpoller exactly as net.Conn
// does, deadlines included, through the socket's syscall.RawConn.
// WriteNonblocking makes one write that never waits. Neither changes what
// a caller sees: the same bytes, io.EOF at the peer's close, and errors
// that match net.ErrClosed and os.ErrDeadlineExceeded with errors.Is.
package sockio
