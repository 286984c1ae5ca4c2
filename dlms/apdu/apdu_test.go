package apdu_test

import (
	"bytes"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// TestAPDUDatadriven decodes each input to its readable tree and checks
// that re-encoding gives the input back (unless "decode noncanonical").
func TestAPDUDatadriven(t *testing.T) {
	datadriven.RunTest(t, "testdata/apdu", func(t *testing.T, td *datadriven.TestData) string {
		src := linktest.Unhex(t, td.Input)
		a, err := apdu.Decode(src)
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		out, err := a.Append(nil)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !td.HasArg("noncanonical") && !bytes.Equal(out, src) {
			t.Errorf("re-encoded\n% X\nwant\n% X", out, src)
		}
		return a.String()
	})
}
