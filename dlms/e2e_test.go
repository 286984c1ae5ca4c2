package dlms_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
)

var levels = []struct {
	name string
	sap  uint16
}{{"public", cosemtest.Public}, {"reader-lls", cosemtest.Reader}, {"management-hls-gmac", cosemtest.Management}}

var currentAssociationList = cosem.Ref{Class: cosem.ClassAssociationLN, Name: cosem.CurrentAssociation, ID: 2}

// TestEveryLevelReadsItsAssociationView associates as each client of
// ARCHITECTURE §4, reads the association view, then every attribute of
// every object in it: readable ones must read, the others must be refused
// with read-write-denied.
func TestEveryLevelReadsItsAssociationView(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(lv.sap)
			entries, err := c.ObjectList(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[uint16]int{cosemtest.Public: 5, cosemtest.Reader: 12, cosemtest.Management: 14}[lv.sap]
			if len(entries) != want {
				t.Fatalf("%d objects in the view, want %d", len(entries), want)
			}
			if entries[0].Name != cosem.CurrentAssociation {
				t.Errorf("first object %v, want the current association", entries[0].ObjectID)
			}
			reads, denials := 0, 0
			for _, en := range entries {
				for i := range cosem.LookupClass(en.Class).Attributes {
					mode := en.Rights.Attribute(int8(i + 1)).Access
					ref := cosem.Ref{Class: en.Class, Name: en.Name, ID: int8(i + 1)}
					_, err := c.Get(e.ctx, ref, nil)
					switch {
					case mode.CanRead(lv.sap == cosemtest.Management) && err != nil:
						t.Errorf("%s (%s): %v", ref, mode, err)
					case !mode.CanRead(lv.sap == cosemtest.Management) && dataAccess(err) != int(apdu.ReadWriteDenied):
						t.Errorf("%s (%s): %v, want read-write-denied", ref, mode, err)
					case err == nil:
						reads++
					default:
						denials++
					}
				}
			}
			if reads == 0 || denials == 0 {
				t.Errorf("%d reads, %d denials: both kinds should occur (the secret is never readable)", reads, denials)
			}
			if err := c.Release(e.ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(e.ctx, currentAssociationList, nil); !errors.Is(err, dlms.ErrNotAssociated) {
				t.Errorf("GET after release: %v", err)
			}
		})
	}
}

