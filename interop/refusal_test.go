package interop

import (
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/Gurux/gxdlms-go/enums"
	"github.com/Gurux/gxdlms-go/objects"
	"github.com/Gurux/gxdlms-go/types"
)

// TestGuruxSeesOurRefusals: a wrong LLS password and a write the reader
// may not make are refused in terms Gurux understands.
func TestGuruxSeesOurRefusals(t *testing.T) {
	var blocks atomic.Int64
	addr := startServer(t, false, &blocks)

	g := dialGurux(t, addr, false, 32, enums.AuthenticationLow, "wrong")
	if err := g.connect(); err == nil || !strings.Contains(err.Error(), "AuthenticationFailure") {
		t.Errorf("wrong password: %v, want the AARE's authentication-failure", err)
	}

	g = dialGurux(t, addr, false, 32, enums.AuthenticationLow, "00000000")
	if err := g.connect(); err != nil {
		t.Fatal(err)
	}
	objs, err := g.objects()
	if err != nil {
		t.Fatal(err)
	}
	clock := objs.FindByLN(enums.ObjectTypeClock, "0.0.1.0.0.255").(*objects.GXDLMSClock)
	if _, err := g.read(clock, 2); err != nil {
		t.Fatal(err)
	}
	req, err := g.c.Write(clock, 2)
	if err != nil {
		t.Fatal(err)
	}
	reply := newReply()
	err = g.exchange(req, reply)
	if err != nil || reply.Error != int(enums.ErrorCodeReadWriteDenied) {
		t.Errorf("reader writing the clock: %v, reply error %d; want read-write-denied", err, reply.Error)
	}

	// Two registers and their scaler-units in one get-with-list.
	imp := objs.FindByLN(enums.ObjectTypeRegister, "1.0.1.8.0.255").(*objects.GXDLMSRegister)
	volt := objs.FindByLN(enums.ObjectTypeRegister, "1.0.32.7.0.255").(*objects.GXDLMSRegister)
	list := []types.GXKeyValuePair[objects.IGXDLMSBase, int]{{Key: imp, Value: 3}, {Key: volt, Value: 3}, {Key: imp, Value: 2}, {Key: volt, Value: 2}}
	req, err = g.c.ReadList(list)
	if err != nil {
		t.Fatal(err)
	}
	var values []any
	for _, r := range req {
		reply := newReply()
		if err := g.exchange([][]byte{r}, reply); err != nil {
			t.Fatal(err)
		}
		values = append(values, reply.Value.([]any)...)
	}
	if err := g.c.UpdateValues(list, values); err != nil {
		t.Fatal(err)
	}
	if v, _ := number(imp.Value); v != 12345 || imp.Unit != enums.UnitActiveEnergy {
		t.Errorf("energy %v %v", imp.Value, imp.Unit)
	}
	if v, _ := number(volt.Value); math.Abs(v-230.1) > 1e-9 || volt.Unit != enums.UnitVoltage {
		t.Errorf("voltage %v %v", volt.Value, volt.Unit)
	}
	if err := g.release(); err != nil {
		t.Fatal(err)
	}
}
