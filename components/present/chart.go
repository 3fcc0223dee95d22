package present

import (
	"math"
	"strconv"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// Chart geometry, in SVG user units: each month has a slot of chartSlot, and
// the bars' drawing is chartHeight high with chartTop left above the axis's
// highest value for its label.
const (
	chartSlot   = 100
	chartHeight = 132
	chartTop    = 8
)

// barChart draws months as bars on a value axis that starts at zero and ends
// at a round value at or above the largest month, with a labelled grid line
// at each round step ("0", "500", "1k", "1.5k").
func barChart(title string, months []customer.MonthTotal, currency string) *components.BarChart {
	c := &components.BarChart{Title: title, Width: chartSlot * len(months), Height: chartHeight}
	top := 0.0
	for _, m := range months {
		top = max(top, m.Amount)
	}
	axisMax, step := axis(top)
	plot := float64(chartHeight - chartTop)
	y := func(v float64) int {
		if axisMax == 0 {
			return chartHeight
		}
		return chartHeight - int(math.Round(v/axisMax*plot))
	}
	c.Ticks = append(c.Ticks, components.Tick{Label: "0", Y: chartHeight})
	for i := 1; step > 0 && float64(i)*step <= axisMax+step/2; i++ {
		v := float64(i) * step
		c.Ticks = append(c.Ticks, components.Tick{Label: compact(v), Y: y(v)})
	}
	for i, m := range months {
		h := chartHeight - y(m.Amount)
		if m.Amount > 0 && h < 2 {
			h = 2 // a small amount stays visible
		}
		c.Bars = append(c.Bars, components.Bar{
			Label: m.Month.Format("Jan"), Value: Money(m.Amount, currency),
			X: i*chartSlot + chartSlot/6, W: chartSlot * 2 / 3, Y: chartHeight - h, H: h,
		})
	}
	return c
}

// axis returns the top of a value axis for values up to top, and its step:
// the smallest of 1, 2, 2.5 or 5 times a power of ten that reaches top in at
// most five steps.
func axis(top float64) (axisMax, step float64) {
	if top <= 0 || math.IsInf(top, 0) || math.IsNaN(top) {
		return 0, 0
	}
	raw := top / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	return math.Ceil(top/step-1e-9) * step, step
}

// compact writes an axis value short: "750", "1.5k", "12k", "2.5M".
func compact(v float64) string {
	for _, u := range []struct {
		size float64
		unit string
	}{{1e9, "B"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= u.size {
			return strconv.FormatFloat(math.Round(v/u.size*100)/100, 'f', -1, 64) + u.unit
		}
	}
	return Number(v)
}