func TestRegistersAndClockValues(t *testing.T) {
	e := newEnv(t)
	c := e.client(cosemtest.Reader)
	for _, tc := range []struct {
		ref  cosem.Ref
		want string
	}{
		{cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}, "double-long-unsigned 12345"},
		{cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.VoltageL1, ID: 3}, "structure[2]\n├── integer -1\n└── enum 35"},
		{cosem.Ref{Class: cosem.ClassClock, Name: cosemtest.Clock, ID: 2}, "octet-string[12] 07E8031F070C000000000000"},
		{cosem.Ref{Class: cosem.ClassData, Name: cosemtest.SerialNumber, ID: 2}, `visible-string "00000001"`},
	} {
		v, err := c.Get(e.ctx, tc.ref, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.ref, err)
		}
		if got := axdr.Format(v); got != tc.want+"\n" {
			t.Errorf("%s = %q, want %q", tc.ref, got, tc.want)
		}
	}
	res, err := c.GetWithList(e.ctx, []dlms.AttributeRequest{
		{Ref: cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyExport, ID: 2}},
		{Ref: cosem.Ref{Class: cosem.ClassRegister, Name: cosem.MustOBIS("1.0.99.99.0.255"), ID: 2}},
		{Ref: cosem.Ref{Class: cosem.ClassData, Name: cosemtest.LogicalDeviceName, ID: 2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := res[0].Value[0].Uint(); v != cosemtest.EnergyExportWh || res[0].Err != nil {
		t.Errorf("export = %v, %v", res[0].Value, res[0].Err)
	}
	if dataAccess(res[1].Err) != int(apdu.ObjectUndefined) {
		t.Errorf("undefined object: %v", res[1].Err)
	}
	if string(res[2].Value[0].Bytes) != cosemtest.LogicalDeviceNameValue {
		t.Errorf("logical device name %q", res[2].Value[0].Bytes)
	}
}

// TestAccessRefusals checks the DLMS error of each kind of refusal.
func TestAccessRefusals(t *testing.T) {
	e := newEnv(t)
	public, reader, mgmt := e.client(cosemtest.Public), e.client(cosemtest.Reader), e.client(cosemtest.Management)
	energy := cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}
	for _, tc := range []struct {
		name string
		err  error
		want apdu.DataAccessResult
	}{
		{"public reads a register", first(public.Get(e.ctx, energy, nil)), apdu.ObjectUndefined},
		{"reader writes a register", reader.Set(e.ctx, energy, []axdr.Value{axdr.Uint32(1)}), apdu.ReadWriteDenied},
		{"wrong class", first(reader.Get(e.ctx, cosem.Ref{Class: cosem.ClassData, Name: cosemtest.EnergyImport, ID: 2}, nil)), apdu.ObjectClassInconsistent},
		{"no such attribute", first(reader.Get(e.ctx, cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 9}, nil)), apdu.ObjectUndefined},
		{"selector on a register", first(reader.Get(e.ctx, energy, cosemtest.EntrySelector(1, 1))), apdu.ScopeOfAccessViolated},
		{"management writes the wrong type", mgmt.Set(e.ctx, energy, []axdr.Value{axdr.Uint16(1)}), apdu.TypeUnmatched},
		{"clock method not implemented", first(mgmt.Action(e.ctx, cosem.Ref{Class: cosem.ClassClock, Name: cosemtest.Clock, ID: 4}, []axdr.Value{axdr.Int8(0)})), apdu.ObjectUnavailable},
	} {
		var ae dlms.AccessError
		var ac dlms.ActionError
		switch {
		case errors.As(tc.err, &ae) && ae.Result == tc.want:
		case errors.As(tc.err, &ac) && apdu.DataAccessResult(ac.Result) == tc.want:
		default:
			t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.want)
		}
	}
	if err := mgmt.Set(e.ctx, energy, []axdr.Value{axdr.Uint32(777)}); err != nil {
		t.Fatal(err)
	}
	if v, err := reader.Get(e.ctx, energy, nil); err != nil || axdr.Format(v) != "double-long-unsigned 777\n" {
		t.Errorf("after SET: %v, %v", v, err)
	}
}

func first[T any](_ T, err error) error { return err }

func TestWrongSecretsAreRefusedWithTheirDiagnostic(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		sap  uint16
		edit func(*dlms.ClientConfig)
		diag uint8
	}{
		{"wrong LLS password", cosemtest.Reader, func(c *dlms.ClientConfig) { c.Password = []byte("00000001") }, apdu.DiagAuthenticationFailure},
		{"reader without a password", cosemtest.Reader, func(c *dlms.ClientConfig) { c.Mechanism, c.Password = apdu.MechanismLowest, nil }, apdu.DiagAuthenticationRequired},
		{"wrong HLS encryption key", cosemtest.Management, func(c *dlms.ClientConfig) { c.EncryptionKey = bytes.Repeat([]byte{7}, 16) }, apdu.DiagAuthenticationFailure},
		{"wrong HLS authentication key", cosemtest.Management, func(c *dlms.ClientConfig) { c.AuthenticationKey = bytes.Repeat([]byte{7}, 16) }, apdu.DiagAuthenticationFailure},
		{"public asks for LLS", cosemtest.Public, func(c *dlms.ClientConfig) { c.Mechanism, c.Password = apdu.MechanismLow, []byte("x") }, apdu.DiagMechanismNotRecognised},
		{"management without ciphering", cosemtest.Management, func(c *dlms.ClientConfig) { c.Mechanism = apdu.MechanismLow; c.Password = []byte("x") }, apdu.DiagContextNotSupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := e.dial(tc.sap, tc.edit)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Associate(e.ctx)
			var ae *dlms.AssociationError
			if !errors.As(err, &ae) || ae.Result != apdu.RejectedPermanent || ae.Diagnostic != tc.diag {
				t.Fatalf("Associate: %v, want rejected-permanent with diagnostic %d", err, tc.diag)
			}
		})
	}
	if s := e.srv.Stats(); s.AssociationsRejected != 6 || s.Associations != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestProfileReadInBlocks(t *testing.T) {
	for _, lv := range levels[1:] {
		t.Run(lv.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(lv.sap, func(c *dlms.ClientConfig) { c.MaxPDU = 128 })
			buffer := cosem.Ref{Class: cosem.ClassProfileGeneric, Name: cosemtest.LoadProfile, ID: 2}
			v, err := c.Get(e.ctx, buffer, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, v, 0, 300)
			// Range: rows 10…19 (02:30…04:45).
			from := cosemtest.ProfileStart.Add(10 * cosemtest.ProfilePeriod)
			to := cosemtest.ProfileStart.Add(19 * cosemtest.ProfilePeriod)
			v, err = c.Get(e.ctx, buffer, cosemtest.RangeSelector(from, to))
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, v, 10, 10)
			v, err = c.Get(e.ctx, buffer, cosemtest.EntrySelector(295, 0))
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, v, 294, 6)
		})
	}
}

