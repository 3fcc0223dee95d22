package present

import (
	"slices"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

func months(amounts ...float64) []customer.MonthTotal {
	var out []customer.MonthTotal
	for i, a := range amounts {
		out = append(out, customer.MonthTotal{Month: time.Date(2026, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC), Amount: a})
	}
	return out
}

func tickLabels(ts []components.Tick) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Label)
	}
	return out
}

func TestChartAxisHasRoundValues(t *testing.T) {
	tests := []struct {
		name    string
		amounts []float64
		want    []string
	}{
		{"monthly plan", []float64{0, 0, 1664, 1664, 1664, 0}, []string{"0", "500", "1k", "1.5k", "2k"}},
		{"just above a step", []float64{1100, 300}, []string{"0", "250", "500", "750", "1k", "1.25k"}},
		{"exactly round", []float64{1000}, []string{"0", "200", "400", "600", "800", "1k"}},
		{"small amounts", []float64{7, 3}, []string{"0", "2", "4", "6", "8"}},
		{"millions", []float64{2_400_000}, []string{"0", "500k", "1M", "1.5M", "2M", "2.5M"}},
		{"nothing invoiced", []float64{0, 0, 0}, []string{"0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := barChart("Invoiced", months(tt.amounts...), "USD")
			if got := tickLabels(c.Ticks); !slices.Equal(got, tt.want) {
				t.Fatalf("axis %q, want %q", got, tt.want)
			}
			// Zero sits on the base line, the top value at the top of the plot,
			// the steps between evenly.
			if c.Ticks[0].Y != chartHeight {
				t.Errorf("zero at %d, want the base line %d", c.Ticks[0].Y, chartHeight)
			}
			if n := len(c.Ticks); n > 1 {
				if c.Ticks[n-1].Y != chartTop {
					t.Errorf("top value at %d, want %d", c.Ticks[n-1].Y, chartTop)
				}
				step := c.Ticks[0].Y - c.Ticks[1].Y
				for i := 1; i < n; i++ {
					if d := c.Ticks[i-1].Y - c.Ticks[i].Y; d < step-1 || d > step+1 {
						t.Errorf("uneven steps: %+v", c.Ticks)
					}
				}
			}
			// Every bar reaches the height of its value on that axis.
			for i, b := range c.Bars {
				if b.Y+b.H != chartHeight || b.Y < chartTop {
					t.Errorf("bar %d = %+v, not standing on the axis", i, b)
				}
			}
		})
	}
	c := barChart("Invoiced", months(0, 1664, 1000), "USD")
	// 1,664 on an axis to 2,000 over 124 units of height.
	if b := c.Bars[1]; b.H != 103 || b.Value != "$1,664" {
		t.Errorf("bar of $1,664 = %+v, want 103 high", b)
	}
	if b := c.Bars[2]; b.H != 62 {
		t.Errorf("bar of $1,000 = %+v, want 62 high, level with the 1k line", b)
	}
	if c.Ticks[2].Y != c.Bars[2].Y {
		t.Errorf("the 1k line at %d, the $1,000 bar's top at %d", c.Ticks[2].Y, c.Bars[2].Y)
	}
}

func TestCompact(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 250: "250", 999: "999", 1000: "1k", 1250: "1.25k", 12_000: "12k", 2_500_000: "2.5M", 3e9: "3B", 0.5: "0.50"} {
		if got := compact(in); got != want {
			t.Errorf("compact(%v) = %q, want %q", in, got, want)
		}
	}
}
