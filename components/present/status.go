package present

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
)

// role is what a text column holds beyond its kind, which decides how its
// values look and sort.
type role int

const (
	rolePlain    role = iota
	roleStatus        // where a record is in its life: every value is a badge
	rolePriority      // how urgent a record is: a marked level, not a badge
)

// columnRole recognises status and priority columns by their key or title,
// the names systems and configurations give them ("Status", "Stage",
// "ticket_priority").
func columnRole(c adapters.Column) role {
	if c.Kind != adapters.KindText {
		return rolePlain
	}
	for _, name := range []string{c.Key, c.Title} {
		for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) }) {
			switch w {
			case "status", "stage", "state", "stagename":
				return roleStatus
			case "priority", "severity", "urgency":
				return rolePriority
			}
		}
	}
	return rolePlain
}

// Priority levels, from the least to the most urgent. Sort keys are the
// level's number, so that a column sorts Low, Medium, High, Urgent.
var priorityLevels = map[string]int{
	"lowest": 1, "low": 1, "minor": 1, "p4": 1,
	"normal": 2, "medium": 2, "moderate": 2, "p3": 2,
	"high": 3, "major": 3, "p2": 3,
	"urgent": 4, "critical": 4, "highest": 4, "blocker": 4, "p1": 4,
}

// priorityClass is the CSS modifier of each level.
var priorityClass = [...]string{1: "low", 2: "medium", 3: "high", 4: "urgent"}

// statusLife lists status words in the order a record goes through them:
// not started, under way, done, ended otherwise. A status column sorts in
// this order; words it does not know come after, alphabetically.
var statusLife = []struct {
	word, tone string
}{
	{"draft", "muted"}, {"new", "muted"}, {"not started", "muted"},
	// Salesforce's opportunity stages, in their standard order.
	{"prospecting", "muted"}, {"qualification", "muted"}, {"needs analysis", "muted"},
	{"value proposition", "warn"}, {"id. decision makers", "warn"}, {"perception analysis", "warn"},
	{"proposal/price quote", "warn"}, {"negotiation/review", "warn"},
	{"open", "warn"}, {"trialing", "warn"}, {"active", "ok"}, {"working", "warn"}, {"in progress", "warn"},
	{"pending", "warn"}, {"on hold", "warn"}, {"waiting", "warn"}, {"escalated", "bad"},
	{"incomplete", "bad"}, {"past due", "bad"}, {"overdue", "bad"}, {"unpaid", "bad"},
	{"shipped", "ok"}, {"in transit", "ok"}, {"delivered", "ok"}, {"solved", "ok"}, {"resolved", "ok"},
	{"completed", "ok"}, {"closed won", "ok"}, {"won", "ok"}, {"paid", "ok"}, {"closed", "ok"},
	{"closed lost", "bad"}, {"lost", "bad"}, {"uncollectible", "bad"}, {"failed", "bad"},
	{"cancelled", "muted"}, {"canceled", "muted"}, {"incomplete expired", "muted"}, {"void", "muted"},
}

var statusRank = func() map[string]int {
	m := make(map[string]int, len(statusLife))
	for i, s := range statusLife {
		m[s.word] = i + 1
	}
	return m
}()

// normalWord is s as the tables above spell it: lower case, "_" as space.
func normalWord(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(s, "_", " "))), " ")
}

// label shows a system's status or priority word the same way whatever the
// system's spelling: "past_due" and "paid" become "Past due" and "Paid";
// words already in mixed case ("Closed Won") stay as they are.
func label(s string) string {
	if s != strings.ToLower(s) {
		return s
	}
	s = strings.ReplaceAll(s, "_", " ")
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// statusCell shows a status as a badge coloured by its tone (a neutral one
// for words it does not know) and sorts it along the record's life.
func statusCell(c components.Cell) components.Cell {
	if c.Sort == "" { // no value
		return c
	}
	w := normalWord(c.Text)
	c.Text = label(c.Text)
	if i, ok := statusRank[w]; ok {
		c.Badge = statusLife[i-1].tone
		c.Sort = fmt.Sprintf("%02d", i)
		return c
	}
	c.Badge = "neutral"
	c.Sort = fmt.Sprintf("%02d %s", len(statusLife)+1, w)
	return c
}

// priorityCell marks a priority by its level and sorts it by urgency; a word
// it does not know sorts below Low.
func priorityCell(c components.Cell) components.Cell {
	if c.Sort == "" {
		return c
	}
	c.Text = label(c.Text)
	n := priorityLevels[normalWord(c.Text)]
	c.Sort = fmt.Sprint(n)
	if n > 0 {
		c.Priority = priorityClass[n]
	}
	return c
}

// byRole gives a cell of a column with role r its look and sort key.
func byRole(r role, c components.Cell) components.Cell {
	switch r {
	case roleStatus:
		return statusCell(c)
	case rolePriority:
		return priorityCell(c)
	}
	return c
}

// eventStatus shows an event's status word: a priority (a case opened with
// "high") as a priority, anything else as a status badge.
func eventStatus(it *components.TimelineItem, s string) {
	if s == "" {
		return
	}
	if n, ok := priorityLevels[normalWord(s)]; ok {
		it.Priority, it.PriorityLevel = label(s), priorityClass[n]
		return
	}
	c := statusCell(components.Cell{Text: s, Sort: s})
	it.Status, it.Badge = c.Text, c.Badge
}
