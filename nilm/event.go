package nilm

// Event is one detected switching event: the appliance's own current cycle
// against the voltage cycle, both starting at a rising voltage zero crossing.
type Event struct {
	Cycle     int       // index of the first steady cycle after the step
	Sample    int64     // stream sample index at which that cycle starts
	On        bool      // current increased (switch-on) or decreased (switch-off)
	Voltage   []float64 // V, one cycle
	Current   []float64 // A, after − before for switch-on, before − after for switch-off
	DeltaP    float64   // W, after − before
	DeltaQ1   float64   // var, after − before
	DeltaIRMS float64   // A, after − before
	Transient Transient
}

// Transient describes the switch-on transient, where the stream shows one.
type Transient struct {
	Cycles    int     // cycles between the last steady cycle before and the first steady cycle after
	PeakRatio float64 // largest |Δi| during the transient over the peak of the steady Δi (inrush)
}

// State is the event's direction.
func (e *Event) State() State {
	if e.On {
		return On
	}
	return Off
}
