// Package supply is the meter's load switch logic: disconnect control
// (IC 70) with its three states and control modes 0–6, and the limiter
// (IC 71) that watches a value against a normal or emergency threshold and
// fires its over- and under-threshold actions after the minimum durations.
//
// # Disconnect control
//
// States: 0 disconnected, 1 connected, 2 ready for reconnection. The
// transitions are the Blue Book's:
//
//	a remote_reconnect   disconnected → connected            modes 2, 4
//	b remote_disconnect  connected → disconnected            modes 1–6
//	c remote_disconnect  ready → disconnected                modes 1–6
//	d remote_reconnect   disconnected → ready                modes 1, 3, 5, 6
//	e manual_reconnect   ready → connected                   modes 1–6
//	f manual_disconnect  connected → ready                   modes 1, 2, 5
//	g local_disconnect   connected → ready                   modes 1–6
//	h local_reconnect    ready → connected                   modes 5, 6
//
// In mode 0 the output is always connected. A trigger the mode does not
// allow returns ErrNotAllowed; one that does not apply in the current
// state changes nothing.
//
// Plain values for one owner; not safe for concurrent use.
package supply
