package web

import (
	"strings"

	"github.com/amigo-ami/amigo/store"
)

// channelInfo describes a channel the API serves: stored values times
// 10^Scaler are in Unit (the register's scaler-unit, IEC 62056-6-2 IC 3).
// Cumulative channels are registers that only grow (energy); the others
// are instantaneous values sampled by a profile.
type channelInfo struct {
	Channel    store.Channel
	Name       string
	Unit       string
	Scaler     int
	Cumulative bool
}

// channels are the channels of ARCHITECTURE §4 that meters store in their
// load profiles or the head-end reads as instantaneous values, with the
// amigo meter's scalers (meter/objects: voltage in 0.1 V, current in mA,
// frequency in 0.01 Hz, THD in 0.01 %); an unknown channel is refused so
// that a typo in an OBIS code does not read as "no data".
var channels = []channelInfo{
	{store.ActiveImport, "active_import", "Wh", 0, true},
	{store.Channel{1, 0, 1, 8, 1, 255}, "active_import_t1", "Wh", 0, true},
	{store.Channel{1, 0, 1, 8, 2, 255}, "active_import_t2", "Wh", 0, true},
	{store.Channel{1, 0, 1, 8, 3, 255}, "active_import_t3", "Wh", 0, true},
	{store.Channel{1, 0, 1, 8, 4, 255}, "active_import_t4", "Wh", 0, true},
	{store.ActiveExport, "active_export", "Wh", 0, true},
	{store.ReactiveImport, "reactive_import", "varh", 0, true},
	{store.ReactiveExport, "reactive_export", "varh", 0, true},
	{store.Channel{1, 0, 9, 8, 0, 255}, "apparent_import", "VAh", 0, true},
	{store.Channel{1, 0, 1, 7, 0, 255}, "active_power_import", "W", 0, false},
	{store.Channel{1, 0, 2, 7, 0, 255}, "active_power_export", "W", 0, false},
	{store.Channel{1, 0, 32, 7, 0, 255}, "voltage_l1", "V", -1, false},
	{store.Channel{1, 0, 52, 7, 0, 255}, "voltage_l2", "V", -1, false},
	{store.Channel{1, 0, 72, 7, 0, 255}, "voltage_l3", "V", -1, false},
	{store.Channel{1, 0, 31, 7, 0, 255}, "current_l1", "A", -3, false},
	{store.Channel{1, 0, 51, 7, 0, 255}, "current_l2", "A", -3, false},
	{store.Channel{1, 0, 71, 7, 0, 255}, "current_l3", "A", -3, false},
	{store.Channel{1, 0, 14, 7, 0, 255}, "frequency", "Hz", -2, false},
	{store.Channel{1, 0, 13, 7, 0, 255}, "power_factor", "", -3, false},
	{store.Channel{1, 0, 32, 7, 124, 255}, "thd_voltage_l1", "%", -2, false},
	{store.Channel{1, 0, 52, 7, 124, 255}, "thd_voltage_l2", "%", -2, false},
	{store.Channel{1, 0, 72, 7, 124, 255}, "thd_voltage_l3", "%", -2, false},
	{store.Channel{1, 0, 31, 7, 124, 255}, "thd_current_l1", "%", -2, false},
	{store.Channel{1, 0, 51, 7, 124, 255}, "thd_current_l2", "%", -2, false},
	{store.Channel{1, 0, 71, 7, 124, 255}, "thd_current_l3", "%", -2, false},
}

// lookupChannel finds a channel by OBIS code (either notation of
// store.ParseChannel) or by name.
func lookupChannel(s string) (channelInfo, bool) {
	c, err := store.ParseChannel(s)
	for _, ci := range channels {
		if (err == nil && ci.Channel == c) || ci.Name == s {
			return ci, true
		}
	}
	return channelInfo{}, false
}

func channelNames() string {
	names := make([]string, len(channels))
	for i, c := range channels {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
