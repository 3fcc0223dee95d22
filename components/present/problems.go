package present

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// words says what a problem means for the user: what happened, and what they
// can do. Every failure of a system is worded here, from its cause, so that a
// panel, the timeline and a search never disagree about what happened.
func words(p *customer.Problem) (message, hint string) {
	t := cmp.Or(p.Source, "The system")
	switch p.Cause {
	case customer.CauseNone:
		return p.Message, p.Hint
	case customer.CauseBug:
		return fmt.Sprintf("Loading from %s failed.", t), "Tell your integration admin; the details are in Atrium's log."
	case customer.CauseEmpty:
		return t + " returned nothing.", "Try again; if it persists, tell your integration admin."
	case customer.CauseTimeout:
		if p.Timeout <= 0 {
			return t + " did not answer in time.", "Try again in a moment."
		}
		return fmt.Sprintf("%s did not answer within %s.", t, p.Timeout), "Try again in a moment."
	case customer.CauseCancelled:
		return "The request was cancelled.", ""
	case customer.CauseUnreachable:
		return t + " is unavailable: Atrium could not connect to it.",
			"Try again in a moment; if it persists, tell your integration admin."
	case customer.CauseUnavailable:
		return t + " is unavailable right now.", "Try again in a moment."
	case customer.CauseBreakerOpen:
		hint = "Atrium stopped calling it after repeated failures and will try again by itself."
		if p.RetryAt.IsZero() {
			return t + " is unavailable.", hint
		}
		return fmt.Sprintf("%s is unavailable, retrying at %s.", t, p.RetryAt.Local().Format("15:04:05")), hint
	case customer.CauseOverBudget:
		return t + "'s daily API allocation is used up.", "Data returns when the allocation resets; tell your integration admin."
	case customer.CauseForbidden:
		return "Atrium's integration user may not read this in " + t + ".", "Ask your integration admin to grant access."
	case customer.CauseNotFound:
		return "This record does not exist in " + t + ".", "It may have been deleted or merged."
	case customer.CauseAuthFailed:
		return "Atrium could not sign in to " + t + ".", "Tell your integration admin: the connection's credentials need attention."
	case customer.CauseBadConfig:
		return t + " rejected Atrium's request.", "Tell your integration admin: the connection's configuration needs attention."
	case customer.CauseBadAnswer:
		return t + " sent an answer Atrium could not read.", "Try again; if it persists, tell your integration admin."
	case customer.CauseLate:
		return "Still loading from " + t + ".", "Load it again in a moment."
	}
	return fmt.Sprintf("Loading from %s failed.", t), "Try again; if it persists, tell your integration admin."
}

// problem maps a panel's problem; retry is the URL that tries again, offered
// when that may help.
func problem(p *customer.Problem, retry string) *components.Problem {
	if p == nil {
		return &components.Problem{Message: "Something went wrong.", Hint: "Reload the page; if it persists, tell your integration admin."}
	}
	out := &components.Problem{}
	out.Message, out.Hint = words(p)
	if p.Retry {
		out.Retry = retry
	}
	return out
}

// missing says which systems' events a timeline lacks, and why: the words of
// each system's problem, as its panel says them.
func missing(ps []customer.SourceProblem) string {
	var said, titles []string
	for _, sp := range ps {
		if msg, _ := words(sp.Problem); !slices.Contains(said, msg) {
			said = append(said, msg)
		}
		if !slices.Contains(titles, sp.Title) {
			titles = append(titles, sp.Title)
		}
	}
	if len(titles) == 0 {
		return ""
	}
	return strings.Join(said, " ") + " Events from " + Titles(titles) + " are missing."
}
