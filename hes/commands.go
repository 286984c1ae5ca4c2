package hes

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/profile"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/hes/registry"
)

// Objects the commands use (ARCHITECTURE §4).
var (
	DisconnectControl = cosem.OBIS{0, 0, 96, 3, 10, 255}
	LimiterObject     = cosem.OBIS{0, 0, 17, 0, 0, 255}
	AccountObject     = cosem.OBIS{0, 0, 19, 0, 0, 255}
	CreditObject      = cosem.OBIS{0, 0, 19, 10, 0, 255}
	TokenGateway      = cosem.OBIS{0, 0, 19, 40, 0, 255}
	ActivityCalendar  = cosem.OBIS{0, 0, 13, 0, 0, 255}
	PushSetupObject   = cosem.OBIS{0, 0, 25, 9, 0, 255}
)

// SupplyResult is the disconnect control's state read back after a
// disconnect or reconnect.
type SupplyResult struct {
	Output bool   `json:"output_state"`  // true: supply connected
	State  string `json:"control_state"` // disconnected, connected, ready_for_reconnection
}

var controlStates = []string{"disconnected", "connected", "ready_for_reconnection"}

// supplyOf reads the disconnect control's output_state and control_state.
func supplyOf(output, state axdr.Value) SupplyResult {
	var res SupplyResult
	res.Output, _ = output.Bool()
	if n, ok := state.Uint(); ok && int(n) < len(controlStates) {
		res.State = controlStates[n]
	} else {
		res.State = fmt.Sprint(state)
	}
	return res
}

// runSupply invokes remote_disconnect (method 1) or remote_reconnect
// (method 2) and reads the state back: done only if the meter reports the
// state asked for (after a reconnect, connected or
// ready_for_reconnection, as the control mode decides).
func runSupply(method int8) func(context.Context, *HeadEnd, Job, registry.Meter) (any, error) {
	return func(ctx context.Context, h *HeadEnd, _ Job, m registry.Meter) (any, error) {
		var res SupplyResult
		err := h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
			if _, err := s.Client.Action(ctx, cosem.Ref{Class: cosem.ClassDisconnectControl, Name: DisconnectControl, ID: method}, []axdr.Value{axdr.Int8(0)}); err != nil {
				return err
			}
			out, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassDisconnectControl, Name: DisconnectControl, ID: 2}, nil)
			if err != nil {
				return err
			}
			st, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassDisconnectControl, Name: DisconnectControl, ID: 3}, nil)
			if err != nil {
				return err
			}
			res = supplyOf(out[0], st[0])
			return nil
		})
		if err != nil {
			return nil, err
		}
		// A reconnect leaves the supply connected, or (control modes 1,
		// 3, 5, 6) ready for the customer to reconnect it.
		ok := res.State == "disconnected" && !res.Output
		if method == 2 {
			ok = res.State == "connected" && res.Output || res.State == "ready_for_reconnection"
		}
		if !ok {
			return res, conn.Permanent(fmt.Errorf("meter %s reports output_state %t, control_state %s after the command", m.Serial, res.Output, res.State))
		}
		return res, nil
	}
}

// CreditParams are CreditTopUp's parameters: a prepayment token (hex) for
// the token gateway (IC 115 enter, 0.0.19.40.0.255), as the vending system
// issued it — how the amigo meter takes credit — or, for meters whose
// credit object offers it, an amount for update_amount (IC 112 method 1),
// in the credit's units.
type CreditParams struct {
	Token  string `json:"token,omitempty"`
	Amount int32  `json:"amount,omitempty"`
}

// CreditResult is a credit's current_credit_amount (IC 112 attribute
// 2): Credit × 10^Scale units of Currency, as the account's currency
// attribute (IC 111 attribute 15) gives them; Currency is empty when the
// meter does not tell.
type CreditResult struct {
	Credit   int64  `json:"credit"`
	Currency string `json:"currency,omitempty"`
	Scale    int8   `json:"scale,omitempty"`
}

// readCredit reads the credit and the account's currency.
func readCredit(ctx context.Context, s *conn.Session) (CreditResult, error) {
	rs, err := s.Client.GetWithList(ctx, []dlms.AttributeRequest{
		{Ref: cosem.Ref{Class: cosem.ClassCredit, Name: CreditObject, ID: 2}},
		{Ref: cosem.Ref{Class: cosem.ClassAccount, Name: AccountObject, ID: 15}},
	})
	if err != nil {
		return CreditResult{}, err
	}
	if rs[0].Err != nil {
		return CreditResult{}, conn.Permanent(fmt.Errorf("credit: %w", rs[0].Err))
	}
	return creditOf(rs[0], rs[1]), nil
}

// creditOf reads current_credit_amount and, when the meter answered it,
// the currency structure {name, scale, unit}.
func creditOf(amount, currency dlms.Result) CreditResult {
	var res CreditResult
	if len(amount.Value) > 0 {
		res.Credit, _ = amount.Value[0].Int()
	}
	if c := currency.Value; currency.Err == nil && len(c) == 4 && c[0].Tag == axdr.TagStructure {
		res.Currency = string(c[1].Bytes)
		scale, _ := c[2].Int()
		res.Scale = int8(scale)
	}
	return res
}

