package dlms_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// TestServerTranscripts plays the requests of testdata/server/* to a
// server over the in-memory transport, one connection per file, and prints
// each answer decoded: a readable record of what the server says to what.
//
//	request client=N      the APDU in hex (spaces and newlines ignored)
//	----
//	the answer, or "(no answer)"
//
// Files may set a server max PDU with "config max-pdu=N" first.
func TestServerTranscripts(t *testing.T) {
	datadriven.Walk(t, "testdata/server", func(t *testing.T, path string) {
		var e *env
		var end *pipeEnd
		client := uint16(0)
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			switch td.Cmd {
			case "config":
				var pdu int
				td.ScanArgs(t, "max-pdu", &pdu)
				e = newEnv(t, func(c *dlms.ServerConfig) { c.MaxPDU = uint16(pdu) })
				return ""
			case "request":
				var c int
				td.ScanArgs(t, "client", &c)
				if e == nil {
					e = newEnv(t)
				}
				if end == nil || uint16(c) != client {
					end, _ = e.connect(uint16(c))
					client = uint16(c)
				}
				resp := exchange(t, e.ctx, end, linktest.Unhex(t, td.Input))
				a, err := apdu.Decode(resp)
				if err != nil {
					t.Fatalf("answer % X does not decode: %v", resp, err)
				}
				var b strings.Builder
				b.WriteString(spaced(resp) + "\n")
				b.WriteString(a.String())
				return b.String()
			}
			t.Fatalf("unknown command %s", td.Cmd)
			return ""
		})
	})
}

// spaced renders bytes as the hex DLMS engineers read, 32 to a line.
func spaced(b []byte) string {
	var out bytes.Buffer
	for i, c := range b {
		switch {
		case i == 0:
		case i%32 == 0:
			out.WriteByte('\n')
		default:
			out.WriteByte(' ')
		}
		out.WriteString(strings.ToUpper(string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])))
	}
	return out.String()
}
