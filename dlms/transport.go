package dlms

import (
	"context"
	"encoding/hex"
	"fmt"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"io"
	"strings"
)

// Transport carries whole APDUs over one connection; dlms/wrapper and
// dlms/hdlc connections are Transports. ReadAPDU's result is valid until
// the next ReadAPDU. One goroutine may read while another writes.
type Transport interface {
	WriteAPDU(ctx context.Context, pdu []byte) error
	ReadAPDU(ctx context.Context) ([]byte, error)
	Close() error
}

// ServerTransport is the server's end of a connection: it also knows the
// client's address (HDLC client SAP, wrapper source wPort) of the APDU it
// read last, which chooses the association.
type ServerTransport interface {
	Transport
	ClientAddress() uint16
}

// TraceEvent is one APDU a client or server sent or received, for
// --trace. Wire is the APDU as it travelled; Plain is what it carried once
// deciphered, nil when it was not ciphered. Both are valid only during the
// call.
type TraceEvent struct {
	Sent  bool
	Wire  []byte
	Plain []byte
}

// Tracer receives TraceEvents. It is called from the goroutine doing the
// exchange and must not keep the slices. Plain may hold deciphered
// content: a tracer decides whether to show it, and logs must not.
type Tracer func(TraceEvent)

// TraceWriter returns a Tracer that writes each APDU to w as DLMS
// engineers read traces: an arrow, the hex, and the decoded tree (of the
// deciphered APDU, when ciphered):
//
//	→ C0 01 C1 00 03 01 00 01 08 00 FF 02 00
//	  get-request-normal invoke-id=1 confirmed high-priority
//	  └── attribute[0]: class=3 obis=1.0.1.8.0.255 attr=2
func TraceWriter(w io.Writer) Tracer {
	return func(ev TraceEvent) {
		arrow := "←"
		if ev.Sent {
			arrow = "→"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", arrow, spacedHex(ev.Wire))
		shown := ev.Wire
		if ev.Plain != nil {
			fmt.Fprintf(&b, "  deciphered: %s\n", spacedHex(ev.Plain))
			shown = ev.Plain
		}
		if a, err := apdu.Decode(shown); err != nil {
			fmt.Fprintf(&b, "  (undecodable: %v)\n", err)
		} else {
			for _, line := range strings.Split(strings.TrimRight(a.String(), "\n"), "\n") {
				b.WriteString("  " + line + "\n")
			}
		}
		io.WriteString(w, b.String())
	}
}

func spacedHex(b []byte) string {
	s := strings.ToUpper(hex.EncodeToString(b))
	var out strings.Builder
	for i := 0; i < len(s); i += 2 {
		if i > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(s[i : i+2])
	}
	return out.String()
}
