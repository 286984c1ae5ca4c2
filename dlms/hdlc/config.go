package hdlc

import (
	"fmt"
	"log/slog"
	"time"
)

// Config configures one end of an HDLC connection. The zero value is a
// public client of server 1 (or a server with logical device 1 that takes
// any client) with the standard's default parameters.
type Config struct {
	// Client is the client's SAP: 16 public, 32 reader, 1 management. A
	// client sends from it and 0 means 16. A server accepts SNRM from any
	// client when it is 0, only from this one otherwise.
	Client uint8
	// Server is the server's address: the client's destination, or the
	// server's own. Upper 0 means 1, the management logical device. A
	// server answers frames to its Upper address and, when Lower is not 0,
	// to that lower (physical) address only; it answers in the address
	// form the client used.
	Server Address

	// MaxInfoTransmit and MaxInfoReceive are the longest information fields
	// this end sends and accepts (MinMaxInfo…MaxMaxInfo; 0 means 128, the
	// standard's default). WindowTransmit and WindowReceive are the I frames
	// this end sends and accepts before an acknowledgement (1…7; 0 means 1).
	// A client proposes them in SNRM; a server grants at most them in UA.
	MaxInfoTransmit, MaxInfoReceive int
	WindowTransmit, WindowReceive   int

	// MaxAPDU is the longest APDU reassembled from the peer's segments;
	// 0 means 65535. Longer ones are dropped with ErrAPDUTooLong.
	MaxAPDU int

	// ResponseTimeout is how long a client waits for the server's answer to
	// a frame with the poll bit before it polls again; 0 means 2 s.
	ResponseTimeout time.Duration
	// MaxRetries is how often a client polls again before it gives up with
	// ErrTimeout; 0 means 3, negative means none.
	MaxRetries int
	// InactivityTimeout is how long a server waits for a frame before it
	// drops the connection (ErrInactive); 0 means 120 s, the default of
	// the IEC HDLC setup class, and negative means forever.
	InactivityTimeout time.Duration

	// Logger receives debug records of dropped frames and retransmissions;
	// nil discards them.
	Logger *slog.Logger
}

func (c Config) withDefaults(server bool) (Config, error) {
	if c.Client == 0 && !server {
		c.Client = 16
	}
	if c.Server.Upper == 0 {
		c.Server.Upper = 1
	}
	for _, p := range []*int{&c.MaxInfoTransmit, &c.MaxInfoReceive} {
		if *p == 0 {
			*p = DefaultMaxInfo
		}
	}
	for _, p := range []*int{&c.WindowTransmit, &c.WindowReceive} {
		if *p == 0 {
			*p = DefaultWindow
		}
	}
	if c.MaxAPDU == 0 {
		c.MaxAPDU = 0xFFFF
	}
	if c.ResponseTimeout == 0 {
		c.ResponseTimeout = 2 * time.Second
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 3
	}
	c.MaxRetries = max(c.MaxRetries, 0)
	if c.InactivityTimeout == 0 {
		c.InactivityTimeout = 120 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.Client >= AllStation:
		return c, fmt.Errorf("hdlc: Config.Client %d: a client SAP is 1…126", c.Client)
	case c.Server.encodedSize() == 0:
		return c, fmt.Errorf("hdlc: Config.Server %d/%d does not fit in %d bytes", c.Server.Upper, c.Server.Lower, c.Server.Size)
	case c.MaxInfoTransmit < MinMaxInfo || c.MaxInfoTransmit > MaxMaxInfo:
		return c, fmt.Errorf("hdlc: Config.MaxInfoTransmit %d outside %d…%d", c.MaxInfoTransmit, MinMaxInfo, MaxMaxInfo)
	case c.MaxInfoReceive < MinMaxInfo || c.MaxInfoReceive > MaxMaxInfo:
		return c, fmt.Errorf("hdlc: Config.MaxInfoReceive %d outside %d…%d", c.MaxInfoReceive, MinMaxInfo, MaxMaxInfo)
	case c.WindowTransmit < 1 || c.WindowTransmit > MaxWindow:
		return c, fmt.Errorf("hdlc: Config.WindowTransmit %d outside 1…%d", c.WindowTransmit, MaxWindow)
	case c.WindowReceive < 1 || c.WindowReceive > MaxWindow:
		return c, fmt.Errorf("hdlc: Config.WindowReceive %d outside 1…%d", c.WindowReceive, MaxWindow)
	case c.MaxAPDU < 0:
		return c, fmt.Errorf("hdlc: Config.MaxAPDU %d is negative", c.MaxAPDU)
	}
	return c, nil
}

// limits are the parameters this end can take.
func (c Config) limits() Params {
	return Params{c.MaxInfoTransmit, c.MaxInfoReceive, c.WindowTransmit, c.WindowReceive}
}
