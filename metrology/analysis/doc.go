// Package analysis runs the metrology core over a whole sample file and
// reports one analysis of it: the document `amigo metrology analyze` prints
// (ARCHITECTURE §5).
//
// The core analyses 10-cycle windows (12 at 60 Hz); the report aggregates
// them weighted by duration: RMS values and harmonic magnitudes as the root
// of the mean square, powers as means, S = U·I and S1 = U1·I1 from the
// aggregated RMS values, PF and THD from those, the angle of each current
// harmonic from the mean of U_h·I_h*, and the frequency as cycles over
// time. Energies are the core's registers after the last sample: the whole
// file's duration, including the part after the last whole window.
package analysis
