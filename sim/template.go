package sim

import (
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/push"
)

// templateTOML is the built-in shape of a simulated meter: the demo keys,
// a two-rate weekday calendar, five days of 15-minute profile (enough for
// the head-end to backfill a long outage), no 1-minute profile, short
// logs, a credit account, a supply the head-end switches remotely, and
// three push setups — every 15 minutes the registers (the head-end's
// default push layout), on power failure (last gasp) the standard event
// log's code, on tamper the tamper log's. Destinations are the fleet's.
const templateTOML = `
serial = "0000000001"
[tariff]
calendar = "sim-2rate"
prices = [0.20, 0.12, 0.20, 0.12]
[[tariff.season]]
name = "all"
start = "*-01-01"
week = "w"
[[tariff.week]]
name = "w"
days = [1, 1, 1, 1, 1, 2, 2]
[[tariff.day]]
id = 1
actions = [{ start = "07:00", tariff = 1 }, { start = "21:00", tariff = 2 }]
[[tariff.day]]
id = 2
actions = [{ start = "00:00", tariff = 2 }]
[profiles]
load15 = { period = "15m", capacity = 480 }
load1 = { capacity = -1 }
daily = 31
monthly = 12
events = 50
[prepay]
mode = "credit"
currency = "EUR"
scale = -2
[disconnect]
mode = 2 # the head-end disconnects and reconnects remotely (Blue Book transitions a, b)

[[push]]
name = "0.0.25.9.0.255"
destination = "127.0.0.1:4060"
objects = ["40/0.0.25.9.0.255/1", "8/0.0.1.0.0.255/2", "3/1.0.1.8.0.255/2", "3/1.0.2.8.0.255/2", "3/1.0.3.8.0.255/2", "3/1.0.4.8.0.255/2"]
schedule = ["*-*-* *:00", "*-*-* *:15", "*-*-* *:30", "*-*-* *:45"]
randomisation = "120s"
retries = 3
repetition_delay = "60s"

[[push]]
name = "0.0.25.9.1.255"
destination = "127.0.0.1:4060"
objects = ["40/0.0.25.9.1.255/1", "8/0.0.1.0.0.255/2", "1/0.0.96.11.0.255/2"]
last_gasp = true

[[push]]
name = "0.0.25.9.2.255"
destination = "127.0.0.1:4060"
objects = ["40/0.0.25.9.2.255/1", "8/0.0.1.0.0.255/2", "1/0.0.96.11.1.255/2"]
on_events = [40, 42, 44]       # terminal cover, magnetic field, meter cover
randomisation = "10s"
retries = 3
repetition_delay = "60s"
`

// Template returns the built-in meter template (see Config.Template).
func Template() config.File {
	f, err := config.Parse("sim template", []byte(templateTOML))
	if err != nil {
		panic(err) // a constant that parses; a test checks it
	}
	return f
}

// PushSetups returns the built-in template's push setups: the interval
// push 0.0.25.9.0.255 (the head-end's default layout: its logical name,
// the clock, +A, −A, +R, −R), the last gasp 0.0.25.9.1.255 and the
// tamper push 0.0.25.9.2.255 (logical name, clock, and the standard or
// tamper event code object). A head-end decodes each by its object list.
func PushSetups() []push.Setup {
	var out []push.Setup
	for _, p := range Template().Meter.Push {
		out = append(out, p.Setup)
	}
	return out
}
