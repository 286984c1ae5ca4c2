// Package interop checks amigo's DLMS/COSEM server against an independent
// peer, Gurux's Go library (GPLv2; kept in this test-only module, so
// nothing of it is linked into amigo). See README.md for where the two
// disagree and what the Blue and Green Books say.
package interop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	gx "github.com/Gurux/gxdlms-go"
	"github.com/Gurux/gxdlms-go/enums"
	"github.com/Gurux/gxdlms-go/objects"
	"github.com/Gurux/gxdlms-go/types"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
)

// Demo material of ARCHITECTURE §4 (the Green Book's example values).
var (
	demoEK          = cosemtest.DemoEncryptionKey
	demoAK          = cosemtest.DemoAuthenticationKey
	demoClientTitle = cosemtest.DemoClientTitle
	demoServerTitle = cosemtest.DemoServerTitle
	meterTime       = time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
)

// startServer runs amigo's server over the test tree on 127.0.0.1:0 until
// the test ends. blocks counts the get-response-with-datablock APDUs it
// sends.
func startServer(t *testing.T, hdlc bool, blocks *atomic.Int64) string {
	t.Helper()
	return startServerTraced(t, hdlc, blocks, nil)
}

// startServerTraced is startServer with a tracer of its own.
func startServerTraced(t *testing.T, hdlc bool, blocks *atomic.Int64, also dlms.Tracer) string {
	t.Helper()
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: demoEK, cosem.KeyAuthentication: demoAK})
	tree, err := cosemtest.New(cosemtest.Options{Now: func() time.Time { return meterTime }, Keys: keys,
		ClientTitle: demoClientTitle, ServerTitle: demoServerTitle})
	if err != nil {
		t.Fatal(err)
	}
	trace := func(ev dlms.TraceEvent) {
		if ev.Sent && len(ev.Wire) > 1 && ev.Wire[0] == apdu.TagGetResponse && ev.Wire[1] == apdu.GetWithDatablock {
			blocks.Add(1)
		}
		if also != nil {
			also(ev)
		}
	}
	if os.Getenv("INTEROP_TRACE") != "" {
		tw := dlms.TraceWriter(os.Stderr)
		count := trace
		trace = func(ev dlms.TraceEvent) { tw(ev); count(ev) }
	}
	srv, err := dlms.NewServer(dlms.ServerConfig{Listen: "127.0.0.1:0", HDLC: hdlc, Tree: tree, SystemTitle: demoServerTitle, Trace: trace,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()})),
		Clients: map[uint16]dlms.ClientPolicy{
			cosemtest.Public:     {Mechanism: apdu.MechanismLowest},
			cosemtest.Reader:     {Mechanism: apdu.MechanismLow, Password: []byte("00000000")},
			cosemtest.Management: {Mechanism: apdu.MechanismHighGMAC, Keys: keys},
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return srv.Addr().String()
}

// gurux is a Gurux client on a TCP connection: the library makes and
// parses the bytes, this type moves them.
type gurux struct {
	t    *testing.T
	nc   net.Conn
	c    *gx.GXDLMSSecureClient
	hdlc bool
}

func dialGurux(t *testing.T, addr string, hdlc bool, client int, auth enums.Authentication, password string) *gurux {
	t.Helper()
	it := enums.InterfaceTypeWRAPPER
	if hdlc {
		it = enums.InterfaceTypeHDLC
	}
	c, err := gx.NewGXDLMSSecureClient(true, client, 1, auth, []byte(password), it)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &gurux{t: t, nc: nc, c: c, hdlc: hdlc}
}

// packet sends one request (nil: only read) and reads until the library
// has a whole answer.
func (g *gurux) packet(req []byte, reply *gx.GXReplyData) error {
	if req != nil {
		if _, err := g.nc.Write(req); err != nil {
			return err
		}
	}
	notify := gx.NewGXReplyData()
	rd := types.NewGXByteBuffer()
	buf := make([]byte, 4096)
	for {
		g.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := g.nc.Read(buf)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if err := rd.Set(buf[:n]); err != nil {
			return err
		}
		complete, err := g.c.GetData(rd, reply, notify)
		if err != nil {
			return err
		}
		if complete {
			return nil
		}
	}
}

// exchange sends each request and follows the answer's blocks.
func (g *gurux) exchange(reqs [][]byte, reply *gx.GXReplyData) error {
	for _, r := range reqs {
		reply.Clear()
		if err := g.packet(r, reply); err != nil {
			return err
		}
		for reply.IsMoreData() {
			rr, err := g.c.ReceiverReady(reply)
			if err != nil {
				return err
			}
			if err := g.packet(rr, reply); err != nil {
				return err
			}
		}
	}
	return nil
}

