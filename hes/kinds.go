package hes

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/amigo-ami/amigo/hes/registry"
)

// kindSpec is how a kind runs: on one meter (and, for a group, on each of
// its meters), or only on a whole group.
type kindSpec struct {
	check func(json.RawMessage) error
	meter func(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error)
	group func(ctx context.Context, h *HeadEnd, j Job, meters []registry.Meter) (any, error)
}

var kinds map[Kind]kindSpec

func init() {
	kinds = map[Kind]kindSpec{
		ReadProfile:      {check: checkParams[ProfileParams], meter: runReadProfile},
		ReadEvents:       {check: checkParams[EventsParams], meter: runReadEvents},
		ReadRegisters:    {check: checkParams[RegistersParams], meter: runReadRegisters},
		ReadStatus:       {meter: runReadStatus},
		ReadPowerQuality: {check: checkParams[PowerQualityParams], meter: runReadPowerQuality},
		ReadAppliances:   {check: checkParams[AppliancesParams], meter: runReadAppliances},
		Disconnect:       {meter: runSupply(1)},
		Reconnect:        {meter: runSupply(2)},
		CreditTopUp:      {check: checkParams[CreditParams], meter: runCredit},
		ClockSync:        {check: checkParams[ClockParams], meter: runClockSync},
		SetAttribute:     {check: checkSet, meter: runSet},
		SetTariff:        {check: checkParams[TariffParams], meter: runTariff},
		SetPush:          {check: checkParams[PushSetupParams], meter: runPushSetup},
		RotateKeys:       {meter: runRotateKeys},
		FirmwareCampaign: {check: checkFirmware, group: runFirmware},
		DemandResponse:   {check: checkParams[DemandParams], group: runDemandResponse},
	}
}

// Kinds returns every job kind, sorted.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// AllMeters, as a group, is every registered meter.
const AllMeters = "*"

// groupMeters returns a group's meters (AllMeters: every one).
func (h *HeadEnd) groupMeters(group string) []registry.Meter {
	if group == AllMeters {
		return h.reg.All()
	}
	return h.reg.Group(group)
}