// runCredit tops the credit up once (update_amount adds, so a repeat would
// add twice) and reads it back.
func runCredit(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[CreditParams](j.Params)
	if err != nil {
		return nil, err
	}
	token, err := hex.DecodeString(p.Token)
	if err != nil || (len(token) == 0) == (p.Amount == 0) {
		return nil, conn.Permanent(fmt.Errorf("%w: give a token (hex) or an amount", ErrBadRequest))
	}
	var res CreditResult
	err = h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		if len(token) > 0 {
			if err := enterToken(ctx, s, token); err != nil {
				return err
			}
		} else if _, err := s.Client.Action(ctx, cosem.Ref{Class: cosem.ClassCredit, Name: CreditObject, ID: 1}, []axdr.Value{axdr.Int32(p.Amount)}); err != nil {
			return err
		}
		res, err = readCredit(ctx, s)
		return err
	}, conn.Once())
	return res, err
}

// Token gateway (IC 115) status codes of token_status.
const tokenExecutionOK = 3

// enterToken enters a token (method 1) and reads token_status back: the
// gateway accepts every well-formed request and tells in the status what
// came of the token.
func enterToken(ctx context.Context, s *conn.Session, token []byte) error {
	ref := cosem.Ref{Class: 115, Name: TokenGateway, ID: 1}
	if _, err := s.Client.Action(ctx, ref, []axdr.Value{axdr.OctetString(token)}); err != nil {
		return err
	}
	ref.ID = 6
	v, err := s.Client.Get(ctx, ref, nil)
	if err != nil {
		return err
	}
	if len(v) < 2 || v[0].Tag != axdr.TagStructure {
		return conn.Permanent(fmt.Errorf("token_status %v", v))
	}
	if code, _ := v[1].Uint(); code != tokenExecutionOK {
		return conn.Permanent(fmt.Errorf("the meter refused the token (token status %d)", code))
	}
	return nil
}

// ClockParams are ClockSync's parameters.
type ClockParams struct {
	// MaxDrift is the drift tolerated without setting the clock (5 s when
	// zero).
	MaxDrift Duration `json:"max_drift,omitzero"`
}

// ClockResult says how far the meter's clock was off and whether it was
// set.
type ClockResult struct {
	DriftMs int64 `json:"drift_ms"` // meter minus head-end
	Set     bool  `json:"set"`
}

// runClockSync reads the meter's clock and sets it to the head-end's time
// when it drifted beyond MaxDrift.
func runClockSync(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[ClockParams](j.Params)
	if err != nil {
		return nil, err
	}
	maxDrift := time.Duration(p.MaxDrift)
	if maxDrift == 0 {
		maxDrift = 5 * time.Second
	}
	var res ClockResult
	err = h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		ref := cosem.Ref{Class: cosem.ClassClock, Name: ClockObject, ID: 2}
		v, err := s.Client.Get(ctx, ref, nil)
		if err != nil {
			return err
		}
		t, _, err := profile.DateTimeMillis(v[0])
		if err != nil {
			return conn.Permanent(fmt.Errorf("clock: %w", err))
		}
		now := h.cfg.Clock.Now()
		res.DriftMs = t - now.UnixMilli()
		if time.Duration(abs(res.DriftMs))*time.Millisecond <= maxDrift {
			return nil
		}
		res.Set = true
		return s.Client.Set(ctx, ref, []axdr.Value{axdr.OctetString(axdr.FromTime(h.cfg.Clock.Now().UTC()).Append(nil))})
	})
	return res, err
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// SetParams are SetAttribute's parameters: the attribute and its value as
// A-XDR in hex.
type SetParams struct {
	Class     cosem.ClassID `json:"class"`
	OBIS      cosem.OBIS    `json:"obis"`
	Attribute int8          `json:"attribute"`
	Value     string        `json:"value"` // hex of the A-XDR encoding
}

func (p SetParams) values() ([]axdr.Value, error) {
	b, err := hex.DecodeString(p.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: value is not hex", ErrBadRequest)
	}
	v, err := axdr.Decode(nil, b)
	if err != nil {
		return nil, fmt.Errorf("%w: value: %v", ErrBadRequest, err)
	}
	return v, nil
}

func checkSet(raw json.RawMessage) error {
	p, err := decodeParams[SetParams](raw)
	if err == nil {
		_, err = p.values()
	}
	return err
}

func runSet(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[SetParams](j.Params)
	if err != nil {
		return nil, err
	}
	v, err := p.values()
	if err != nil {
		return nil, conn.Permanent(err)
	}
	return struct{}{}, h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		return s.Client.Set(ctx, cosem.Ref{Class: p.Class, Name: p.OBIS, ID: p.Attribute}, v)
	})
}

