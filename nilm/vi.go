package nilm

import "math"

// viPoints is the length of the polyline the self-intersection count and the
// mean line use: enough to follow a rectifier's pulse, few enough that the
// O(n²) crossing test stays cheap.
const viPoints = 64

// viShape computes the V-I trajectory descriptors of one cycle whose voltage
// starts at a rising zero crossing. peakV and peakI are max|v| and max|i|.
func viShape(v, i []float64, peakV, peakI float64) VIShape {
	n := len(v)
	var s VIShape
	if peakV == 0 || peakI == 0 {
		return s
	}
	var vs, is [viPoints]float64
	for k := range viPoints {
		pos := float64(k) * float64(n) / viPoints
		vs[k] = lerpAt(v, pos) / peakV
		is[k] = lerpAt(i, pos) / peakI
	}
	// Signed area, shoelace over the full-resolution closed loop.
	var area float64
	for k := range n {
		next := (k + 1) % n
		area += v[k]*i[next] - v[next]*i[k]
	}
	s.Area = area / 2 / (peakV * peakI)

	half := n / 2
	var asym float64
	for k := range n {
		d := (i[k] + i[(k+half)%n]) / 2 / peakI
		asym += d * d
	}
	s.Asymmetry = math.Sqrt(asym / float64(n))

	// Mean line: the average of the rising-voltage and falling-voltage
	// branches at the same voltage. With v starting at a rising zero
	// crossing, sample k of the first quarter and sample half−k of the
	// second are at (about) the same voltage; likewise for the negative
	// half. Its curvature is the RMS residual about its least-squares line.
	q := viPoints / 4
	var mx, my [viPoints / 2]float64
	for k := range q {
		mx[k] = (vs[k] + vs[viPoints/2-k]) / 2
		my[k] = (is[k] + is[viPoints/2-k]) / 2
		mx[q+k] = (vs[viPoints/2+k] + vs[(viPoints-k)%viPoints]) / 2
		my[q+k] = (is[viPoints/2+k] + is[(viPoints-k)%viPoints]) / 2
	}
	s.Curvature = lineResidual(mx[:], my[:])

	for a := range viPoints {
		a2 := (a + 1) % viPoints
		for b := a + 2; b < viPoints; b++ {
			b2 := (b + 1) % viPoints
			if b2 == a {
				continue // adjacent through the wrap
			}
			if segmentsCross(vs[a], is[a], vs[a2], is[a2], vs[b], is[b], vs[b2], is[b2]) {
				s.SelfIntersections++
			}
		}
	}

	for k := range n {
		if math.Abs(v[k]) < 0.2*peakV {
			s.MiddlePeak = max(s.MiddlePeak, math.Abs(i[k])/peakI)
		}
	}
	return s
}

// lerpAt reads x at a fractional index, wrapping at the end of the cycle.
func lerpAt(x []float64, pos float64) float64 {
	k := int(pos)
	frac := pos - float64(k)
	return x[k%len(x)]*(1-frac) + x[(k+1)%len(x)]*frac
}

// lineResidual is the RMS distance of (x, y) from its least-squares line.
func lineResidual(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy, sxx, sxy float64
	for k := range x {
		sx += x[k]
		sy += y[k]
		sxx += x[k] * x[k]
		sxy += x[k] * y[k]
	}
	den := n*sxx - sx*sx
	slope := 0.0
	if den > 0 {
		slope = (n*sxy - sx*sy) / den
	}
	icept := (sy - slope*sx) / n
	var r float64
	for k := range x {
		d := y[k] - icept - slope*x[k]
		r += d * d
	}
	return math.Sqrt(r / n)
}

// crossTolerance is the least |cross product| (in normalised units²) that
// counts as a side of a segment: a trajectory that retraces itself, like a
// resistor's straight line, touches without crossing.
const crossTolerance = 1e-4

// segmentsCross reports whether segments p1p2 and p3p4 cross, each end
// clearly on its own side of the other segment.
func segmentsCross(x1, y1, x2, y2, x3, y3, x4, y4 float64) bool {
	side := func(d float64) int {
		switch {
		case d > crossTolerance:
			return 1
		case d < -crossTolerance:
			return -1
		}
		return 0
	}
	d1 := side(cross(x3, y3, x4, y4, x1, y1))
	d2 := side(cross(x3, y3, x4, y4, x2, y2))
	d3 := side(cross(x1, y1, x2, y2, x3, y3))
	d4 := side(cross(x1, y1, x2, y2, x4, y4))
	return d1*d2 < 0 && d3*d4 < 0
}

// cross is the z component of (b−a)×(c−a).
func cross(ax, ay, bx, by, cx, cy float64) float64 {
	return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax)
}
