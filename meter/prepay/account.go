package prepay

import (
	"errors"
	"fmt"
	"math/bits"
	"time"

	"github.com/amigo-ami/amigo/meter/tariff"
)

// ErrState is returned for an operation the account's state does not
// allow (a top-up on a closed account, invoking an emergency credit that
// is not selectable).
var ErrState = errors.New("prepay: not allowed in this state")

// PaymentMode is account_mode_and_status.payment_mode.
type PaymentMode uint8

// Payment modes.
const (
	CreditMode     PaymentMode = 1 // postpaid: charges accumulate, nothing disconnects
	PrepaymentMode PaymentMode = 2
)

// AccountStatus is account_mode_and_status.account_status.
type AccountStatus uint8

// Account statuses.
const (
	StatusNew    AccountStatus = 1
	StatusActive AccountStatus = 2
	StatusClosed AccountStatus = 3
)

// CreditStatus is credit_status of a credit (IC 112).
type CreditStatus uint8

// Credit statuses.
const (
	CreditEnabled    CreditStatus = 0
	CreditSelectable CreditStatus = 1
	CreditInvoked    CreditStatus = 2
	CreditInUse      CreditStatus = 3
	CreditExhausted  CreditStatus = 4
)

// Currency is the account's currency: its name, scale (amounts are shown
// in units of 10^Scale) and unit.
type Currency struct {
	Name  string
	Scale int8
	Unit  uint8
}

// Config is the account's settings.
type Config struct {
	Mode     PaymentMode
	Currency Currency
	// LowCredit is low_credit_threshold: below it the low-credit warning
	// is raised.
	LowCredit tariff.Money
	// Emergency is the emergency credit's preset amount (0: none) and
	// Threshold the available credit below which it becomes selectable.
	Emergency, EmergencyThreshold tariff.Money
	// EmergencyAuto invokes the emergency credit without the customer.
	EmergencyAuto bool
	// StandingPerDay is the standing charge (time-based charge).
	StandingPerDay tariff.Money
	// TokenKey authenticates tokens (at least 16 bytes).
	TokenKey []byte
}

// Validate checks the settings.
func (c *Config) Validate() error {
	switch {
	case c.Mode != CreditMode && c.Mode != PrepaymentMode:
		return fmt.Errorf("%w: payment mode %d", ErrState, c.Mode)
	case c.LowCredit < 0 || c.Emergency < 0 || c.EmergencyThreshold < 0 || c.StandingPerDay < 0:
		return fmt.Errorf("%w: negative threshold, emergency credit or standing charge", ErrState)
	case c.Mode == PrepaymentMode && len(c.TokenKey) < 16:
		return fmt.Errorf("%w: token key of %d bytes, want at least 16", ErrState, len(c.TokenKey))
	case c.Currency.Scale < -9 || c.Currency.Scale > 9:
		return fmt.Errorf("%w: currency scale %d", ErrState, c.Currency.Scale)
	}
	return nil
}

// Credit is one credit (IC 112).
type Credit struct {
	Amount tariff.Money
	Status CreditStatus
}

// Account is a payment account with its token and emergency credits and
// its charges. Fields are exported for persistence; change them through
// the methods.
type Account struct {
	Config Config
	Status AccountStatus
	Token  Credit
	// EmergencyCredit.Amount is what is left of the preset while invoked.
	EmergencyCredit Credit
	Window          Window
	// Accounting: consumption and standing charges collected, and top-ups.
	Consumption, Standing, Paid tariff.Money
	// StandingRem carries the standing charge below one nano-unit, in
	// nano-unit·ns / 86400 s.
	StandingRem uint64
	Low, Out    bool // the low-credit and out-of-credit conditions, as last reported
}

// New returns an active account with no credit.
func New(cfg Config) (*Account, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Account{Config: cfg, Status: StatusActive, Token: Credit{Status: CreditInUse}}
	a.EmergencyCredit.Status = CreditEnabled
	a.update()
	return a, nil
}

// Prepayment reports whether the account is an active prepayment account,
// one whose credit can run out.
func (a *Account) Prepayment() bool {
	return a.Config.Mode == PrepaymentMode && a.Status == StatusActive
}

// Available returns available_credit: the credits in use.
func (a *Account) Available() tariff.Money {
	av := a.Token.Amount
	if a.EmergencyCredit.Status == CreditInUse || a.EmergencyCredit.Status == CreditInvoked {
		av += a.EmergencyCredit.Amount
	}
	return av
}

// Change reports which conditions an operation changed.
type Change struct {
	LowCredit        bool // available credit fell below the threshold
	Exhausted        bool // available credit reached zero: disconnect
	Restored         bool // credit is available again after Exhausted
	EmergencyInvoked bool
}

// Any reports whether anything changed.
func (c Change) Any() bool { return c.LowCredit || c.Exhausted || c.Restored || c.EmergencyInvoked }

// Charge takes the price of energy consumed and the standing charge for
// elapsed meter time.
func (a *Account) Charge(energy tariff.Money, elapsed time.Duration) Change {
	if a.Status != StatusActive {
		return Change{}
	}
	standing := a.standing(elapsed)
	a.Consumption += energy
	a.Standing += standing
	if a.Config.Mode != PrepaymentMode {
		return Change{}
	}
	a.take(energy + standing)
	return a.update()
}