// checkRows checks that v is the profile rows first…first+n-1.
func checkRows(t *testing.T, v []axdr.Value, first, n int) {
	t.Helper()
	if len(v) == 0 || v[0].Tag != axdr.TagArray || v[0].N != n {
		t.Fatalf("buffer %s, want array of %d", v[0], n)
	}
	for r, k := 1, 0; k < n; r, k = axdr.Next(v, r), k+1 {
		i := first + k
		at, err := v[r+1].DateTime()
		if err != nil {
			t.Fatal(err)
		}
		when, _ := at.TimeIn(nil)
		imp, _ := v[r+2].Uint()
		exp, _ := v[r+3].Uint()
		if !when.Equal(cosemtest.ProfileStart.Add(time.Duration(i)*cosemtest.ProfilePeriod)) || imp != uint64(cosemtest.ProfileImport(i)) || exp != uint64(cosemtest.ProfileExport(i)) {
			t.Fatalf("row %d: %v %d %d", i, when, imp, exp)
		}
	}
}

func TestLongSetAndActionInBlocks(t *testing.T) {
	e := newEnv(t, func(c *dlms.ServerConfig) { c.MaxPDU = 128 })
	c := e.client(cosemtest.Management, func(c *dlms.ClientConfig) { c.MaxPDU = 128 })
	big := bytes.Repeat([]byte("0123456789abcdef"), 300) // 4800 bytes
	buffer := cosem.Ref{Class: cosem.ClassData, Name: cosemtest.Buffer, ID: 2}
	if err := c.Set(e.ctx, buffer, []axdr.Value{axdr.OctetString(big)}); err != nil {
		t.Fatal(err)
	}
	v, err := c.Get(e.ctx, buffer, nil)
	if err != nil || !bytes.Equal(v[0].Bytes, big) {
		t.Fatalf("read back %d bytes, %v", len(v[0].Bytes), err)
	}
	params := []axdr.Value{axdr.Structure(2), axdr.OctetString(big), axdr.VisibleString("end")}
	ret, err := c.Action(e.ctx, cosem.Ref{Class: cosem.ClassRegister, Name: echoName, ID: 1}, params)
	if err != nil {
		t.Fatal(err)
	}
	if !axdr.EqualTrees(ret, params) {
		t.Fatalf("echo returned %d values, want the parameters", len(ret))
	}
}

