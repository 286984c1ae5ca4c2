package eval

import (
	"slices"
	"strconv"

	"github.com/amigo-ami/amigo/nilm"
)

// Scores are the figures of one method over a set of predictions.
type Scores struct {
	Method   string             `json:"method"`
	Accuracy float64            `json:"accuracy"`
	MacroF1  float64            `json:"macro_f1"`
	Unknown  int                `json:"unknown"` // predictions of nilm.Unknown
	Recall   map[string]float64 `json:"recall"`
	// Confusion[t][p]: events of Labels[t] predicted as Columns[p].
	Labels    []string `json:"labels"`
	Columns   []string `json:"columns"` // Labels then nilm.Unknown
	Confusion [][]int  `json:"confusion"`
}

// Score compares predictions with the truth.
func Score(method string, truth, pred []string) Scores {
	labels := slices.Clone(truth)
	slices.SortFunc(labels, compareLabels)
	labels = slices.Compact(labels)
	cols := append(slices.Clone(labels), nilm.Unknown)
	s := Scores{Method: method, Labels: labels, Columns: cols, Recall: map[string]float64{}}
	s.Confusion = make([][]int, len(labels))
	for t := range s.Confusion {
		s.Confusion[t] = make([]int, len(cols))
	}
	correct := 0
	for i := range truth {
		t := slices.Index(labels, truth[i])
		p := slices.Index(cols, pred[i])
		if p < 0 {
			p = len(cols) - 1 // a label never seen in the truth counts with unknown
		}
		s.Confusion[t][p]++
		if truth[i] == pred[i] {
			correct++
		}
		if pred[i] == nilm.Unknown {
			s.Unknown++
		}
	}
	s.Accuracy = float64(correct) / float64(len(truth))
	var f1sum float64
	for t, l := range labels {
		tp, row, col := s.Confusion[t][t], 0, 0
		for p := range cols {
			row += s.Confusion[t][p]
		}
		for r := range labels {
			col += s.Confusion[r][t]
		}
		recall := float64(tp) / float64(row)
		s.Recall[l] = recall
		if tp > 0 {
			prec := float64(tp) / float64(col)
			f1sum += 2 * prec * recall / (prec + recall)
		}
	}
	s.MacroF1 = f1sum / float64(len(labels))
	return s
}

// compareLabels orders numeric labels numerically, others as text after them.
func compareLabels(a, b string) int {
	ai, errA := strconv.Atoi(a)
	bi, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return ai - bi
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}
