package ami

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store/meta"
)

// Activity calendar passive attributes (IC 20) the tariff update writes.
const (
	calendarName = 6
	seasonTable  = 7
	weekTable    = 8
	dayTable     = 9
)

// tariffScripts is the meter's tariffication script table: selector n
// switches its energy registers to tariff n (1…4).
var tariffScripts = []byte{0, 0, 10, 0, 100, 255}

// maxMeterTariffs is how many tariff registers a meter keeps.
const maxMeterTariffs = 4

// calendarOf turns an MDM tariff into the meter's passive activity
// calendar, activated at once: TOU period i switches the meter to tariff
// register i+1, each season becomes a season with a week whose Monday to
// Friday take the weekday profile and Saturday and Sunday theirs (falling
// back as the tariff does). Holidays stay with the MDM, which prices them
// when it bills; the meter registers them as the day type they fall on.
func calendarOf(t meta.Tariff) (hes.TariffParams, error) {
	if _, err := tariff.Parse(t.Definition); err != nil {
		return hes.TariffParams{}, err
	}
	var d tariff.Definition
	if err := json.Unmarshal(t.Definition, &d); err != nil {
		return hes.TariffParams{}, err
	}
	if len(d.Periods) > maxMeterTariffs {
		return hes.TariffParams{}, fmt.Errorf("%d TOU periods; a meter has %d tariff registers", len(d.Periods), maxMeterTariffs)
	}
	period := map[string]uint16{}
	for i, p := range d.Periods {
		period[p.Name] = uint16(i + 1)
	}
	seasons := d.Seasons
	if len(seasons) == 0 { // one period all the time
		seasons = []tariff.SeasonDef{{From: "01-01", Days: map[string][]tariff.SwitchDef{"weekday": {{At: "00:00", Period: d.Periods[0].Name}}}}}
	}
	var days [][]tariff.SwitchDef // day profile i has id i+1
	dayID := func(sw []tariff.SwitchDef) uint8 {
		i := slices.IndexFunc(days, func(d []tariff.SwitchDef) bool { return slices.Equal(d, sw) })
		if i < 0 {
			days, i = append(days, sw), len(days)
		}
		return uint8(i + 1)
	}
	profile := func(s tariff.SeasonDef, chain ...string) []tariff.SwitchDef {
		for _, c := range chain {
			if sw, ok := s.Days[c]; ok {
				return sw
			}
		}
		return s.Days["weekday"]
	}
	season := axdr.AppendArray(nil, len(seasons))
	week := axdr.AppendArray(nil, len(seasons))
	for i, s := range seasons {
		month, day, err := monthDay(s.From)
		if err != nil {
			return hes.TariffParams{}, fmt.Errorf("season %d: %w", i, err)
		}
		wd, sat, sun := dayID(profile(s, "weekday")), dayID(profile(s, "saturday")), dayID(profile(s, "sunday", "saturday"))
		name := []byte("S" + strconv.Itoa(i+1))
		start := axdr.DateTime{Date: axdr.Date{Year: 0xFFFF, Month: month, Day: day, Weekday: axdr.NotSpecified},
			Deviation: axdr.DeviationNotSpecified, Status: axdr.StatusNotSpecified}
		season = axdr.AppendStructure(season, 3)
		season = axdr.AppendOctetString(axdr.AppendOctetString(season, name), start.Append(nil))
		season = axdr.AppendOctetString(season, name)
		week = axdr.AppendOctetString(axdr.AppendStructure(week, 8), name)
		for _, id := range []uint8{wd, wd, wd, wd, wd, sat, sun} {
			week = axdr.AppendUint8(week, id)
		}
	}
	dayProfiles := axdr.AppendArray(nil, len(days))
	for i, sw := range days {
		dayProfiles = axdr.AppendArray(axdr.AppendUint8(axdr.AppendStructure(dayProfiles, 2), uint8(i+1)), len(sw))
		for _, s := range sw {
			h, m, err := hourMinute(s.At)
			if err != nil {
				return hes.TariffParams{}, err
			}
			dayProfiles = axdr.AppendStructure(dayProfiles, 3)
			dayProfiles = axdr.AppendOctetString(dayProfiles, axdr.Time{Hour: h, Minute: m}.Append(nil))
			dayProfiles = axdr.AppendUint16(axdr.AppendOctetString(dayProfiles, tariffScripts), period[s.Period])
		}
	}
	name := axdr.AppendOctetString(nil, []byte(t.Name))
	return hes.TariffParams{Activate: true, Passive: map[int8]string{
		calendarName: hex.EncodeToString(name), seasonTable: hex.EncodeToString(season),
		weekTable: hex.EncodeToString(week), dayTable: hex.EncodeToString(dayProfiles),
	}}, nil
}

// monthDay reads a season start "MM-DD".
func monthDay(s string) (uint8, uint8, error) {
	m, d, ok := strings.Cut(s, "-")
	mm, err1 := strconv.ParseUint(m, 10, 8)
	dd, err2 := strconv.ParseUint(d, 10, 8)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("season start %q is not MM-DD", s)
	}
	return uint8(mm), uint8(dd), nil
}

// hourMinute reads a switch time "HH:MM".
func hourMinute(s string) (uint8, uint8, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.ParseUint(h, 10, 8)
	mm, err2 := strconv.ParseUint(m, 10, 8)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("switch time %q is not HH:MM", s)
	}
	return uint8(hh), uint8(mm), nil
}
