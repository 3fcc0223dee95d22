package sqldb

import "strings"

// listEnd are the words that end a select list at the outer level.
var listEnd = map[string]bool{
	"FROM": true, "WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true,
	"OFFSET": true, "UNION": true, "INTERSECT": true, "EXCEPT": true, "WINDOW": true,
	"FETCH": true, "FOR": true, "INTO": true,
}

// notAlias are keywords that can end a select item without naming it.
var notAlias = map[string]bool{
	"END": true, "NULL": true, "TRUE": true, "FALSE": true, "AND": true, "OR": true, "NOT": true,
	"IS": true, "IN": true, "LIKE": true, "ILIKE": true, "GLOB": true, "ESCAPE": true, "THEN": true,
	"ELSE": true, "WHEN": true, "CASE": true, "DISTINCT": true, "ALL": true, "ASC": true, "DESC": true,
	"COLLATE": true, "AS": true, "BETWEEN": true, "NULLS": true, "OVER": true, "FILTER": true,
	"ISNULL": true, "NOTNULL": true, "SELECT": true,
}

// selectList reads the names of the columns a query returns from its outer
// select list (the first SELECT after any WITH clause). complete is false when
// an item's name cannot be read from the SQL (*, t.*, an expression without
// an alias): the database names those, and the check waits for the first run.
func selectList(sig []token) (names []string, complete bool) {
	start := -1
	depth := 0
	for i, t := range sig {
		switch t.kind {
		case tokOpen:
			depth++
		case tokClose:
			depth--
		}
		if depth == 0 && t.isWord("SELECT") {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil, false
	}
	i := start
	if i < len(sig) && (sig[i].isWord("DISTINCT") || sig[i].isWord("ALL")) {
		i++
		if i < len(sig) && sig[i].isWord("ON") { // PostgreSQL's DISTINCT ON (…)
			i = skipGroup(sig, i+1)
		}
	}
	complete = true
	var item []token
	flush := func() {
		if name, ok := itemName(item); ok {
			names = append(names, name)
		} else {
			complete = false
		}
		item = item[:0]
	}
	depth = 0
	for ; i < len(sig); i++ {
		t := sig[i]
		switch {
		case t.kind == tokOpen:
			depth++
		case t.kind == tokClose:
			depth--
		case depth == 0 && t.kind == tokWord && listEnd[strings.ToUpper(t.text)]:
			flush()
			return names, complete
		case depth == 0 && t.kind == tokComma:
			flush()
			continue
		}
		item = append(item, t)
	}
	flush()
	return names, complete
}

// skipGroup returns the index after the parenthesised group that opens at i.
func skipGroup(sig []token, i int) int {
	if i >= len(sig) || sig[i].kind != tokOpen {
		return i
	}
	depth := 0
	for ; i < len(sig); i++ {
		switch sig[i].kind {
		case tokOpen:
			depth++
		case tokClose:
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// itemName returns the name a select item gives its column, when the SQL says.
func itemName(item []token) (string, bool) {
	n := len(item)
	if n == 0 {
		return "", false
	}
	last := item[n-1]
	if !isName(last) {
		return "", false
	}
	if n == 1 {
		return identName(last), true
	}
	prev := item[n-2]
	switch {
	case prev.isWord("AS"):
		return identName(last), true
	case prev.kind == tokDot:
		// t.col or schema.t.col: a column reference is named after the column.
		for j := 0; j < n; j++ {
			if (j%2 == 0 && !isName(item[j])) || (j%2 == 1 && item[j].kind != tokDot) {
				return "", false
			}
		}
		return identName(last), n%2 == 1
	case isName(prev) || prev.isWord("END") || prev.kind == tokClose || prev.kind == tokNumber || prev.kind == tokString:
		return identName(last), true // an alias without AS
	}
	return "", false
}

// isName reports whether t is an identifier that is not a keyword of a select
// item.
func isName(t token) bool {
	return t.kind == tokQuoted || (t.kind == tokWord && !notAlias[strings.ToUpper(t.text)])
}

// identName returns an identifier as a name: quotes removed.
func identName(t token) string {
	if t.kind != tokQuoted {
		return t.text
	}
	inner := t.text[1 : len(t.text)-1]
	switch t.text[0] {
	case '"':
		return strings.ReplaceAll(inner, `""`, `"`)
	case '`':
		return strings.ReplaceAll(inner, "``", "`")
	}
	return inner
}
