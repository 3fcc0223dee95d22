package present

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atrium-dev/atrium/components"
)

// halfWidth is how many characters of a table's narrowest layout fit a panel
// half the width of a wide screen, counted as the average character of the
// page's font (14 px) is wide.
const halfWidth = 86

// wideTable reports whether t needs more than half a wide screen: the sum,
// over its columns, of the longest value that may not be broken (an id, a
// badge, a date) or else the longest word, with each cell's padding. A panel
// with such a table spans the page, so that no column of it is off-screen.
func wideTable(t *components.Table) bool {
	total := 0
	for i, col := range t.Columns {
		w := longestWord(col.Title) + 3 // upper case headers are wider, and have a sort mark
		for _, r := range t.Rows {
			if i < len(r.Cells) {
				w = max(w, unbreakable(r.Cells[i]))
			}
		}
		total += w + 2
	}
	return total > halfWidth
}

// unbreakable is the width, in characters, that cell c cannot be narrower
// than.
func unbreakable(c components.Cell) int {
	switch {
	case c.Badge != "":
		return utf8.RuneCountInString(c.Text) + 2
	case strings.Contains(c.Class, "nowrap"):
		return utf8.RuneCountInString(c.Text)
	case c.Priority != "":
		return utf8.RuneCountInString(c.Text) + 2
	}
	return longestWord(c.Text)
}

// longestWord counts the characters of s's longest run without a space
// where a line may break (a no-break space binds).
func longestWord(s string) int {
	n := 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != '\u00a0' }) {
		n = max(n, utf8.RuneCountInString(w))
	}
	return n
}
