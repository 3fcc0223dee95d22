package guard

import "time"

// usageMaxAge is the age past which a usage reading no longer holds calls
// back. Usage is read from the system's answers, and while the budget holds
// calls back there are fewer of them: without this bound a reading above the
// share could hold them back long after the allocation freed up.
const usageMaxAge = 15 * time.Minute

// overBudget reports whether the source has spent its share of its API
// allocation, logging when that changes.
func (g *Guarded) overBudget() bool {
	if g.usage == nil {
		return false
	}
	used, limit, seen := g.usage.Usage()
	over := limit > 0 && g.now().Sub(seen) <= usageMaxAge &&
		float64(used) >= g.p.BudgetShare*float64(limit)
	if g.overUsed.Swap(over) != over {
		if over {
			g.log.Warn("guard: API budget nearly spent; serving cached facets and deferring refreshes",
				"source", g.name, "used", used, "limit", limit, "share", g.p.BudgetShare)
		} else {
			g.log.Info("guard: API budget back under its share; refreshing again",
				"source", g.name, "used", used, "limit", limit, "share", g.p.BudgetShare)
		}
	}
	return over
}
