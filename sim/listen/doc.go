// Package listen serves many listening TCP sockets without a goroutine
// per socket: a simulated fleet gives each of its ten thousand meters its
// own address (127.x.y.z:4059, like an IP-connected meter) and pays a
// goroutine only for the connections that are open.
//
// On Linux one goroutine waits in epoll(7) on every listener (level
// triggered, one-shot: a listener is re-armed once its pending connection
// has been accepted) and accepts in a new goroutine, which runs the
// handler; elsewhere each listener has its accept loop.
//
// Set.Listen may be called before and while Serve runs; Serve returns
// after ctx is done, every listener is closed and every handler has
// returned (handlers get ctx and must return once it is done).
package listen
