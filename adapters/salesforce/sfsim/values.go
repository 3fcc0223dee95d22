package sfsim

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Wire formats of temporal values. Date-times are always written in UTC with a
// "+0000" offset: note that SOQL does not accept that form back as a literal.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04:05.000-0700"
)

// dateTimeInputs returns the date-time forms accepted in request bodies.
func dateTimeInputs() []string {
	return []string{dateTimeLayout, time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700"}
}

// normalize converts a value given for f (from a JSON body or from Go code building
// a data set) to the form the store holds: string, float64, int64, bool, time.Time
// in UTC, or nil. It returns a description of the problem when v does not fit.
func normalize(f *field, v any) (any, string) {
	if v == nil {
		return nil, ""
	}
	switch f.typ {
	case typeID, typeReference:
		s, ok := v.(string)
		if !ok {
			return nil, mismatch("id", v)
		}
		if s == "" {
			return nil, ""
		}
		return s, ""
	case typeCurrency, typeDouble, typePercent:
		if n, ok := number(v); ok {
			return n, ""
		}
		return nil, mismatch("double", v)
	case typeInt:
		if n, ok := number(v); ok && n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), ""
		}
		return nil, mismatch("int", v)
	case typeBoolean:
		if b, ok := v.(bool); ok {
			return b, ""
		}
		return nil, mismatch("boolean", v)
	case typeDate:
		return normalizeTime(v, "date", []string{dateLayout}, true)
	case typeDateTime:
		return normalizeTime(v, "datetime", dateTimeInputs(), false)
	default:
		switch x := v.(type) {
		case string:
			if x == "" {
				// Salesforce stores an empty text as null.
				return nil, ""
			}
			return x, ""
		case json.Number:
			return x.String(), ""
		case bool:
			return strconv.FormatBool(x), ""
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), ""
		case int:
			return strconv.Itoa(x), ""
		}
		return nil, mismatch("String", v)
	}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		n, err := x.Float64()
		return n, err == nil
	}
	return 0, false
}

func normalizeTime(v any, kind string, layouts []string, dateOnly bool) (any, string) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		if x == "" {
			return nil, ""
		}
		ok := false
		for _, l := range layouts {
			if p, err := time.Parse(l, x); err == nil {
				t, ok = p, true
				break
			}
		}
		if !ok {
			return nil, mismatch(kind, v)
		}
	default:
		return nil, mismatch(kind, v)
	}
	t = t.UTC()
	if dateOnly {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	} else {
		t = t.Truncate(time.Millisecond)
	}
	return t, ""
}

// mismatch words a type error the way Salesforce's JSON reader does.
func mismatch(javaType string, v any) string {
	token := "VALUE_STRING"
	switch v.(type) {
	case bool:
		token = "VALUE_FALSE"
		if v.(bool) {
			token = "VALUE_TRUE"
		}
	case json.Number, float64, int, int64:
		token = "VALUE_NUMBER_INT"
	case map[string]any:
		token = "START_OBJECT"
	case []any:
		token = "START_ARRAY"
	}
	return fmt.Sprintf("Cannot deserialize instance of %s from %s value %v or request may be missing a required field", javaType, token, v)
}

// wire returns a stored value as it is written in a JSON answer.
func wire(f *field, v any) any {
	t, ok := v.(time.Time)
	if !ok {
		return v
	}
	if f.typ == typeDate {
		return t.Format(dateLayout)
	}
	return t.UTC().Format(dateTimeLayout)
}

// javaDouble formats a number the way the Java platform behind the API writes a
// double: always with a fraction ("15000.0"), and in scientific notation from ten
// million up ("1.25E7"). Readers that expect an integer for a currency field break
// on it, as they would against a real org.
func javaDouble(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	if v == 0 {
		return "0.0"
	}
	if a := math.Abs(v); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'E', -1, 64), "E") // 1.25E+07
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
