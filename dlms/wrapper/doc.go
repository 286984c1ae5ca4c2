// Package wrapper is the DLMS/COSEM TCP transport: the wrapper sub-layer of
// IEC 62056-47:2006 (clause 5.3.2, the wrapper protocol data unit, and
// clause 6.3, its use over TCP; the same text is chapter 7 of the DLMS UA
// Green Book, DLMS UA 1000-2 Ed. 10). It moves whole APDUs as opaque bytes
// and knows nothing of their content.
//
// # Frame layout
//
// Every APDU travels in one wrapper protocol data unit (WPDU); all fields
// are big-endian:
//
//	 0       2       4       6       8
//	+-------+-------+-------+-------+------------------+
//	|version|source |dest.  |length | APDU             |
//	|0x0001 |wPort  |wPort  |n      | n bytes          |
//	+-------+-------+-------+-------+------------------+
//
// The wPorts name application processes: on the client side 1 management,
// 16 public, 32 reader (ARCHITECTURE §4); on the server side 1 the
// management logical device. TCP port 4059 is registered with IANA.
//
// # Contract
//
// DecodeFrame and Reader reject any input they cannot take (wrong version,
// a length above the configured maximum, a truncated frame) with an error
// and never panic; the length field is checked against the maximum before
// any buffer is sized from it. A version or length error leaves a stream
// out of step and is final for a Reader; a frame addressed to another wPort
// is consumed, reported (ErrDestination) and reading goes on.
//
// A Conn is one end of a connection: NewClient or Dial for a client,
// NewServer for an accepted connection. WriteAPDU sends one APDU,
// ReadAPDU returns the next one (valid until the next ReadAPDU), Close
// closes the stream. One goroutine may read while another writes. A server
// Conn answers the client of the last frame it read, whose wPort
// ClientAddress reports so that the server can choose the association.
// Contexts cut reads and writes short through the stream's deadlines (see
// ReadAPDU for streams without them).
//
// The roles are the application's, not TCP's: a meter pushing a
// DataNotification over a connection it dialed is the server end
// (NewServer with Config.Client set to the push destination's wPort), and
// the head-end's listener that accepted it is the client end (NewClient).
package wrapper