func TestInvocationCounterReplayAndResync(t *testing.T) {
	e := newEnv(t)
	var sent [][]byte
	c := e.client(cosemtest.Management, func(c *dlms.ClientConfig) {
		c.Trace = func(ev dlms.TraceEvent) {
			if ev.Sent {
				sent = append(sent, bytes.Clone(ev.Wire))
			}
		}
	})
	energy := cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}
	if _, err := c.Get(e.ctx, energy, nil); err != nil {
		t.Fatal(err)
	}
	last := e.srv.InvocationCounter(cosemtest.Management)
	if last == 0 {
		t.Fatal("server accepted no invocation counter")
	}

	// Replay the ciphered GET on a connection of its own.
	replayed := sent[len(sent)-1]
	end, _ := e.connect(cosemtest.Management)
	raw, err := dlms.NewClient(end, e.clientConfig(cosemtest.Management))
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Associate(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := end.WriteAPDU(e.ctx, replayed); err != nil {
		t.Fatal(err)
	}
	resp, err := end.ReadAPDU(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ex apdu.ExceptionResponse
	if err := ex.Decode(resp); err != nil || ex.ServiceError != apdu.ServiceInvocationCounterError {
		t.Fatalf("replay answered %X (%v), want invocation-counter-error", resp, err)
	}
	if s := e.srv.Stats(); s.Replays != 1 {
		t.Errorf("replays %d, want 1", s.Replays)
	}

	// A client that lost its counters reads the server's over the public
	// client and resumes above it.
	pub := e.client(cosemtest.Public)
	v, err := pub.Get(e.ctx, cosem.Ref{Class: cosem.ClassData, Name: cosemtest.InvocationCounter, ID: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ic, _ := v[0].Uint()
	if uint32(ic) != e.srv.InvocationCounter(cosemtest.Management) {
		t.Errorf("invocation counter object %d, server %d", ic, e.srv.InvocationCounter(cosemtest.Management))
	}
	lost := func(c *dlms.ClientConfig) { c.Counters = security.NewMemoryCounters() }
	fresh, err := e.dial(cosemtest.Management, lost)
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.ResumeInvocationCounter(uint32(ic)); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Associate(e.ctx); err != nil {
		t.Fatalf("after resync: %v", err)
	}
	if _, err := fresh.Get(e.ctx, energy, nil); err != nil {
		t.Fatal(err)
	}

	// One that does not resume is refused at association (its ciphered
	// InitiateRequest replays an old counter).
	stale, err := e.dial(cosemtest.Management, lost)
	if err != nil {
		t.Fatal(err)
	}
	var ae *dlms.AssociationError
	if err := stale.Associate(e.ctx); !errors.As(err, &ae) || ae.Diagnostic != apdu.DiagAuthenticationFailure {
		t.Errorf("stale counter: %v, want authentication-failure", err)
	}
}

// TestChangeSecrets: the LLS client changes its password through its
// association's secret attribute, and management transfers new keys with
// the security setup's key_transfer (RFC 3394 wrapped with the master key);
// each applies from the next association on.
func TestChangeSecrets(t *testing.T) {
	e := newEnv(t)
	reader := e.client(cosemtest.Reader)
	secret := cosem.Ref{Class: cosem.ClassAssociationLN, Name: cosem.CurrentAssociation, ID: 7}
	if err := reader.Set(e.ctx, secret, []axdr.Value{axdr.OctetString([]byte("n3w-s3cret"))}); err != nil {
		t.Fatal(err)
	}
	old, err := e.dial(cosemtest.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var ae *dlms.AssociationError
	if err := old.Associate(e.ctx); !errors.As(err, &ae) || ae.Diagnostic != apdu.DiagAuthenticationFailure {
		t.Errorf("old password: %v", err)
	}
	e.client(cosemtest.Reader, func(c *dlms.ClientConfig) { c.Password = []byte("n3w-s3cret") })

	mgmt := e.client(cosemtest.Management)
	newEK := bytes.Repeat([]byte{0x5A}, 16)
	newAK := bytes.Repeat([]byte{0xA5}, 16)
	param, err := cosem.AppendKeyTransfer(nil, demoKEK, map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: newEK, cosem.KeyAuthentication: newAK})
	if err != nil {
		t.Fatal(err)
	}
	vals, err := axdr.Decode(nil, param)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.Action(e.ctx, cosem.Ref{Class: cosem.ClassSecuritySetup, Name: cosemtest.SecuritySetup, ID: 2}, vals); err != nil {
		t.Fatal(err)
	}
	// The association that changed the keys goes on with the old ones.
	if _, err := mgmt.Get(e.ctx, cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}, nil); err != nil {
		t.Fatalf("same association after key_transfer: %v", err)
	}
	stale, _ := e.dial(cosemtest.Management)
	if err := stale.Associate(e.ctx); !errors.As(err, &ae) || ae.Diagnostic != apdu.DiagAuthenticationFailure {
		t.Errorf("old keys after key_transfer: %v", err)
	}
	fresh := e.client(cosemtest.Management, func(c *dlms.ClientConfig) { c.EncryptionKey, c.AuthenticationKey = newEK, newAK })
	if _, err := fresh.Get(e.ctx, cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}, nil); err != nil {
		t.Fatal(err)
	}
}