// standing returns the standing charge for elapsed, carrying the rest.
func (a *Account) standing(elapsed time.Duration) tariff.Money {
	if elapsed <= 0 || a.Config.StandingPerDay <= 0 {
		return 0
	}
	const day = uint64(24 * time.Hour)
	hi, lo := bits.Mul64(uint64(a.Config.StandingPerDay), uint64(elapsed))
	lo, c := bits.Add64(lo, a.StandingRem, 0)
	hi += c
	q, r := bits.Div64(hi, lo, day)
	a.StandingRem = r
	return tariff.Money(q)
}

// take deducts m from the token credit, then from the emergency credit in
// use. The token credit may go negative only when no emergency credit
// covers it (the meter has disconnected or is about to).
func (a *Account) take(m tariff.Money) {
	if m <= 0 {
		return
	}
	if a.Token.Amount > 0 {
		d := min(m, a.Token.Amount)
		a.Token.Amount -= d
		m -= d
	}
	if m > 0 && a.emergencyInUse() && a.EmergencyCredit.Amount > 0 {
		d := min(m, a.EmergencyCredit.Amount)
		a.EmergencyCredit.Amount -= d
		m -= d
	}
	a.Token.Amount -= m // debt, repaid by the next top-up
}

func (a *Account) emergencyInUse() bool {
	s := a.EmergencyCredit.Status
	return s == CreditInUse || s == CreditInvoked
}

// update recomputes credit statuses and reports the conditions that changed.
func (a *Account) update() Change {
	var ch Change
	if a.Token.Amount > 0 {
		a.Token.Status = CreditInUse
	} else {
		a.Token.Status = CreditExhausted
	}
	e := &a.EmergencyCredit
	switch {
	case a.emergencyInUse():
		if e.Amount <= 0 {
			e.Status = CreditExhausted
		} else if a.Token.Amount <= 0 {
			e.Status = CreditInUse
		}
	case a.Config.Emergency > 0 && e.Status != CreditExhausted && a.Token.Amount < a.Config.EmergencyThreshold:
		e.Status = CreditSelectable
		if a.Config.EmergencyAuto {
			a.invoke()
			ch.EmergencyInvoked = true
		}
	case e.Status == CreditSelectable && a.Token.Amount >= a.Config.EmergencyThreshold:
		e.Status = CreditEnabled
	}
	if !a.Prepayment() {
		return ch
	}
	av := a.Available()
	low := av < a.Config.LowCredit
	if low && !a.Low {
		ch.LowCredit = true
	}
	a.Low = low
	out := av <= 0
	switch {
	case out && !a.Out:
		ch.Exhausted = true
	case !out && a.Out:
		ch.Restored = true
	}
	a.Out = out
	return ch
}

func (a *Account) invoke() {
	a.EmergencyCredit = Credit{Amount: a.Config.Emergency, Status: CreditInvoked}
}

// InvokeEmergency invokes the emergency credit (method invoke_credit of
// the emergency credit; the customer pressing the button).
func (a *Account) InvokeEmergency() (Change, error) {
	if a.EmergencyCredit.Status != CreditSelectable {
		return Change{}, fmt.Errorf("%w: emergency credit is %d, not selectable", ErrState, a.EmergencyCredit.Status)
	}
	a.invoke()
	ch := a.update()
	ch.EmergencyInvoked = true
	return ch, nil
}

// TopUp authenticates token for meter serial, checks its id against
// replay and credits its amount: first repaying the emergency credit
// used, then to the token credit. It returns the token.
func (a *Account) TopUp(token []byte, serial string) (Token, Change, error) {
	if a.Status == StatusClosed {
		return Token{}, Change{}, fmt.Errorf("%w: account closed", ErrState)
	}
	t, err := ParseToken(a.Config.TokenKey, serial, token)
	if err != nil {
		return Token{}, Change{}, err
	}
	if err := a.Window.Accept(t.ID); err != nil {
		return t, Change{}, err
	}
	a.Paid += t.Amount
	m := t.Amount
	if a.emergencyInUse() || a.EmergencyCredit.Status == CreditExhausted {
		used := a.Config.Emergency - a.EmergencyCredit.Amount
		if a.Token.Amount < 0 { // debt first
			d := min(m, -a.Token.Amount)
			a.Token.Amount += d
			m -= d
		}
		r := min(m, used)
		m -= r
		a.EmergencyCredit.Amount += r
		if a.EmergencyCredit.Amount >= a.Config.Emergency {
			a.EmergencyCredit = Credit{Status: CreditEnabled}
		}
	}
	a.Token.Amount += m
	return t, a.update(), nil
}

// Close closes the account (method close_account): nothing is charged
// and no top-up is accepted any more.
func (a *Account) Close() { a.Status = StatusClosed }

// Activate (re)activates the account (method activate_account).
func (a *Account) Activate() Change {
	a.Status = StatusActive
	return a.update()
}
