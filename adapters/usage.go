package adapters

import "time"

// UsageReporter is implemented by an adapter, or its client, whose system meters
// API calls against an allocation, as Salesforce does with its daily API
// requests. A guarded source serves from cache rather than spend the last of it.
type UsageReporter interface {
	// Usage returns the calls used and the allocation as the system last reported
	// them, and when; zero values before the first answer.
	Usage() (used, limit int, seen time.Time)
}
