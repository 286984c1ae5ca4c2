package bus

import (
	"errors"
	"testing"
)

func TestMeterToken(t *testing.T) {
	cases := []struct{ meter, token string }{
		{"AMG0000001234", "AMG0000001234"},
		{"lgz_e450-07", "lgz_e450-07"},
		{"LGZ.1/2", "LGZ=2E1=2F2"},
		{"a b", "a=20b"},
		{"*", "=2A"},
		{">", "=3E"},
		{"=", "=3D"},
		{"é", "=C3=A9"},
		{"\x00", "=00"},
	}
	for _, c := range cases {
		if got := MeterToken(c.meter); got != c.token {
			t.Errorf("MeterToken(%q) = %q, want %q", c.meter, got, c.token)
		}
		back, err := ParseMeterToken(c.token)
		if err != nil || back != c.meter {
			t.Errorf("ParseMeterToken(%q) = %q, %v; want %q", c.token, back, err, c.meter)
		}
	}
}

func TestParseMeterTokenRejects(t *testing.T) {
	for _, tok := range []string{
		"",       // no meter has the empty token
		"a.b",    // two tokens
		"a*",     // wildcard
		"=2e",    // lower-case hex: not what MeterToken writes
		"=41",    // 'A' needs no escape
		"=4",     // truncated escape
		"=",      // bare escape
		"ab=G0",  // not hex
		"x\x00y", // raw control byte
	} {
		if m, err := ParseMeterToken(tok); !errors.Is(err, ErrBadToken) {
			t.Errorf("ParseMeterToken(%q) = %q, %v; want ErrBadToken", tok, m, err)
		}
	}
}

func TestSubjects(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{ReadingsSubject("M1"), "amigo.readings.M1"},
		{EventsSubject("M.1"), "amigo.events.M=2E1"},
		{CommandsSubject("M1"), "amigo.commands.M1"},
		{JobsSubject("M1"), "amigo.jobs.M1"},
		{DeadSubject(StreamReadings, "mdm"), "amigo.dead.READINGS.mdm"},
		{ReadingsBatchSubject("hes-1"), "amigo.readings.batch.hes-1"},
		{EventsBatchSubject("hes.1"), "amigo.events.batch.hes=2E1"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("subject %q, want %q", c.got, c.want)
		}
	}
	for _, s := range []string{"amigo.readings.M=2E1", "amigo.events.M=2E1", "amigo.commands.M=2E1", "amigo.jobs.M=2E1"} {
		if m, err := MeterFromSubject(s); err != nil || m != "M.1" {
			t.Errorf("MeterFromSubject(%q) = %q, %v; want M.1", s, m, err)
		}
	}
	for _, s := range []string{ReadingsBatchSubject("hes-1"), EventsBatchSubject("hes-1")} {
		if !IsBatchSubject(s) {
			t.Errorf("IsBatchSubject(%q) = false", s)
		}
		if _, err := MeterFromSubject(s); !errors.Is(err, ErrBadToken) {
			t.Errorf("MeterFromSubject(%q) took a batch subject for a meter's", s)
		}
	}
	if IsBatchSubject(ReadingsSubject("batch")) {
		t.Errorf("the readings of meter \"batch\" look like a batch")
	}
	for _, s := range []string{"amigo.readings.", "amigo.readings.a.b", "amigo.dead.READINGS.mdm", "other.readings.M1"} {
		if m, err := MeterFromSubject(s); !errors.Is(err, ErrBadToken) {
			t.Errorf("MeterFromSubject(%q) = %q, %v; want ErrBadToken", s, m, err)
		}
	}
}

func TestCheckPublishSubject(t *testing.T) {
	for _, s := range []string{"amigo.readings.M1", "a", "amigo.readings.=2A"} {
		if err := checkPublishSubject(s); err != nil {
			t.Errorf("checkPublishSubject(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range []string{"", ReadingsSubject(""), ".a", "a..b", "amigo.readings.*", "amigo.>", "a b", "a\tb"} {
		if err := checkPublishSubject(s); !errors.Is(err, ErrBadSubject) {
			t.Errorf("checkPublishSubject(%q) = %v, want ErrBadSubject", s, err)
		}
	}
}

// FuzzParseMeterToken: any string either is refused or is the one token of
// the meter it decodes to; and every meter's token decodes back to it.
// Seeds: testdata/fuzz/FuzzParseMeterToken.
func FuzzParseMeterToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParseMeterToken(s); err == nil {
			if tok := MeterToken(m); tok != s {
				t.Fatalf("ParseMeterToken(%q) = %q, whose token is %q", s, m, tok)
			}
		}
		tok := MeterToken(s)
		if s == "" {
			return
		}
		if m, err := ParseMeterToken(tok); err != nil || m != s {
			t.Fatalf("ParseMeterToken(MeterToken(%q) = %q) = %q, %v", s, tok, m, err)
		}
		if err := checkPublishSubject(ReadingsSubject(s)); err != nil {
			t.Fatalf("ReadingsSubject(%q): %v", s, err)
		}
	})
}