// connect opens the link (SNRM/UA under HDLC) and the association
// (AARQ/AARE, then HLS pass 3/4 if the mechanism needs it).
func (g *gurux) connect() error {
	reply := gx.NewGXReplyData()
	if g.hdlc {
		snrm, err := g.c.SNRMRequest()
		if err != nil {
			return err
		}
		if err := g.packet(snrm, reply); err != nil {
			return fmt.Errorf("SNRM: %w", err)
		}
		if err := g.c.ParseUAResponse(reply.Data); err != nil {
			return fmt.Errorf("UA: %w", err)
		}
	}
	aarq, err := g.c.AARQRequest()
	if err != nil {
		return err
	}
	if err := g.exchange(aarq, reply); err != nil {
		return fmt.Errorf("AARQ: %w", err)
	}
	if err := g.c.ParseAAREResponse(reply.Data); err != nil {
		return fmt.Errorf("AARE: %w", err)
	}
	if g.c.IsAuthenticationRequired() {
		req, err := g.c.GetApplicationAssociationRequest()
		if err != nil {
			return err
		}
		if err := g.exchange(req, reply); err != nil {
			return fmt.Errorf("HLS pass 3: %w", err)
		}
		if err := g.c.ParseApplicationAssociationResponse(reply.Data); err != nil {
			return fmt.Errorf("HLS pass 4: %w", err)
		}
	}
	return nil
}

func (g *gurux) release() error {
	reply := gx.NewGXReplyData()
	rlrq, err := g.c.ReleaseRequest()
	if err != nil {
		return err
	}
	if err := g.exchange(rlrq, reply); err != nil {
		return fmt.Errorf("RLRQ: %w", err)
	}
	if g.hdlc {
		disc, err := g.c.DisconnectRequest()
		if err != nil {
			return err
		}
		if err := g.packet(disc, reply); err != nil {
			return fmt.Errorf("DISC: %w", err)
		}
	}
	return nil
}

// objects reads the association view.
func (g *gurux) objects() (objects.GXDLMSObjectCollection, error) {
	req, err := g.c.GetObjectsRequest()
	if err != nil {
		return nil, err
	}
	reply := gx.NewGXReplyData()
	if err := g.exchange(req, reply); err != nil {
		return nil, fmt.Errorf("object list: %w", err)
	}
	return g.c.ParseObjects(reply.Data, false)
}

// read reads attribute index of obj into it.
func (g *gurux) read(obj objects.IGXDLMSBase, index int) (any, error) {
	req, err := g.c.Read(obj, index)
	if err != nil {
		return nil, err
	}
	reply := gx.NewGXReplyData()
	if err := g.exchange(req, reply); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", obj.Base().LogicalName(), index, err)
	}
	return g.c.UpdateValue(obj, index, reply.Value, nil)
}

// readRange reads a profile's rows between two times.
func (g *gurux) readRange(pg *objects.GXDLMSProfileGeneric, from, to time.Time) error {
	req, err := g.c.ReadRowsByRange2(pg, from, to)
	if err != nil {
		return err
	}
	reply := gx.NewGXReplyData()
	if err := g.exchange(req, reply); err != nil {
		return fmt.Errorf("range: %w", err)
	}
	_, err = g.c.UpdateValue(pg, 2, reply.Value, nil)
	return err
}

