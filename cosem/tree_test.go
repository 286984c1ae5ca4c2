package cosem_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// testNow is the fixed time of the test tree's clock.
var testNow = time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)

var testKEK = []byte{0: 0x10, 15: 0x1F}

// fakeAuth is an Authenticator that accepts f(StoC) = "good".
type fakeAuth struct{ secret []byte }

func (a *fakeAuth) ReplyToHLS(_ context.Context, f []byte) ([]byte, error) {
	if string(f) != "good" {
		return nil, fmt.Errorf("%w: f(StoC) does not verify", cosem.ErrDenied)
	}
	return []byte("server-proof"), nil
}

func (a *fakeAuth) ChangeSecret(_ context.Context, s []byte) error {
	a.secret = append([]byte(nil), s...)
	return nil
}

// TestTreeDatadriven runs the requests of testdata/tree against the test
// tree through cosem.Get/Set/Action, as a server would, and prints each
// result as a tree or the error it maps to.
//
//	get|set|action client=N obis=OBIS class=N id=N [auth] [entry=(F,T,FV,TV)] [range=(FROM,TO)]
//	<A-XDR hex of the SET value or ACTION parameter>
func TestTreeDatadriven(t *testing.T) {
	datadriven.Walk(t, "testdata/tree", func(t *testing.T, path string) {
		keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyMaster: testKEK})
		tree, err := cosemtest.New(cosemtest.Options{Now: func() time.Time { return testNow }, Rows: 20, Keys: keys,
			ClientTitle: []byte("MMM\x00\x00\x00\x00\x01"), ServerTitle: []byte("AMG\x00\x00\x00\x00\x01"),
			InvocationCounter: func(context.Context) (uint32, error) { return 41, nil }})
		if err != nil {
			t.Fatal(err)
		}
		auth := &fakeAuth{}
		assocs := map[uint16]*cosem.AssociationLN{}
		view := func(client uint16) cosem.View {
			if a := assocs[client]; a != nil {
				return a
			}
			base, ok := tree.View(client)
			if !ok {
				t.Fatalf("no view for client %d", client)
			}
			a := cosem.NewAssociationLN(cosem.AssociationConfig{ClientSAP: client, ServerSAP: 1, Context: 1, // LN
				Mechanism: 0 /* lowest */, Conformance: 0x00181D, MaxReceivePDU: 1024, MaxSendPDU: 512,
				DLMSVersion: 6, Auth: auth}, base)
			assocs[client] = a
			return a
		}
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			var client, class, id int
			var obis string
			td.ScanArgs(t, "client", &client)
			td.ScanArgs(t, "obis", &obis)
			td.ScanArgs(t, "class", &class)
			td.ScanArgs(t, "id", &id)
			ref := cosem.Ref{Class: cosem.ClassID(class), Name: cosem.MustOBIS(obis), ID: int8(id)}
			authenticated := td.HasArg("auth")
			ctx := context.Background()
			v := view(uint16(client))
			var input []axdr.Value
			if in := strings.TrimSpace(td.Input); in != "" {
				var err error
				if input, err = axdr.Decode(nil, unhex(t, in)); err != nil {
					t.Fatalf("input: %v", err)
				}
			}
			var out []byte
			var err error
			switch td.Cmd {
			case "get":
				out, err = cosem.Get(ctx, v, nil, ref, selector(t, td), authenticated)
			case "set":
				err = cosem.Set(ctx, v, ref, input, authenticated)
			case "action":
				out, err = cosem.Action(ctx, v, nil, ref, input, authenticated)
			case "hls-secret":
				return fmt.Sprintf("%q\n", auth.secret)
			default:
				t.Fatalf("unknown command %s", td.Cmd)
			}
			if err != nil {
				return "error: " + errorName(err) + "\n"
			}
			if len(out) == 0 {
				return "ok\n"
			}
			vals, err := axdr.Decode(nil, out)
			if err != nil {
				t.Fatalf("result % X does not decode: %v", out, err)
			}
			return axdr.Format(vals)
		})
	})
}

// selector reads entry= or range= arguments.
func selector(t *testing.T, td *datadriven.TestData) *cosem.Selector {
	for _, arg := range td.CmdArgs {
		switch arg.Key {
		case "entry":
			var n [4]uint64
			if len(arg.Vals) != 4 {
				t.Fatalf("entry wants four numbers")
			}
			for i, s := range arg.Vals {
				var err error
				if n[i], err = strconv.ParseUint(s, 10, 32); err != nil {
					t.Fatalf("entry: %v", err)
				}
			}
			return cosem.EntryDescriptor{FromEntry: uint32(n[0]), ToEntry: uint32(n[1]), FromValue: uint16(n[2]), ToValue: uint16(n[3])}.Selector()
		case "range":
			var bounds [2]axdr.Value
			if len(arg.Vals) != 2 {
				t.Fatalf("range wants two times")
			}
			for i, s := range arg.Vals {
				at, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatalf("range: %v", err)
				}
				bounds[i] = axdr.OctetString(axdr.FromTime(at).Append(nil))
			}
			var cols []cosem.CaptureObject
			if td.HasArg("export-only") {
				cols = []cosem.CaptureObject{cosem.ClockTime, {Class: cosem.ClassRegister, Name: cosemtest.EnergyExport, Attribute: 2}}
			}
			return cosem.RangeDescriptor{Restricting: cosem.ClockTime, From: bounds[0], To: bounds[1], Selected: cols}.Selector()
		case "selector":
			n, _ := strconv.Atoi(arg.Vals[0])
			return &cosem.Selector{ID: uint8(n), Params: []axdr.Value{axdr.Null()}}
		}
	}
	return nil
}

// errorName names the sentinel an error wraps, as the Data-Access-Result
// a server would answer.
func errorName(err error) string {
	for _, s := range []struct {
		err  error
		name string
	}{
		{cosem.ErrHardwareFault, "hardware-fault"}, {cosem.ErrTemporaryFailure, "temporary-failure"},
		{cosem.ErrDenied, "read-write-denied"}, {cosem.ErrUndefined, "object-undefined"},
		{cosem.ErrClassInconsistent, "object-class-inconsistent"}, {cosem.ErrUnavailable, "object-unavailable"},
		{cosem.ErrTypeUnmatched, "type-unmatched"}, {cosem.ErrScopeOfAccess, "scope-of-access-violated"},
	} {
		if errors.Is(err, s.err) {
			return s.name + " (" + err.Error() + ")"
		}
	}
	return "other-reason (" + err.Error() + ")"
}
