package eval

import (
	"fmt"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/amigo-ami/amigo/nilm"
)

// confusionGrid shows a confusion matrix row-normalised (the share of each
// true appliance's events given each answer), truth on the y axis from the
// top down.
type confusionGrid struct{ s Scores }

func (g confusionGrid) Dims() (c, r int) { return len(g.s.Columns), len(g.s.Labels) }
func (g confusionGrid) X(c int) float64  { return float64(c) }
func (g confusionGrid) Y(r int) float64  { return float64(r) }
func (g confusionGrid) Z(c, r int) float64 {
	row := g.s.Confusion[len(g.s.Labels)-1-r]
	total := 0
	for _, n := range row {
		total += n
	}
	if total == 0 {
		return 0
	}
	return float64(row[c]) / float64(total)
}
func (g confusionGrid) Min() float64 { return 0 }
func (g confusionGrid) Max() float64 { return 1 }

// PlotConfusion writes a PNG with one confusion matrix per method, side by
// side, each cell coloured by its share of the row and labelled with its
// count.
func PlotConfusion(path string, methods []Scores) error {
	const cell = 0.32 * vg.Inch
	if len(methods) == 0 {
		return fmt.Errorf("plot %s: no methods", path)
	}
	row := make([]*plot.Plot, len(methods))
	for k, s := range methods {
		p, err := confusionPlot(s)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		row[k] = p
	}
	n := len(methods[0].Columns)
	w := vg.Length(len(methods)) * (vg.Length(n)*cell + 0.9*vg.Inch)
	h := vg.Length(len(methods[0].Labels))*cell + 1.2*vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(methods), PadX: vg.Millimeter * 4}
	for k, c := range plot.Align([][]*plot.Plot{row}, tiles, dc)[0] {
		row[k].Draw(c)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return f.Close()
}

func confusionPlot(s Scores) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %.1f %%", s.Method, 100*s.Accuracy)
	p.X.Label.Text = "answer"
	p.Y.Label.Text = "appliance"
	pal := moreland.SmoothBlueRed().Palette(64)
	p.Add(plotter.NewHeatMap(confusionGrid{s}, pal))
	var xys plotter.XYLabels
	for r, row := range s.Confusion {
		for c, cnt := range row {
			if cnt == 0 {
				continue
			}
			xys.XYs = append(xys.XYs, plotter.XY{X: float64(c), Y: float64(len(s.Labels) - 1 - r)})
			xys.Labels = append(xys.Labels, strconv.Itoa(cnt))
		}
	}
	labels, err := plotter.NewLabels(xys)
	if err != nil {
		return nil, err
	}
	for k := range labels.TextStyle {
		labels.TextStyle[k].XAlign = draw.XCenter
		labels.TextStyle[k].YAlign = draw.YCenter
	}
	p.Add(labels)
	var xt, yt []plot.Tick
	for c, l := range s.Columns {
		if l == nilm.Unknown {
			l = "?"
		}
		xt = append(xt, plot.Tick{Value: float64(c), Label: l})
	}
	for r, l := range s.Labels {
		yt = append(yt, plot.Tick{Value: float64(len(s.Labels) - 1 - r), Label: l})
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	return p, nil
}
