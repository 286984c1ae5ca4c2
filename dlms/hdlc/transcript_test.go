package hdlc

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
)

var update = flag.Bool("update", false, "rewrite the transcripts under testdata/transcripts")

// checkTranscript compares a tap's transcript with its golden file.
func checkTranscript(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "transcripts", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it; review it like code)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s (go test -run %s -update rewrites it)\ngot:\n%s\nwant:\n%s", path, t.Name(), got, want)
	}
}

// scenario runs one client-server exchange through a tap in a synctest
// bubble (so timeouts take no wall time and the transcript's times are
// exact) and compares the transcript with testdata/transcripts/NAME.txt.
// The server echoes each APDU reversed; the client sends one APDU per size
// and closes.
func scenario(t *testing.T, name string, ccfg, scfg Config, fault func(dir string, n int, f Frame) fault, sizes ...int) Stats {
	t.Helper()
	var stats Stats
	synctest.Test(t, func(t *testing.T) {
		tp := &tap{fault: fault}
		cEnd, sEnd := tp.connect()
		server, err := NewServer(sEnd, scfg)
		if err != nil {
			t.Fatal(err)
		}
		done := echo(server)
		client, err := Connect(context.Background(), cEnd, ccfg)
		if err != nil {
			t.Fatal(err)
		}
		exchange(t, client, sizes...)
		if err := client.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("server ended with %v", err)
		}
		stats = client.Stats()
		checkTranscript(t, name, tp.transcript())
	})
	return stats
}

func TestTranscriptSegmentedWindows(t *testing.T) {
	// A 100-byte request is 103 bytes with the LLC header: four 32-byte
	// segments, sent as a window of three and a window of one. The
	// 100-byte response comes back the same way.
	cfg := Config{MaxInfoTransmit: 32, MaxInfoReceive: 32, WindowTransmit: 3, WindowReceive: 3}
	scenario(t, "segmented-windows", cfg, Config{WindowTransmit: 7, WindowReceive: 7}, nil, 100)
}

func TestTranscriptDefaultParameters(t *testing.T) {
	// Default parameters: SNRM without information field, as in the DLMS
	// UA example; one exchange in single frames.
	scenario(t, "default-parameters", Config{}, Config{}, nil, 10)
}

func TestTranscriptLostFinalSegment(t *testing.T) {
	cfg := Config{MaxInfoTransmit: 32, MaxInfoReceive: 32, WindowTransmit: 2, WindowReceive: 2}
	stats := scenario(t, "lost-final-segment", cfg, cfg, func(dir string, n int, f Frame) fault {
		if dir == "C→S" && n == 2 { // the last segment of the request
			return drop
		}
		return pass
	}, 40)
	if stats.Retransmissions != 1 || stats.Timeouts != 1 {
		t.Errorf("client stats %+v, want 1 retransmission after 1 timeout", stats)
	}
}

func TestTranscriptLostResponseFrame(t *testing.T) {
	cfg := Config{MaxInfoTransmit: 32, MaxInfoReceive: 32, WindowTransmit: 3, WindowReceive: 3}
	scenario(t, "lost-response-frame", cfg, cfg, func(dir string, n int, f Frame) fault {
		if dir == "S→C" && n == 2 { // the second frame of the response window
			return drop
		}
		return pass
	}, 80)
}

func TestTranscriptCorruptedFrames(t *testing.T) {
	cfg := Config{MaxInfoTransmit: 32, MaxInfoReceive: 32, WindowTransmit: 2, WindowReceive: 2}
	stats := scenario(t, "corrupted-frames", cfg, cfg, func(dir string, n int, f Frame) fault {
		if n == 2 {
			return corrupt
		}
		return pass
	}, 60)
	if stats.Invalid != 1 {
		t.Errorf("client dropped %d malformed frames, want the 1 corrupted on its way", stats.Invalid)
	}
}
