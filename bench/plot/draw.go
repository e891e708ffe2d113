package main

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Targets drawn as dashed lines: the p99 every second must stay under
// (issue 10), and the memory budget per server, 2 × data + 256 MiB.
const (
	p99TargetMs     = 20
	memoryBudgetMiB = 256
)

var serverColors = []color.Color{
	color.RGBA{0x22, 0xaa, 0x77, 0xff}, color.RGBA{0x22, 0x77, 0xcc, 0xff},
	color.RGBA{0xcc, 0x55, 0x22, 0xff}, color.RGBA{0xaa, 0x33, 0xaa, 0xff}, color.RGBA{0x77, 0x77, 0x77, 0xff},
}

// panel is one row of the figure: a quantity of each second.
type panel struct {
	label  string
	series func(s sample) []float64 // one value per series
	names  []string
	target func(s sample) float64 // a dashed reference, or nil
}

// drawPNG draws the panels in two columns, against the data written (left)
// and against time (right), and writes the figure as a PNG.
func drawPNG(w io.Writer, title string, samples []sample, panels []panel) error {
	axes := []struct {
		label string
		x     func(s sample) float64
	}{{"data written, MiB", func(s sample) float64 { return s.dataMiB }}, {"time, s", func(s sample) float64 { return s.seconds }}}
	grid := make([][]*plot.Plot, len(panels))
	for i, pn := range panels {
		for _, ax := range axes {
			p, err := drawPanel(samples, pn, ax.label, ax.x)
			if err != nil {
				return err
			}
			grid[i] = append(grid[i], p)
		}
	}
	grid[0][0].Title.Text = title
	img := vgimg.New(16*vg.Inch, vg.Length(4*len(panels))*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 2, PadX: vg.Inch / 3, PadY: vg.Inch / 3,
		PadTop: vg.Inch / 4, PadBottom: vg.Inch / 4, PadLeft: vg.Inch / 4, PadRight: vg.Inch / 4}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			grid[i][j].Draw(canvases[i][j])
		}
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// drawPanel plots one quantity against x.
func drawPanel(samples []sample, pn panel, xLabel string, x func(sample) float64) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = xLabel, pn.label
	p.Add(plotter.NewGrid())
	for k, name := range pn.names {
		xys := make(plotter.XYs, len(samples))
		for i, s := range samples {
			xys[i] = plotter.XY{X: x(s), Y: pn.series(s)[k]}
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("plot: %s: %w", pn.label, err)
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Radius = serverColors[k%len(serverColors)], vg.Points(1.2)
		p.Add(sc)
		if len(pn.names) > 1 {
			p.Legend.Add(name, sc)
		}
	}
	if pn.target != nil {
		if err := addTarget(p, samples, x, pn.target); err != nil {
			return nil, err
		}
	}
	p.X.Min, p.Y.Min = 0, 0
	return p, nil
}

// addTarget draws a dashed reference line.
func addTarget(p *plot.Plot, samples []sample, x func(sample) float64, target func(sample) float64) error {
	xys := make(plotter.XYs, len(samples))
	for i, s := range samples {
		xys[i] = plotter.XY{X: x(s), Y: target(s)}
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	l.LineStyle.Color = color.Gray{Y: 0x60}
	p.Add(l)
	p.Legend.Add("target", l)
	return nil
}
