// Package fault is the fleet simulator's fault injection: the fault
// specification (`amigo sim --faults`), each meter's fault plan drawn from
// a seed, and a net.Conn that loses, corrupts and delays the frames a
// meter sends.
//
// # Specification
//
// A comma-separated list of NAME=VALUE items, each name at most once:
//
//	loss=P          each frame a meter sends (an answer or a push) is lost with probability P
//	corrupt=P       each frame a meter sends has one bit of its APDU flipped with probability P
//	latency=D[~J]   each frame a meter sends waits D first, ± up to J (uniform); wall time
//	offline=F[@D]   each meter is unreachable a fraction F of the time, in periods of mean D (1h)
//	outage=F[@D]    each meter is without power a fraction F of the time, in periods of mean D (15m);
//	                it sends its last gasp as the power fails
//	drift=X[ppm]    each meter's crystal is off by a uniform draw in ±X ppm
//	restart=R/PER   each meter restarts (5 s without power, connections cut) R times per PER
//	tamper=R/PER    tamper episodes (meter cover, terminal cover or magnet, 1–10 min each), R per PER
//	icloss=R/PER    the meter loses its invocation counters (they restart at 0), R times per PER
//
// P and F are decimals from 0 to 1 or percentages ("10%"), F below 1; D
// and J are Go durations ("20ms", "2h"); PER is "day", "hour" or a
// duration. Example:
//
//	loss=10%,corrupt=1%,offline=5%@2h,latency=20ms~10ms,drift=50ppm,outage=0.2%@20m,restart=0.1/day
//
// A fault file (TOML) has the same names as keys and the same values as
// strings, or numbers where a number is enough:
//
//	loss = 0.1
//	offline = "5%@2h"
//	drift = 50
//	restart = "0.1/day"
//
// Errors name the item ("fault spec: item 3 \"offline=1.5\": fraction
// 1.5: want 0 ≤ F < 1") or the file line ("faults.toml:4: offline: …").
//
// # Plans and reproducibility
//
// A Plan is one meter's faults: its crystal's drift and the times its
// periods (offline, outage, restart, tamper) start and end and its
// counters are lost, generated one event at a time as the simulation
// reaches them, and the fate of each frame it sends. Every kind draws from
// its own PCG stream seeded by (seed, meter index, kind), so the same seed
// gives every meter the same faults on every run, whatever the speed, the
// number of CPUs or the other kinds configured. Periods alternate: the
// time between the end of one and the start of the next is exponential
// (for offline and outage with mean D·(1−F)/F, so that the long-run
// fraction is F; for the rated kinds with mean PER/R), and a meter starts
// offline or without power with probability F.
//
// A Plan's frame draws are safe for concurrent use (a meter's answers and
// its pushes go out on different goroutines); its events belong to the
// goroutine that steps the meter.
package fault
