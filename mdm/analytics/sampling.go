package analytics

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrNoPlan: the lot size or AQL is outside the tables.
var ErrNoPlan = errors.New("analytics: no sampling plan")

// codeLetters is ISO 2859-1:1999 Table 1, general inspection level II:
// the largest lot size of each sample size code letter.
var codeLetters = []struct {
	upTo   int // 0: no upper bound
	letter byte
}{
	{8, 'A'}, {15, 'B'}, {25, 'C'}, {50, 'D'}, {90, 'E'}, {150, 'F'}, {280, 'G'}, {500, 'H'},
	{1200, 'J'}, {3200, 'K'}, {10000, 'L'}, {35000, 'M'}, {150000, 'N'}, {500000, 'P'}, {0, 'Q'},
}

// table2A is ISO 2859-1:1999 Table 2-A, single sampling plans for normal
// inspection (master table), for AQLs (percent nonconforming) 0.010 to 6.5,
// laid out as printed: a row per code letter and sample size, "Ac Re" or
// an arrow to the first plan below (↓) or above (↑) in the same column.
const table2A = `
          0.010  0.015  0.025  0.040  0.065   0.10   0.15   0.25   0.40   0.65    1.0    1.5    2.5    4.0    6.5
A     2       ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1
B     3       ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑
C     5       ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓
D     8       ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2
E    13       ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3
F    20       ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4
G    32       ↓      ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6
H    50       ↓      ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8
J    80       ↓      ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11
K   125       ↓      ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11  14 15
L   200       ↓      ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11  14 15  21 22
M   315       ↓      ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11  14 15  21 22      ↑
N   500       ↓      ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11  14 15  21 22      ↑      ↑
P   800       ↓    0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11  14 15  21 22      ↑      ↑      ↑
Q  1250     0 1      ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11  14 15  21 22      ↑      ↑      ↑      ↑
R  2000       ↑      ↓    1 2    2 3    3 4    5 6    7 8  10 11  14 15  21 22      ↑      ↑      ↑      ↑      ↑
`

// master is table2A parsed.
type master struct {
	aqls    []string
	letters []byte
	sizes   []int
	cells   [][]string // [row][aql]: "0 1", "↓", "↑"
}

var parsed = sync.OnceValues(func() (*master, error) { return parseTable(table2A) })

func parseTable(text string) (*master, error) {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	m := &master{aqls: strings.Fields(lines[0])}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 2 || len(f[0]) != 1 {
			return nil, fmt.Errorf("table 2-A: bad row %q", line)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			return nil, fmt.Errorf("table 2-A: row %q: %w", line, err)
		}
		var cells []string
		for i := 2; i < len(f); i++ {
			if f[i] == "↓" || f[i] == "↑" {
				cells = append(cells, f[i])
				continue
			}
			if i+1 >= len(f) {
				return nil, fmt.Errorf("table 2-A: row %s: Ac without Re", f[0])
			}
			cells = append(cells, f[i]+" "+f[i+1])
			i++
		}
		if len(cells) != len(m.aqls) {
			return nil, fmt.Errorf("table 2-A: row %s has %d cells for %d AQLs", f[0], len(cells), len(m.aqls))
		}
		m.letters = append(m.letters, f[0][0])
		m.sizes = append(m.sizes, n)
		m.cells = append(m.cells, cells)
	}
	return m, nil
}

// Plan is a single sampling plan: inspect SampleSize items of the lot;
// accept the lot with at most Accept nonconforming items, reject it with
// Reject or more.
type Plan struct {
	LotSize    int
	AQL        string // percent nonconforming, as printed in the table ("0.65")
	CodeLetter byte   // from the lot size (Table 1)
	PlanLetter byte   // the row the plan was taken from, after following arrows
	SampleSize int
	Accept     int
	Reject     int
	// Full: the sample is the whole lot (the sample size reached the lot
	// size), so every item is inspected.
	Full bool
}

// SamplingPlan returns the ISO 2859-1 single sampling plan for normal
// inspection at general inspection level II for a lot of lotSize items and
// an AQL of 0.010 to 6.5 (percent nonconforming, written as in the table:
// "0.65", "1.0").
func SamplingPlan(lotSize int, aql string) (Plan, error) {
	m, err := parsed()
	if err != nil {
		return Plan{}, err
	}
	col := slices.Index(m.aqls, aql)
	if col < 0 || lotSize < 2 {
		return Plan{}, fmt.Errorf("lot of %d, AQL %q (tables: lots of 2 or more, AQL one of %s): %w", lotSize, aql, strings.Join(m.aqls, " "), ErrNoPlan)
	}
	p := Plan{LotSize: lotSize, AQL: aql}
	for _, c := range codeLetters {
		if c.upTo == 0 || lotSize <= c.upTo {
			p.CodeLetter = c.letter
			break
		}
	}
	row := slices.Index(m.letters, p.CodeLetter)
	for steps := 0; ; steps++ {
		if row < 0 || row >= len(m.cells) || steps > len(m.cells) {
			return Plan{}, fmt.Errorf("code letter %c, AQL %s: the arrows lead out of the table: %w", p.CodeLetter, aql, ErrNoPlan)
		}
		switch cell := m.cells[row][col]; cell {
		case "↓":
			row++
			continue
		case "↑":
			row--
			continue
		default:
			ac, re, _ := strings.Cut(cell, " ")
			p.Accept, _ = strconv.Atoi(ac)
			p.Reject, _ = strconv.Atoi(re)
		}
		break
	}
	p.PlanLetter, p.SampleSize = m.letters[row], m.sizes[row]
	if p.SampleSize >= lotSize {
		p.SampleSize, p.Full = lotSize, true
	}
	return p, nil
}

// Accepts reports whether a sample with nonconforming items accepts the lot.
func (p Plan) Accepts(nonconforming int) bool { return nonconforming <= p.Accept }

// Draw picks the plan's sample from the lot's items at random, reproducibly
// for a seed (recorded with the inspection so that anyone can redraw it).
func Draw[T any](items []T, n int, seed uint64) []T {
	idx := rand.New(rand.NewPCG(seed, 0x2859)).Perm(len(items))
	out := make([]T, 0, min(n, len(items)))
	for _, i := range idx[:min(n, len(items))] {
		out = append(out, items[i])
	}
	return out
}
