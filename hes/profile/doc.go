// Package profile turns COSEM values the head-end reads or receives into
// readings and events: profile generic buffers (IC 7: load profiles and
// event logs, rows of capture objects), register values and date-times.
// The pull paths (profile reads) and the push listener share it. Nothing
// here allocates beyond the slices it appends to.
package profile