// logLevel shows the server's log with INTEROP_TRACE set, its warnings
// otherwise.
func logLevel() slog.Level {
	if os.Getenv("INTEROP_TRACE") != "" {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

var levels = []struct {
	name     string
	client   int
	auth     enums.Authentication
	password string
	objects  int // in the association view
}{
	{"none", 16, enums.AuthenticationNone, "", 5},
	{"lls", 32, enums.AuthenticationLow, "00000000", 12},
}

// TestGuruxReadsOurServer: Gurux's client, over the wrapper and over HDLC,
// with no security and with LLS, reads the association view, the clock,
// registers with their scaler-units, and (LLS) a profile with block
// transfer, whole and by range.
func TestGuruxReadsOurServer(t *testing.T) {
	for _, hdlc := range []bool{false, true} {
		var blocks atomic.Int64
		addr := startServer(t, hdlc, &blocks)
		for _, lv := range levels {
			t.Run(map[bool]string{false: "wrapper/", true: "hdlc/"}[hdlc]+lv.name, func(t *testing.T) {
				g := dialGurux(t, addr, hdlc, lv.client, lv.auth, lv.password)
				if err := g.c.SetMaxReceivePDUSize(256); err != nil { // small, to make the server send blocks
					t.Fatal(err)
				}
				if err := g.connect(); err != nil {
					t.Fatal(err)
				}
				objs, err := g.objects()
				if err != nil {
					t.Fatal(err)
				}
				if len(objs) != lv.objects {
					t.Errorf("%d objects in the view, want %d", len(objs), lv.objects)
				}
				checkClock(t, g, objs)
				if lv.auth == enums.AuthenticationLow {
					checkRegisters(t, g, objs)
					before := blocks.Load()
					checkProfile(t, g, objs)
					// 300 rows of about 30 bytes in 256-byte APDUs.
					if n := blocks.Load() - before; n < 20 {
						t.Errorf("profile read in %d blocks, want block transfer", n)
					}
				}
				if err := g.release(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func checkClock(t *testing.T, g *gurux, objs objects.GXDLMSObjectCollection) {
	t.Helper()
	clock, ok := objs.FindByLN(enums.ObjectTypeClock, "0.0.1.0.0.255").(*objects.GXDLMSClock)
	if !ok {
		t.Fatal("no clock in the view")
	}
	if _, err := g.read(clock, 2); err != nil {
		t.Fatal(err)
	}
	if !clock.Time.Value.Equal(meterTime) {
		t.Errorf("clock %v, want %v", clock.Time.Value, meterTime)
	}
	if got := clock.Base().GetAccess(2); got != enums.AccessModeRead {
		t.Errorf("clock time access %v, want read-only", got)
	}
}

func checkRegisters(t *testing.T, g *gurux, objs objects.GXDLMSObjectCollection) {
	t.Helper()
	for _, want := range []struct {
		ln    string
		value float64
		unit  enums.Unit
	}{
		{"1.0.1.8.0.255", cosemtest.EnergyImportWh, enums.UnitActiveEnergy},
		{"1.0.32.7.0.255", 230.1, enums.UnitVoltage},
		{"1.0.31.7.0.255", 5.23, enums.UnitCurrent},
		{"1.0.14.7.0.255", 50, enums.UnitFrequency},
	} {
		reg, ok := objs.FindByLN(enums.ObjectTypeRegister, want.ln).(*objects.GXDLMSRegister)
		if !ok {
			t.Errorf("no register %s in the view", want.ln)
			continue
		}
		for _, index := range []int{3, 2} { // scaler-unit first, so the value is scaled
			if _, err := g.read(reg, index); err != nil {
				t.Fatal(err)
			}
		}
		v, err := number(reg.Value)
		if err != nil || math.Abs(v-want.value) > 1e-9 || reg.Unit != want.unit {
			t.Errorf("%s = %v %v (%v), want %v %v", want.ln, reg.Value, reg.Unit, err, want.value, want.unit)
		}
		// The reader's rights, as Gurux reads them from the object list.
		if a, m := reg.Base().GetAccess(2), reg.Base().GetMethodAccess(1); a != enums.AccessModeRead || m != enums.MethodAccessModeNoAccess {
			t.Errorf("%s: value access %v, reset access %v; want read-only, no access", want.ln, a, m)
		}
	}
}

func checkProfile(t *testing.T, g *gurux, objs objects.GXDLMSObjectCollection) {
	t.Helper()
	pg, ok := objs.FindByLN(enums.ObjectTypeProfileGeneric, "1.0.99.1.0.255").(*objects.GXDLMSProfileGeneric)
	if !ok {
		t.Fatal("no load profile in the view")
	}
	if _, err := g.read(pg, 3); err != nil {
		t.Fatal(err)
	}
	if len(pg.CaptureObjects) != 3 {
		t.Fatalf("%d capture objects, want 3", len(pg.CaptureObjects))
	}
	if _, err := g.read(pg, 2); err != nil {
		t.Fatal(err)
	}
	checkBuffer(t, pg.Buffer, 0, 300)
	from := cosemtest.ProfileStart.Add(10 * cosemtest.ProfilePeriod)
	to := cosemtest.ProfileStart.Add(29 * cosemtest.ProfilePeriod)
	if err := g.readRange(pg, from, to); err != nil {
		t.Fatal(err)
	}
	checkBuffer(t, pg.Buffer, 10, 20)
}

func checkBuffer(t *testing.T, rows [][]any, first, n int) {
	t.Helper()
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for k, row := range rows {
		i := first + k
		when, ok := row[0].(types.GXDateTime)
		imp, err1 := number(row[1])
		exp, err2 := number(row[2])
		if !ok || !when.Value.Equal(cosemtest.ProfileStart.Add(time.Duration(i)*cosemtest.ProfilePeriod)) ||
			err1 != nil || err2 != nil || imp != float64(cosemtest.ProfileImport(i)) || exp != float64(cosemtest.ProfileExport(i)) {
			t.Fatalf("row %d: %#v", i, row)
		}
	}
}

// number reads the numeric types Gurux gives values in.
func number(v any) (float64, error) {
	switch x := v.(type) {
	case uint8:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, errors.New("not a number")
}

func newReply() *gx.GXReplyData { return gx.NewGXReplyData() }