// TariffParams are SetTariff's parameters: the activity calendar's passive
// attributes (6 calendar_name_passive, 7 season_profile_passive, 8
// week_profile_table_passive, 9 day_profile_table_passive, 10
// activate_passive_calendar_time) as A-XDR in hex, and whether to activate
// the passive calendar at once (method 1).
type TariffParams struct {
	Passive  map[int8]string `json:"passive"`
	Activate bool            `json:"activate,omitempty"`
}

func runTariff(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[TariffParams](j.Params)
	if err != nil {
		return nil, err
	}
	vals := map[int8][]axdr.Value{}
	for a, x := range p.Passive {
		if a < 6 || a > 10 {
			return nil, conn.Permanent(fmt.Errorf("%w: activity calendar attribute %d is not a passive one (6–10)", ErrBadRequest, a))
		}
		if vals[a], err = (SetParams{Value: x}).values(); err != nil {
			return nil, conn.Permanent(err)
		}
	}
	return struct{}{}, h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		for a := int8(6); a <= 10; a++ {
			if v, ok := vals[a]; ok {
				if err := s.Client.Set(ctx, cosem.Ref{Class: cosem.ClassActivityCalendar, Name: ActivityCalendar, ID: a}, v); err != nil {
					return err
				}
			}
		}
		if p.Activate {
			_, err := s.Client.Action(ctx, cosem.Ref{Class: cosem.ClassActivityCalendar, Name: ActivityCalendar, ID: 1}, []axdr.Value{axdr.Int8(0)})
			return err
		}
		return nil
	})
}

// PushSetupParams are SetPush's parameters: where the meter pushes
// (host:port of the head-end's push listener) and over what.
type PushSetupParams struct {
	Destination string `json:"destination"`
	UDP         bool   `json:"udp,omitempty"`
}

// runPushSetup writes the push setup's push_object_list (the layout the
// listener decodes, push.DefaultLayout) and send_destination_and_method.
func runPushSetup(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[PushSetupParams](j.Params)
	if err != nil {
		return nil, err
	}
	if p.Destination == "" {
		return nil, conn.Permanent(fmt.Errorf("%w: no destination", ErrBadRequest))
	}
	layout := push.DefaultLayout()
	objects := []axdr.Value{axdr.Array(len(layout.Elements))}
	for _, e := range layout.Elements {
		o := e.Object
		objects = append(objects, axdr.Structure(4), axdr.Uint16(uint16(o.Class)), axdr.OctetString(o.Name[:]), axdr.Int8(o.Attribute), axdr.Uint16(o.DataIndex))
	}
	transport := uint8(0) // TCP
	if p.UDP {
		transport = 1
	}
	dest := []axdr.Value{axdr.Structure(3), axdr.Enum(transport), axdr.OctetString([]byte(p.Destination)), axdr.Enum(0)}
	return struct{}{}, h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		ref := cosem.Ref{Class: cosem.ClassPushSetup, Name: layout.Name, ID: 2}
		if err := s.Client.Set(ctx, ref, objects); err != nil {
			return err
		}
		ref.ID = 3
		return s.Client.Set(ctx, ref, dest)
	})
}

// Duration is a time.Duration written in JSON as Go writes durations
// ("15m", "1h30m").
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// StatusResult is a meter's supply and payment state (ReadStatus): what a
// fleet view shows besides comms. A part the meter lacks is nil.
type StatusResult struct {
	Supply *SupplyResult `json:"supply,omitempty"`
	Credit *CreditResult `json:"credit,omitempty"`
}

// runReadStatus reads the disconnect control's state and, on a meter with
// a payment account, its credit, in one GET with list.
func runReadStatus(ctx context.Context, h *HeadEnd, _ Job, m registry.Meter) (any, error) {
	var res StatusResult
	err := h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		rs, err := s.Client.GetWithList(ctx, []dlms.AttributeRequest{
			{Ref: cosem.Ref{Class: cosem.ClassDisconnectControl, Name: DisconnectControl, ID: 2}},
			{Ref: cosem.Ref{Class: cosem.ClassDisconnectControl, Name: DisconnectControl, ID: 3}},
			{Ref: cosem.Ref{Class: cosem.ClassCredit, Name: CreditObject, ID: 2}},
			{Ref: cosem.Ref{Class: cosem.ClassAccount, Name: AccountObject, ID: 15}},
		})
		if err != nil {
			return err
		}
		res = StatusResult{}
		if rs[0].Err == nil && rs[1].Err == nil && len(rs[0].Value) > 0 && len(rs[1].Value) > 0 {
			sup := supplyOf(rs[0].Value[0], rs[1].Value[0])
			res.Supply = &sup
		}
		if rs[2].Err == nil {
			c := creditOf(rs[2], rs[3])
			res.Credit = &c
		}
		return nil
	})
	if err != nil {
		h.m.failures.WithLabelValues(conn.Reason(err)).Inc()
		return nil, err
	}
	h.m.reads.WithLabelValues("status").Inc()
	return res, nil
}
