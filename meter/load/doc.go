// Package load is the household load models a software meter runs on in
// fast mode: what power a load draws at each instant, as metrology.Power
// for the metrology core's accumulator. Models are deterministic functions
// of time (no state, no randomness), so a simulation replays identically
// and a fleet can share one model.
//
//	constant:W[,PF]   a constant load of W watts (power factor PF, default 1)
//	pv:W              a photovoltaic system exporting up to W watts at local noon
//	ev[:W[,HH:MM[,H]]] an electric vehicle charging W watts (7400) daily from HH:MM
//	                  (22:00, UTC) for H hours (4)
//	ampds[:COLUMN]    AMPds R1 hourly household energy (whole house, WHE, by default),
//	                  looped over its two years, with a zero-mean ripple within each hour
//	A+B               the sum of two models (e.g. ampds+pv:3000)
//
// AMPds: Makonin et al., "AMPds: A Public Dataset for Load Disaggregation
// and Eco-Feedback Research", IEEE EPEC 2013 (non-commercial use); read
// from ../shared/data/ampds-r1 (or $AMIGO_SHARED_DATA), never copied.
package load
