package device_test

import (
	"testing"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/objects"
)

// TestInvocationCounterObjectSurvivesRestart reads the invocation counter
// object (0.0.43.1.0.255) before and after a restart on the same state
// directory: it shows the last counter the meter accepted from the
// management client, not 0, so a client that lost its own counter can
// resynchronise with a restarted meter.
func TestInvocationCounterObjectSurvivesRestart(t *testing.T) {
	state := t.TempDir()
	r := startFile(t, config.Demo(), "constant:1000", state)
	if ic := getUint(t, r.client(objects.Public), cosem.ClassData, objects.InvocationCounterLN, 2); ic != 0 {
		t.Fatalf("counter object before any management association = %d, want 0", ic)
	}
	mgmt := r.client(objects.Management)
	getUint(t, mgmt, cosem.ClassClock, [6]byte{0, 0, 1, 0, 0, 255}, 3)
	getUint(t, mgmt, cosem.ClassClock, [6]byte{0, 0, 1, 0, 0, 255}, 3)
	// The object shows the last counter the client sent (the one before
	// its next).
	send, _ := mgmt.CounterKeys()
	next, err := r.counters.Next(send)
	if err != nil {
		t.Fatal(err)
	}
	want := uint64(next - 1)
	if got := getUint(t, r.client(objects.Public), cosem.ClassData, objects.InvocationCounterLN, 2); got != want || want < 3 {
		t.Fatalf("counter object = %d, want %d (the client's last, after at least three ciphered APDUs)", got, want)
	}
	r.stop()

	r2 := startFile(t, config.Demo(), "constant:1000", state)
	if got := getUint(t, r2.client(objects.Public), cosem.ClassData, objects.InvocationCounterLN, 2); got != want {
		t.Errorf("counter object after restart = %d, want %d", got, want)
	}
}
