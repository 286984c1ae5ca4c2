package ami

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/amigo-ami/amigo/hes"
)

// summary says in a line what a head-end job came to, for the console's
// job lists: the job's JSON result holds everything (a power-quality
// capture carries its samples), which no table cell should show.
func summary(j hes.Job) string {
	if len(j.Result) == 0 {
		return ""
	}
	var fail struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(j.Result, &fail) == nil && fail.Error != "" {
		return fmt.Sprintf("failed (%s): %s", fail.Reason, fail.Error)
	}
	if j.Meter == "" && j.Kind != hes.FirmwareCampaign && j.Kind != hes.DemandResponse {
		var g hes.GroupResult
		if decode(j.Result, &g) {
			s := fmt.Sprintf("%d meters: %d ok", g.Meters, g.OK)
			for _, reason := range slices.Sorted(maps.Keys(g.Failed)) {
				s += fmt.Sprintf(", %d %s", g.Failed[reason], reason)
			}
			return s
		}
	}
	switch j.Kind {
	case hes.ReadProfile, hes.ReadRegisters, hes.ReadEvents:
		var r hes.ReadResult
		if decode(j.Result, &r) {
			s := fmt.Sprintf("%d readings", r.Readings)
			if r.Events > 0 {
				s += fmt.Sprintf(", %d events", r.Events)
			}
			return s
		}
	case hes.Disconnect, hes.Reconnect:
		var r hes.SupplyResult
		if decode(j.Result, &r) {
			return strings.ReplaceAll(r.State, "_", " ")
		}
	case hes.CreditTopUp:
		var r hes.CreditResult
		if decode(j.Result, &r) {
			return "credit " + creditText(r)
		}
	case hes.ReadStatus:
		var r hes.StatusResult
		if decode(j.Result, &r) {
			var parts []string
			if r.Supply != nil {
				parts = append(parts, strings.ReplaceAll(r.Supply.State, "_", " "))
			}
			if r.Credit != nil {
				parts = append(parts, "credit "+creditText(*r.Credit))
			}
			return strings.Join(parts, ", ")
		}
	case hes.ClockSync:
		var r hes.ClockResult
		if decode(j.Result, &r) {
			s := fmt.Sprintf("drift %.1f s", float64(r.DriftMs)/1000)
			if r.Set {
				s += ", clock set"
			}
			return s
		}
	case hes.ReadPowerQuality:
		var r hes.PowerQualityResult
		if decode(j.Result, &r) && len(r.Phases) > 0 {
			p := r.Phases[0]
			return fmt.Sprintf("U %.1f V, I %.2f A, f %.2f Hz, THD U %.1f %%", p.U, p.I, r.FrequencyHz, 100*p.THDU)
		}
	case hes.ReadAppliances:
		var r hes.AppliancesResult
		if decode(j.Result, &r) {
			on := 0
			for _, a := range r.Appliances {
				if a.On {
					on++
				}
			}
			return fmt.Sprintf("%d appliance events, %d of %d appliances on", r.Events, on, len(r.Appliances))
		}
	case hes.FirmwareCampaign:
		var r hes.CampaignResult
		if decode(j.Result, &r) {
			return fmt.Sprintf("%d upgraded, %d skipped, %d failed", len(r.Upgraded), len(r.Skipped), len(r.Failed))
		}
	}
	if len(j.Result) > 160 {
		return string(j.Result[:157]) + "…"
	}
	return string(j.Result)
}

func decode(raw json.RawMessage, v any) bool { return json.Unmarshal(raw, v) == nil }

// creditText writes a credit in its currency's units: "12.34 EUR".
func creditText(c hes.CreditResult) string {
	return strings.TrimSpace(fmt.Sprintf("%.2f %s", float64(scaleMicros(c.Credit, c.Scale))/1e6, c.Currency))
}
