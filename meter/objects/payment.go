package objects

import (
	"errors"
	"fmt"
	"math"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/tariff"
)

// Payment objects (IC 111 account, IC 112 credit, IC 113 charge, IC 115
// token gateway). Amounts are shown in the account currency's scale as
// double-long.
var (
	AccountLN           = [6]byte{0, 0, 19, 0, 0, 255}
	TokenCreditLN       = [6]byte{0, 0, 19, 10, 0, 255}
	EmergencyCreditLN   = [6]byte{0, 0, 19, 10, 1, 255}
	ConsumptionChargeLN = [6]byte{0, 0, 19, 20, 0, 255}
	StandingChargeLN    = [6]byte{0, 0, 19, 20, 1, 255}
	TokenGatewayLN      = [6]byte{0, 0, 19, 40, 0, 255}
)

// ClassTokenGateway is IC 115, which the cosem catalogue does not list.
const ClassTokenGateway cosem.ClassID = 115

func account(t *Tree) (prepay.Account, error) {
	a, ok := t.m.Account()
	if !ok {
		return a, fmt.Errorf("%w: no payment account", cosem.ErrUnavailable)
	}
	return a, nil
}

func amount(a *prepay.Account, m tariff.Money) int32 {
	v := m.Scaled(a.Config.Currency.Scale)
	return int32(max(math.MinInt32, min(v, math.MaxInt32)))
}

// accountObject is the Account (IC 111).
type accountObject struct{}

func (accountObject) class() (cosem.ClassID, uint8) { return cosem.ClassAccount, 0 }

func (accountObject) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	a, err := account(t)
	if err != nil {
		return dst, err
	}
	debt := max(-a.Token.Amount, 0)
	switch attr {
	case 2:
		dst = axdr.AppendStructure(dst, 2)
		dst = axdr.AppendEnum(dst, uint8(a.Config.Mode))
		return axdr.AppendEnum(dst, uint8(a.Status)), nil
	case 3:
		inUse := uint8(1)
		if s := a.EmergencyCredit.Status; s == prepay.CreditInUse || s == prepay.CreditInvoked {
			inUse = 2
		}
		return axdr.AppendUint8(dst, inUse), nil
	case 4:
		// current_credit_status: bit 0 in credit, 1 low credit, 3 next
		// credit selectable, 5 selectable credit in use, 6 out of credit.
		var b byte
		if a.Available() > 0 {
			b |= 0x80
		}
		if a.Low {
			b |= 0x40
		}
		if a.EmergencyCredit.Status == prepay.CreditSelectable {
			b |= 0x10
		}
		if s := a.EmergencyCredit.Status; s == prepay.CreditInUse || s == prepay.CreditInvoked {
			b |= 0x04
		}
		if a.Out {
			b |= 0x02
		}
		return axdr.AppendBitString(dst, []byte{b}, 8), nil
	case 5:
		return axdr.AppendInt32(dst, amount(&a, a.Available())), nil
	case 6, 8:
		return axdr.AppendInt32(dst, amount(&a, debt)), nil
	case 7:
		return axdr.AppendInt32(dst, 0), nil
	case 9:
		dst = axdr.AppendArray(dst, 2)
		dst = axdr.AppendOctetString(dst, TokenCreditLN[:])
		return axdr.AppendOctetString(dst, EmergencyCreditLN[:]), nil
	case 10:
		dst = axdr.AppendArray(dst, 2)
		dst = axdr.AppendOctetString(dst, ConsumptionChargeLN[:])
		return axdr.AppendOctetString(dst, StandingChargeLN[:]), nil
	case 11:
		return axdr.AppendArray(dst, 0), nil
	case 12:
		dst = axdr.AppendArray(dst, 1)
		dst = axdr.AppendStructure(dst, 2)
		dst = axdr.AppendOctetString(dst, TokenCreditLN[:])
		return axdr.AppendUint8(dst, 100), nil
	case 13, 14:
		return appendDateTime(dst, notSpecified), nil
	case 15:
		c := a.Config.Currency
		dst = axdr.AppendStructure(dst, 3)
		dst = axdr.AppendUTF8String(dst, c.Name)
		dst = axdr.AppendInt8(dst, c.Scale)
		return axdr.AppendEnum(dst, c.Unit), nil
	case 16:
		return axdr.AppendInt32(dst, amount(&a, a.Config.LowCredit)), nil
	case 17:
		return axdr.AppendInt32(dst, amount(&a, a.Config.EmergencyThreshold)), nil
	case 18:
		return axdr.AppendUint16(dst, 0), nil
	case 19:
		return axdr.AppendUint32(dst, 0), nil
	}
	return dst, noSuchAttribute(attr)
}

