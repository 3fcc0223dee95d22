package sqldb

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// statement is a configured query ready to run: its SQL with the driver's
// placeholders, and what it is known to select.
type statement struct {
	sql string
	// args names the parameter bound to each placeholder, in order.
	args []string
	// columns lists the names the select list gives its columns, where they can
	// be read from the SQL; complete says whether every column was named.
	columns  []string
	complete bool
}

// issue is a problem with a query's SQL or params; field is "sql", "params"
// or "params[i]".
type issue struct {
	field, msg, hint string
}

// formatVerb finds a Go format verb inside a string literal: %s, %v or %d that
// ends the literal or is followed by something other than a letter, digit, _
// or % (so that LIKE patterns such as '%sales%' pass).
var formatVerb = regexp.MustCompile(`%[svd]([^A-Za-z0-9_%]|$)`)

// modifying are the statements a WITH clause can wrap in PostgreSQL.
var modifying = []string{"INSERT", "UPDATE", "DELETE", "MERGE"}

// compile checks a configured query and translates its :name parameters to
// the placeholders of d. declared is the query's params list; available names
// the values the adapter can bind to this kind of query. It reports every
// issue found.
func compile(src string, d dialect, declared, available []string) (*statement, []issue) {
	var issues []issue
	add := func(field, msg, hint string) { issues = append(issues, issue{field, msg, hint}) }
	const bindHint = "Atrium passes values only as bind parameters: write :name in the SQL and list name under params"

	if strings.TrimSpace(src) == "" {
		add("sql", "is required", "write one SELECT statement")
		return nil, issues
	}
	for _, marker := range []string{"{{", "${"} {
		if i := strings.Index(src, marker); i >= 0 {
			add("sql", fmt.Sprintf("holds the template marker %q at line %d", marker, lineOf(src, i)), bindHint)
		}
	}
	toks, err := lex(src, d)
	if err != nil {
		var le *lexError
		errors.As(err, &le)
		add("sql", fmt.Sprintf("%s (opened at line %d)", le.msg, lineOf(src, le.pos)), "close it, or remove the stray quote")
		return nil, issues
	}
	known := func(name string) bool { return slices.Contains(declared, name) || slices.Contains(available, name) }

	var out strings.Builder
	var args []string
	used := map[string]bool{}
	var undeclared []string
	sig := significant(toks)
	for i, t := range toks {
		switch t.kind {
		case tokComment:
			out.WriteByte(' ') // a driver must not find placeholders in comments
			continue
		case tokString:
			if name, ok := paramIn(t.text, known); ok {
				add("sql", fmt.Sprintf("the string literal %s at line %d holds :%s, which the database reads as text, not as the parameter", short(t.text), lineOf(src, t.pos), name),
					fmt.Sprintf("build the text in SQL around the parameter, e.g. '%%' || :%s || '%%'", name))
			}
			if m := formatVerb.FindString(t.text); m != "" {
				add("sql", fmt.Sprintf("the string literal %s at line %d holds the format verb %s", short(t.text), lineOf(src, t.pos), m[:2]), bindHint)
			}
		case tokPercent:
			if i+1 < len(toks) && toks[i+1].kind == tokWord && (toks[i+1].text == "s" || toks[i+1].text == "v" || toks[i+1].text == "d") {
				add("sql", fmt.Sprintf("holds the format verb %%%s at line %d", toks[i+1].text, lineOf(src, t.pos)), bindHint)
			}
		case tokForeign:
			add("sql", fmt.Sprintf("holds the placeholder %s at line %d", t.text, lineOf(src, t.pos)),
				"name parameters instead (:id, :q, …) and list them under params; Atrium numbers them for the driver")
		case tokSemicolon:
			if rest := significant(toks[i+1:]); len(rest) > 0 {
				add("sql", fmt.Sprintf("holds more than one statement (a ; at line %d)", lineOf(src, t.pos)),
					"keep one SELECT; a query cannot run several statements")
			}
			continue // a trailing ; is dropped
		case tokParam:
			name := t.text[1:]
			used[name] = true
			if !slices.Contains(declared, name) {
				if !slices.Contains(undeclared, name) {
					undeclared = append(undeclared, name)
				}
				continue
			}
			if d == dialectPostgres {
				out.WriteString("$" + strconv.Itoa(slices.Index(declared, name)+1))
			} else {
				out.WriteByte('?')
				args = append(args, name)
			}
			continue
		}
		out.WriteString(t.text)
	}
	issues = append(issues, checkReadOnly(src, sig)...)

	for _, name := range undeclared {
		hint := fmt.Sprintf("add %s to params", name)
		if !slices.Contains(available, name) {
			hint = "use one of the parameters of this query: " + strings.Join(available, ", ")
		}
		add("params", fmt.Sprintf(":%s is used in sql but not declared", name), hint)
	}
	for i, name := range declared {
		field := fmt.Sprintf("params[%d]", i)
		switch {
		case !slices.Contains(available, name):
			add(field, fmt.Sprintf("%q is not a parameter of this query", name), "use one of: "+strings.Join(available, ", "))
		case slices.Index(declared, name) < i:
			add(field, fmt.Sprintf("%q is listed twice", name), "list each parameter once")
		case !used[name]:
			add(field, fmt.Sprintf("%q is declared but sql does not use :%s", name, name), "remove it from params, or use it in sql")
		}
	}
	if len(issues) > 0 {
		return nil, issues
	}
	if d == dialectPostgres {
		args = declared
	}
	cols, complete := selectList(sig)
	return &statement{sql: strings.TrimSpace(out.String()), args: args, columns: cols, complete: complete}, nil
}

// checkReadOnly reports a statement that is not a plain read.
func checkReadOnly(src string, sig []token) []issue {
	const hint = "this source only reads: start the query with SELECT or WITH (write-back comes through actions)"
	if len(sig) == 0 || !(sig[0].isWord("SELECT") || sig[0].isWord("WITH")) {
		first := "nothing"
		if len(sig) > 0 {
			first = strconv.Quote(sig[0].text)
		}
		return []issue{{"sql", fmt.Sprintf("is not a SELECT: it starts with %s", first), hint}}
	}
	var issues []issue
	depth := 0
	for i, t := range sig {
		switch t.kind {
		case tokOpen:
			depth++
			if i+1 < len(sig) {
				for _, kw := range modifying {
					if sig[i+1].isWord(kw) {
						issues = append(issues, issue{"sql", fmt.Sprintf("modifies data: %s at line %d", kw, lineOf(src, sig[i+1].pos)), hint})
					}
				}
			}
		case tokClose:
			depth--
		case tokWord:
			if depth == 0 && t.isWord("INTO") {
				issues = append(issues, issue{"sql", fmt.Sprintf("SELECT … INTO at line %d creates a table", lineOf(src, t.pos)), hint})
			}
		}
	}
	return issues
}

// paramIn finds :name inside a string literal, for a name the query knows.
func paramIn(lit string, known func(string) bool) (string, bool) {
	for i := 0; i+1 < len(lit); i++ {
		if lit[i] != ':' || lit[i+1] == ':' || !isIdentStart(lit[i+1]) || (i > 0 && lit[i-1] == ':') {
			continue
		}
		name := lit[i+1 : scanWhile(lit, i+1, isIdentPart)]
		if known(name) {
			return name, true
		}
	}
	return "", false
}

// short quotes a literal for a message, cut to a readable length.
func short(lit string) string {
	if r := []rune(lit); len(r) > 40 {
		return string(r[:37]) + "…"
	}
	return lit
}
