package clock

import (
	"testing"
	"testing/synctest"
	"time"
)

var t0 = time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)

func TestScaledRunsSpeedTimesFaster(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := New(t0, 60, nil)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(90 * time.Second)
		if got, want := c.Now(), t0.Add(90*time.Minute); !got.Equal(want) {
			t.Fatalf("after 90 s at 60×: %v, want %v", got, want)
		}
		if d := c.WallUntil(t0.Add(2 * time.Hour)); d != 30*time.Second {
			t.Fatalf("WallUntil two hours: %v, want 30 s", d)
		}
		got := <-c.After(15 * time.Minute)
		if want := t0.Add(105 * time.Minute); !got.Equal(want) {
			t.Fatalf("After 15 min fired at %v, want %v", got, want)
		}
		// Set jumps and the clock runs on from there.
		c.Set(t0.Add(24 * time.Hour))
		time.Sleep(time.Second)
		if got, want := c.Now(), t0.Add(24*time.Hour+time.Minute); !got.Equal(want) {
			t.Fatalf("after a jump: %v, want %v", got, want)
		}
		c.Set(t0) // backwards: ignored
		if c.Now().Before(t0.Add(24 * time.Hour)) {
			t.Fatal("clock went back")
		}
	})
}

func TestStoppedMovesOnlyWithSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := New(t0, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		ch := c.After(time.Hour)
		time.Sleep(10 * time.Hour)
		if !c.Now().Equal(t0) || c.WallUntil(t0.Add(time.Second)) != -1 {
			t.Fatalf("stopped clock moved to %v", c.Now())
		}
		c.Set(t0.Add(59 * time.Minute))
		select {
		case <-ch:
			t.Fatal("After fired early")
		default:
		}
		c.Set(t0.Add(61 * time.Minute))
		if got := <-ch; !got.Equal(t0.Add(61 * time.Minute)) {
			t.Fatalf("After fired with %v", got)
		}
	})
}

func TestBadSpeed(t *testing.T) {
	for _, s := range []float64{-1, 2e6} {
		if _, err := New(t0, s, nil); err == nil {
			t.Errorf("speed %v accepted", s)
		}
	}
}
