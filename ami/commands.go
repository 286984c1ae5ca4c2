package ami

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/tariff"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// commands is web.Commands: each console command becomes a head-end job.
type commands struct {
	head   *hes.HeadEnd
	meta   *meta.DB
	status *statusBook
	// tokenKey, when set, mints prepayment tokens for top-ups (what a
	// vending system does); without it top-ups are amounts.
	tokenKey []byte
	now      func() time.Time

	mu        sync.Mutex
	lastToken map[string]uint32 // by serial: token ids must grow
}

// jobKinds maps the API's commands onto the head-end's job kinds.
var jobKinds = map[string]hes.Kind{
	web.CmdReadNow:      hes.ReadProfile,
	web.CmdConnect:      hes.Reconnect,
	web.CmdDisconnect:   hes.Disconnect,
	web.CmdCreditTopUp:  hes.CreditTopUp,
	web.CmdClockSync:    hes.ClockSync,
	web.CmdTariffUpdate: hes.SetTariff,
}

// Submit implements web.Commands.
func (c *commands) Submit(ctx context.Context, cmd web.Command) (int64, error) {
	kind, ok := jobKinds[cmd.Kind]
	if !ok {
		return 0, fmt.Errorf("command %q: %w", cmd.Kind, web.ErrInvalid)
	}
	m, err := c.meta.Meter(ctx, cmd.Meter)
	if err != nil {
		return 0, err
	}
	var params any
	switch cmd.Kind {
	case web.CmdCreditTopUp:
		if params, err = c.topUp(ctx, m, cmd.Amount); err != nil {
			return 0, err
		}
	case web.CmdTariffUpdate:
		t, err := c.meta.Tariff(ctx, cmd.TariffID)
		if err != nil {
			return 0, err
		}
		if params, err = calendarOf(t); err != nil {
			return 0, fmt.Errorf("tariff %d (%s): %w: %w", t.ID, t.Name, web.ErrInvalid, err)
		}
	}
	r := hes.Request{Kind: kind, Meter: m.Serial, Actor: cmd.Actor}
	if params != nil {
		if r.Params, err = json.Marshal(params); err != nil {
			return 0, err
		}
	}
	id, err := c.head.Submit(ctx, r)
	if errors.Is(err, hes.ErrBadRequest) {
		return id, fmt.Errorf("%w: %w", web.ErrInvalid, err)
	}
	return id, err
}

// topUp makes a credit top-up of micros millionths of the meter's
// currency: a token from the vending key, or the amount in the credit's
// scale. A meter whose status shows no payment account is refused.
func (c *commands) topUp(ctx context.Context, m meta.Meter, micros int64) (hes.CreditParams, error) {
	st, _, err := c.status.get(ctx, m.ID)
	if err != nil {
		return hes.CreditParams{}, err
	}
	if st.Credit == nil {
		return hes.CreditParams{}, fmt.Errorf("meter %s has no payment account (or its status was not read yet): %w", m.Serial, web.ErrInvalid)
	}
	if len(c.tokenKey) > 0 {
		return hes.CreditParams{Token: hex.EncodeToString(prepay.MakeToken(c.tokenKey, m.Serial, c.tokenID(m.Serial), tariff.Money(micros)*1000))}, nil
	}
	// Without a vending key, the amount in the credit's own units; the
	// scale is the one the status read reported (cents: −2).
	units := float64(micros) / 1e6 * math.Pow10(int(-st.creditScale()))
	if units < 1 || units > math.MaxInt32 {
		return hes.CreditParams{}, fmt.Errorf("top-up of %d millionths is %g in the meter's credit units: %w", micros, units, web.ErrInvalid)
	}
	return hes.CreditParams{Amount: int32(math.Round(units))}, nil
}

// tokenID is the id of the next token for serial: the clock's Unix
// seconds, or one more than the last id given, so ids grow across
// restarts as the meter's replay window wants.
func (c *commands) tokenID(serial string) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := uint32(max(c.now().Unix(), 1))
	if last := c.lastToken[serial]; id <= last {
		id = last + 1
	}
	c.lastToken[serial] = id
	return id
}
