// Package linkio is the stream plumbing shared by the DLMS link layers
// (dlms/wrapper and dlms/hdlc): it lets a context and a timeout cut short a
// blocking Read or Write on any byte stream.
//
// A stream that has deadlines (net.Conn, *os.File on a pollable descriptor
// such as a serial tty) is used as it is. Any other io.ReadWriter is adapted:
// its Reads run in one goroutine that hands each chunk over a channel, so a
// deadline or a cancelled context ends the waiting Read at once. Its Writes
// cannot be interrupted: a Write blocked inside such a stream returns only
// when the stream returns. The adapter's goroutine ends when the stream's Read
// returns an error, which closing the stream normally causes.
package linkio
