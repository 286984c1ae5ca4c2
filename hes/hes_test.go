package hes

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/hes/hestest"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// The synctest bubble's clock starts at 2000-01-01 00:00 UTC.
var bubbleStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func TestBackfillAfterOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, rigOptions{meters: 3, start: bubbleStart, cfg: Config{
			InitialBackfill: time.Hour,
			Schedules:       []Schedule{{Name: "profile", Spec: "*/15 * * * *", Kind: ReadProfile, Jitter: 5 * time.Minute}},
		}})
		defer r.close()
		// Meter 2 is unreachable from 02:00 to 05:10: reads fail (and are
		// retried, and fail again) for three hours.
		time.AfterFunc(2*time.Hour, func() { r.fleet.SetOffline(r.addrs[1], true) })
		time.AfterFunc(5*time.Hour+10*time.Minute, func() { r.fleet.SetOffline(r.addrs[1], false) })
		time.Sleep(8 * time.Hour)
		synctest.Wait()

		got := map[store.MeterID][]int64{}
		for _, rd := range r.rec.readings(t) {
			if rd.Channel == store.ActiveImport {
				got[rd.Meter] = append(got[rd.Meter], rd.Time)
				k := int(time.UnixMilli(rd.Time).Sub(bubbleStart) / hestest.ProfilePeriod)
				if rd.Value != int64(hestest.ProfileImport(k)) {
					t.Errorf("meter %d at %v: %d Wh, want %d", rd.Meter, time.UnixMilli(rd.Time).UTC(), rd.Value, hestest.ProfileImport(k))
				}
			}
		}
		for id := store.MeterID(1); id <= 3; id++ {
			ts := got[id]
			slices.Sort(ts)
			// Every interval from the first read's backfill (entries of
			// the last hour before 00:15 + jitter: 00:00 on) to the last
			// read, once.
			if len(ts) == 0 || ts[0] != bubbleStart.UnixMilli() {
				t.Fatalf("meter %d: first entry %v", id, ts)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i]-ts[i-1] != hestest.ProfilePeriod.Milliseconds() {
					t.Errorf("meter %d: %v then %v", id, time.UnixMilli(ts[i-1]).UTC(), time.UnixMilli(ts[i]).UTC())
				}
			}
			// The last read (07:45 + jitter) sees the 07:45 entry.
			if last := time.UnixMilli(ts[len(ts)-1]).UTC(); !last.Equal(bubbleStart.Add(7*time.Hour + 45*time.Minute)) {
				t.Errorf("meter %d: last entry %v", id, last)
			}
		}
		// The outage shows as failed scheduled jobs' meter counts, not as
		// missing data.
		jobs, _ := r.h.Jobs(context.Background(), JobFilter{Kind: ReadProfile})
		var failed int
		for _, j := range jobs {
			var g GroupResult
			json.Unmarshal(j.Result, &g)
			failed += g.Failed["unreachable"]
		}
		if failed < 10 {
			t.Errorf("%d unreachable reads recorded during a 3-hour outage", failed)
		}
	})
}

func TestDisconnectEndToEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, rigOptions{meters: 1})
		defer r.close()
		j := r.run(Request{Kind: Disconnect, Meter: "00000001", Actor: "alice"})
		var res SupplyResult
		if err := json.Unmarshal(j.Result, &res); err != nil || j.State != meta.JobDone || res != (SupplyResult{Output: false, State: "disconnected"}) {
			t.Fatalf("disconnect job %+v: %s", j, j.Result)
		}
		if r.meters[0].Connected() {
			t.Errorf("the meter is still connected")
		}
		j = r.run(Request{Kind: Reconnect, Meter: "00000001", Actor: "alice"})
		if json.Unmarshal(j.Result, &res); j.State != meta.JobDone || res.State != "connected" || !r.meters[0].Connected() {
			t.Errorf("reconnect job %+v: %s", j, j.Result)
		}
		log, _ := r.db.AuditLog(context.Background(), meta.AuditFilter{})
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Actor+" "+e.Action+" "+e.Target)
		}
		want := []string{"alice job.submit.disconnect 00000001", "hes:hes job.done.disconnect 00000001",
			"alice job.submit.reconnect 00000001", "hes:hes job.done.reconnect 00000001"}
		if !slices.Equal(actions[len(actions)-4:], want) {
			t.Errorf("audit log %q", actions)
		}
	})
}

func TestWrongKeyMeterReportedNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, rigOptions{meters: 2, wrongKeys: map[int]bool{1: true}})
		defer r.close()
		start := time.Now()
		j := r.run(Request{Kind: ReadRegisters, Meter: "00000002"})
		var f failure
		json.Unmarshal(j.Result, &f)
		if j.State != meta.JobFailed || f.Reason != "wrong-key" {
			t.Fatalf("job %+v: %s", j, j.Result)
		}
		if d := r.fleet.Dials(r.addrs[1]); d != 3 {
			t.Errorf("%d dials, want 3 (association, counter read, association)", d)
		}
		if waited := time.Since(start); waited > 2*time.Second {
			t.Errorf("gave up after %v: it backed off and retried", waited)
		}
		alarms, _ := r.db.Alarms(context.Background(), meta.AlarmFilter{Meter: 2})
		if len(alarms) != 1 || alarms[0].Kind != "wrong-key" || alarms[0].Severity != "critical" {
			t.Errorf("alarms %+v", alarms)
		}
		// The other meter reads fine.
		if j := r.run(Request{Kind: ReadRegisters, Meter: "00000001"}); j.State != meta.JobDone {
			t.Errorf("good meter: %s", j.Result)
		}
	})
}

func TestFirmwareCampaignHaltsAtThreshold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, rigOptions{meters: 10, group: "pilot", cfg: Config{ImageDir: t.TempDir()}})
		defer r.close()
		for _, i := range []int{2, 3, 4} { // meters 3, 4, 5
			r.meters[i].FailImageVerify(true)
		}
		image := []byte(strings.Repeat("amigo firmware 1.1.0 ", 100)) // 2 100 bytes: 9 blocks of 256
		params, _ := json.Marshal(FirmwareParams{Image: image, Identifier: "amigo-mgmt 1.1.0", WaveSize: 2, FailureThreshold: 0.2})
		j := r.run(Request{Kind: FirmwareCampaign, Group: "pilot", Params: params, Actor: "ops"})
		var f struct {
			Error  string         `json:"error"`
			Result CampaignResult `json:"result"`
		}
		if err := json.Unmarshal(j.Result, &f); err != nil {
			t.Fatal(err)
		}
		res := f.Result
		// Wave 1 (meters 1, 2) succeeds; wave 2 (3, 4) fails both: 2 of 4
		// tried, 50 % > 20 %: halted with 6 left.
		if j.State != meta.JobFailed || !res.Halted || res.Waves != 2 || res.Remaining != 6 ||
			!slices.Equal(res.Upgraded, []string{"00000001", "00000002"}) || len(res.Failed) != 2 {
			t.Fatalf("campaign %+v (%s)", res, f.Error)
		}
		for i, m := range r.meters {
			want := "amigo-mgmt 1.0.0"
			if i < 2 {
				want = "amigo-mgmt 1.1.0"
			}
			if m.Firmware() != want {
				t.Errorf("meter %d runs %q, want %q", i+1, m.Firmware(), want)
			}
			if reg, _ := r.h.Registry().BySerial(m.Serial()); reg.Firmware != want {
				t.Errorf("registry says meter %d runs %q, want %q", i+1, reg.Firmware, want)
			}
		}
		if n := r.meters[5].ImageBlocks(); n != 0 {
			t.Errorf("meter 6 (after the halt) got %d blocks", n)
		}
		if n := r.meters[0].ImageBlocks(); n != 9 {
			t.Errorf("meter 1 got %d blocks, want 9", n)
		}
		// Fixed, the campaign runs again, the image from the image
		// directory, and skips the upgraded meters.
		for _, i := range []int{2, 3, 4} {
			r.meters[i].FailImageVerify(false)
		}
		if err := os.WriteFile(filepath.Join(r.h.cfg.ImageDir, "amigo-mgmt 1.1.0"), image, 0o600); err != nil {
			t.Fatal(err)
		}
		params, _ = json.Marshal(FirmwareParams{Identifier: "amigo-mgmt 1.1.0", WaveSize: 4})
		j = r.run(Request{Kind: FirmwareCampaign, Group: "pilot", Params: params, Actor: "ops"})
		var done CampaignResult
		json.Unmarshal(j.Result, &done)
		if j.State != meta.JobDone || len(done.Upgraded) != 8 || len(done.Skipped) != 2 || done.Halted || done.Waves != 2 {
			t.Errorf("second campaign %+v: %s", done, j.Result)
		}
		if j.Progress != (Progress{Total: 8, Done: 8, Note: "wave 2"}) || j.Progress.Fraction() != 1 {
			t.Errorf("progress %+v", j.Progress)
		}
	})
}

func TestKeyRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, rigOptions{meters: 2})
		defer r.close()
		j := r.run(Request{Kind: RotateKeys, Meter: "00000001", Actor: "secops"})
		var res KeyResult
		if err := json.Unmarshal(j.Result, &res); err != nil || j.State != meta.JobDone || !strings.HasPrefix(res.KeySet, "00000001@") {
			t.Fatalf("rotation %+v: %s", j, j.Result)
		}
		ek := r.meters[0].Key(cosem.KeyGlobalUnicast)
		if string(ek) == string(cosemtest.DemoEncryptionKey) || len(ek) != 16 {
			t.Errorf("the meter kept the demo key")
		}
		m, _ := r.h.Registry().BySerial("00000001")
		keys, _ := r.h.Registry().Keys(context.Background(), m.KeysRef)
		if m.KeysRef != res.KeySet || string(keys.EK) != string(ek) || string(keys.AK) != string(r.meters[0].Key(cosem.KeyAuthentication)) {
			t.Errorf("registry key set %q does not hold the meter's new keys", m.KeysRef)
		}
		// Both meters read with their keys; the other still has the demo keys.
		for _, serial := range []string{"00000001", "00000002"} {
			if j := r.run(Request{Kind: ReadRegisters, Meter: serial}); j.State != meta.JobDone {
				t.Errorf("read of %s after the rotation: %s", serial, j.Result)
			}
		}
		if string(r.meters[1].Key(cosem.KeyGlobalUnicast)) != string(cosemtest.DemoEncryptionKey) {
			t.Errorf("meter 2's keys changed")
		}
		// The audit names the key set and kinds, never the material.
		log, _ := r.db.AuditLog(context.Background(), meta.AuditFilter{})
		for _, e := range log {
			if strings.Contains(string(e.Detail), string(ek)) {
				t.Errorf("audit entry %s holds key material", e.Action)
			}
		}
	})
}

func TestDemandResponseReportsWhoConfirmed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, rigOptions{meters: 3})
		defer r.close()
		r.fleet.SetOffline(r.addrs[2], true)
		params, _ := json.Marshal(DemandParams{LimitW: 2500})
		j := r.run(Request{Kind: DemandResponse, Group: "feeder-1", Params: params})
		var res DemandResult
		json.Unmarshal(j.Result, &res)
		if j.State != meta.JobDone || !slices.Equal(res.Confirmed, []string{"00000001", "00000002"}) || !strings.HasPrefix(res.Failed["00000003"], "unreachable") {
			t.Fatalf("demand response %+v: %s", res, j.Result)
		}
		want := []byte{5, 0, 0, 0x09, 0xC4} // double-long 2500
		if got := r.meters[0].LimiterThreshold(); string(got) != string(want) {
			t.Errorf("meter 1 threshold % X", got)
		}
	})
}

func TestCreditClockAndPushSetup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, rigOptions{meters: 1})
		defer r.close()
		j := r.run(Request{Kind: CreditTopUp, Meter: "00000001", Params: json.RawMessage(`{"amount": 500}`)})
		if j.State != meta.JobDone || string(j.Result) != `{"credit":500}` || r.meters[0].CreditAmount() != 500 {
			t.Errorf("credit: %s", j.Result)
		}
		j = r.run(Request{Kind: ClockSync, Meter: "00000001", Params: json.RawMessage(`{"max_drift": "1s"}`)})
		if j.State != meta.JobDone || string(j.Result) != `{"drift_ms":0,"set":false}` {
			t.Errorf("clock sync of an exact clock: %s", j.Result)
		}
		j = r.run(Request{Kind: SetPush, Meter: "00000001", Params: json.RawMessage(`{"destination": "hes:4060"}`)})
		if j.State != meta.JobDone || !strings.Contains(string(r.meters[0].PushSetup(3)), "hes:4060") {
			t.Errorf("push setup: %s", j.Result)
		}
		if _, err := r.h.Submit(context.Background(), Request{Kind: CreditTopUp, Meter: "nosuch"}); !errors.Is(err, ErrBadRequest) {
			t.Errorf("unknown meter: %v", err)
		}
		if _, err := r.h.Submit(context.Background(), Request{Kind: "reboot", Meter: "00000001"}); !errors.Is(err, ErrBadRequest) {
			t.Errorf("unknown kind: %v", err)
		}
	})
}
