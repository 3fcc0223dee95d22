package components

import (
	"strings"
	"testing"
)

func TestCSVKeepsFormulasAndControlsOut(t *testing.T) {
	tb := Table{
		Columns: []Column{{Title: "Name"}, {Title: "=Amount"}, {Title: "Date"}},
		Rows: []Row{
			{Cells: []Cell{{Text: "=HYPERLINK(\"http://evil\")"}, {Text: "-$1,200", Sort: "-1200"}, {Text: "2\u00a0Jan\u00a02026 15:04"}}},
			{Cells: []Cell{{Text: "+1 555"}, {Text: "@SUM(A1)"}, {Text: "—"}}},
			{Cells: []Cell{{Text: "\tx"}, {Text: "\rcmd"}, {Text: "a, \"b\"\nc"}}},
			{Cells: []Cell{{Text: "ab\u202edc"}, {Text: "—", Sort: "—"}}},
		},
	}
	var b strings.Builder
	if err := WriteCSV(&b, tb); err != nil {
		t.Fatal(err)
	}
	want := "Name,'=Amount,Date\n" +
		"\"'=HYPERLINK(\"\"http://evil\"\")\",\"'-$1,200\",2 Jan 2026 15:04\n" +
		"'+1 555,'@SUM(A1),\n" +
		"'\tx,\"'\rcmd\",\"a, \"\"b\"\"\nc\"\n" +
		"abdc,—,\n"
	if b.String() != want {
		t.Errorf("CSV\n%q\nwant\n%q", b.String(), want)
	}
}
