package components

import (
	"encoding/csv"
	"io"
	"strings"
)

// WriteCSV writes t's columns and rows as CSV, each value as the panel shows
// it: the export carries what the panel's view model carries, and nothing
// else. A value a spreadsheet would run as a formula (starting with = + - @,
// a tab or a carriage return) is written with a leading apostrophe, as
// OWASP advises against CSV injection; bidirectional controls are left out,
// as on every page (see Render).
func WriteCSV(w io.Writer, t Table) error {
	bw := &BidiSafeWriter{W: w}
	cw := csv.NewWriter(bw)
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = CSVSafe(c.Title)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, r := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(r.Cells) {
				rec[i] = CSVSafe(csvText(r.Cells[i]))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Close()
}

// csvText is a cell's value for a spreadsheet: empty when the panel shows
// that there is none ("—"), and with plain spaces for the no-break spaces
// that keep a date on one line.
func csvText(c Cell) string {
	if c.Text == "—" && c.Sort == "" {
		return ""
	}
	return strings.ReplaceAll(c.Text, "\u00a0", " ")
}

// CSVSafe keeps a cell from being read as a formula by spreadsheets: one
// that starts with = + - @, a tab or a carriage return gets a leading
// apostrophe, as OWASP advises.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