func (accountObject) methods() []int8 { return []int8{1, 2} }

func (accountObject) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	r := read(p)
	r.int("data", -128, 127)
	if err := r.done(); err != nil {
		return dst, err
	}
	s := prepay.StatusActive
	switch method {
	case 1:
	case 2:
		s = prepay.StatusClosed
	default:
		return dst, noSuchMethod(method)
	}
	return dst, t.m.SetAccountStatus(s)
}

// credit is a Credit (IC 112): the token credit or the emergency credit.
type credit struct{ emergency bool }

func (credit) class() (cosem.ClassID, uint8) { return cosem.ClassCredit, 0 }

func (h credit) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	a, err := account(t)
	if err != nil {
		return dst, err
	}
	c, typ, prio, conf := a.Token, uint8(0), uint8(1), byte(0x08) // token: able to receive credit amounts from tokens
	if h.emergency {
		c, typ, prio, conf = a.EmergencyCredit, 2, 2, 0x60 // requires confirmation and repayment
	}
	switch attr {
	case 2:
		return axdr.AppendInt32(dst, amount(&a, c.Amount)), nil
	case 3:
		return axdr.AppendEnum(dst, typ), nil
	case 4:
		return axdr.AppendUint8(dst, prio), nil
	case 5:
		return axdr.AppendInt32(dst, amount(&a, a.Config.LowCredit)), nil
	case 6:
		return axdr.AppendInt32(dst, 0), nil
	case 7:
		return axdr.AppendBitString(dst, []byte{conf}, 5), nil
	case 8:
		return axdr.AppendEnum(dst, uint8(c.Status)), nil
	case 9:
		if h.emergency {
			return axdr.AppendInt32(dst, amount(&a, a.Config.Emergency)), nil
		}
		return axdr.AppendInt32(dst, 0), nil
	case 10:
		if h.emergency {
			return axdr.AppendInt32(dst, amount(&a, a.Config.EmergencyThreshold)), nil
		}
		return axdr.AppendInt32(dst, 0), nil
	case 11:
		return appendDateTime(dst, notSpecified), nil
	}
	return dst, noSuchAttribute(attr)
}

// emergencyCredit adds invoke_credit to the emergency credit.
type emergencyCredit struct{ credit }

func (emergencyCredit) methods() []int8 { return []int8{3} }

func (emergencyCredit) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	if method != 3 {
		return dst, noSuchMethod(method)
	}
	r := read(p)
	r.uint("credit_status", 255)
	if err := r.done(); err != nil {
		return dst, err
	}
	if err := t.m.InvokeEmergencyCredit(); err != nil {
		return dst, fmt.Errorf("%w: %v", cosem.ErrTemporaryFailure, err)
	}
	return dst, nil
}

// charge is a Charge (IC 113): consumption-based or the standing charge.
type charge struct{ standing bool }

func (charge) class() (cosem.ClassID, uint8) { return cosem.ClassCharge, 0 }

func (h charge) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	a, err := account(t)
	if err != nil {
		return dst, err
	}
	switch attr {
	case 2:
		if h.standing {
			return axdr.AppendInt32(dst, amount(&a, a.Standing)), nil
		}
		return axdr.AppendInt32(dst, amount(&a, a.Consumption)), nil
	case 3:
		if h.standing {
			return axdr.AppendEnum(dst, 1), nil // time_based_collection
		}
		return axdr.AppendEnum(dst, 0), nil // consumption_based_collection
	case 4:
		return axdr.AppendUint8(dst, 1), nil
	case 5, 6:
		return h.appendUnitCharge(t, dst, &a), nil
	case 7, 10:
		return appendDateTime(dst, notSpecified), nil
	case 8:
		if h.standing {
			return axdr.AppendUint32(dst, 86400), nil
		}
		return axdr.AppendUint32(dst, 0), nil
	case 9:
		return axdr.AppendBitString(dst, []byte{0x40}, 2), nil // continuous collection
	case 11, 12:
		return axdr.AppendInt32(dst, 0), nil
	case 13:
		return axdr.AppendUint16(dst, 0), nil
	}
	return dst, noSuchAttribute(attr)
}

// appendUnitCharge appends unit_charge: the price per kWh of each tariff
// (consumption) or per day (standing), in the largest price scale that
// fits a long.
func (h charge) appendUnitCharge(t *Tree, dst []byte, a *prepay.Account) []byte {
	var prices []tariff.Money // per kWh (consumption) or per day, in nano-units
	var commodity = struct {
		class cosem.ClassID
		name  [6]byte
		scale int8
	}{cosem.ClassRegister, meter.EnergyLN(0, 0), 3}
	if h.standing {
		prices = []tariff.Money{a.Config.StandingPerDay}
		commodity.class, commodity.name, commodity.scale = cosem.ClassClock, meter.ClockLN, 0
	} else {
		for _, p := range t.m.UnitPrices() {
			prices = append(prices, p*1000)
		}
	}
	scale := int8(-9)
	for _, p := range prices {
		for p.Scaled(scale) > math.MaxInt16 && scale < 9 {
			scale++
		}
	}
	dst = axdr.AppendStructure(dst, 3)
	dst = axdr.AppendStructure(dst, 2)
	dst = axdr.AppendInt8(dst, commodity.scale)
	dst = axdr.AppendInt8(dst, scale)
	dst = axdr.AppendStructure(dst, 3)
	dst = axdr.AppendUint16(dst, uint16(commodity.class))
	dst = axdr.AppendOctetString(dst, commodity.name[:])
	dst = axdr.AppendInt8(dst, 2)
	dst = axdr.AppendArray(dst, len(prices))
	for i, p := range prices {
		dst = axdr.AppendStructure(dst, 2)
		dst = axdr.AppendOctetString(dst, []byte{byte('1' + i)})
		dst = axdr.AppendInt16(dst, int16(p.Scaled(scale)))
	}
	return dst
}

// tokenState is what the token gateway shows of the last token entered.
type tokenState struct {
	last   []byte
	at     axdr.DateTime
	status uint8
	set    bool
}

// Token gateway status codes (IC 115 token_status.status_code).
const (
	tokenExecutionOK   = 3
	tokenFormatFailure = 4
	tokenAuthFailure   = 5
	tokenValidationErr = 6
)

// tokenGateway is the Token gateway (IC 115): method enter credits a
// prepay token.
type tokenGateway struct{}

func (tokenGateway) class() (cosem.ClassID, uint8) { return ClassTokenGateway, 0 }

func (tokenGateway) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	t.mu.Lock()
	s := t.token
	t.mu.Unlock()
	switch attr {
	case 2:
		return axdr.AppendOctetString(dst, s.last), nil
	case 3:
		if !s.set {
			return appendDateTime(dst, notSpecified), nil
		}
		return appendDateTime(dst, s.at), nil
	case 4:
		return axdr.AppendArray(dst, 0), nil
	case 5:
		return axdr.AppendEnum(dst, 0), nil // remote
	case 6:
		dst = axdr.AppendStructure(dst, 2)
		dst = axdr.AppendEnum(dst, s.status)
		return axdr.AppendBitString(dst, nil, 0), nil
	}
	return dst, noSuchAttribute(attr)
}

func (tokenGateway) methods() []int8 { return []int8{1} }

func (tokenGateway) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	if method != 1 {
		return dst, noSuchMethod(method)
	}
	r := read(p)
	token := r.octets("token")
	if err := r.done(); err != nil {
		return dst, err
	}
	_, err := t.m.TopUp(token)
	status := uint8(tokenExecutionOK)
	switch {
	case errors.Is(err, prepay.ErrReplay):
		status = tokenValidationErr
	case errors.Is(err, prepay.ErrToken) && len(token) != prepay.TokenSize:
		status = tokenFormatFailure
	case errors.Is(err, prepay.ErrToken):
		status = tokenAuthFailure
	case err != nil:
		status = tokenValidationErr
	}
	t.mu.Lock()
	t.token = tokenState{last: append([]byte(nil), token...), at: t.m.ClockDateTime(), status: status, set: true}
	t.mu.Unlock()
	if err != nil {
		return dst, fmt.Errorf("%w: %v", cosem.ErrTemporaryFailure, err)
	}
	return dst, nil
}
