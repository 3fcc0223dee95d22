package sqldb

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// timeLayouts are the text forms of dates and times a legacy database holds,
// tried in order.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// textOf returns a database value as text; false for NULL.
func textOf(raw any) (string, bool) {
	switch v := raw.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case []byte:
		return string(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return v.Format(time.DateOnly), true
		}
		return v.Format(time.RFC3339), true
	}
	return fmt.Sprint(raw), true
}

// valueOf converts a database value to a Value of kind. NULL, and an empty
// text, give an invalid Value; a value that cannot be read as the kind gives
// an invalid Value and an error saying why, for the log.
func valueOf(raw any, kind adapters.Kind, currency string) (adapters.Value, error) {
	v := adapters.Value{Kind: kind}
	if raw == nil {
		return v, nil
	}
	switch kind {
	case adapters.KindNumber, adapters.KindMoney, adapters.KindPercent:
		n, err := numberOf(raw)
		if err != nil {
			return v, err
		}
		v.Number, v.Valid = n, true
		if kind == adapters.KindMoney {
			v.Currency = currency
		}
	case adapters.KindDate, adapters.KindDateTime:
		t, err := timeOf(raw)
		if err != nil {
			return v, err
		}
		if kind == adapters.KindDate {
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		v.Time, v.Valid = t, true
	case adapters.KindBool:
		b, err := boolOf(raw)
		if err != nil {
			return v, err
		}
		v.Bool, v.Valid = b, true
	default:
		s, _ := textOf(raw)
		if kind == adapters.KindURL && s != "" && !strings.Contains(s, "://") {
			s = "https://" + s // a bare domain, as legacy records keep websites
		}
		v.Text, v.Valid = s, strings.TrimSpace(s) != ""
	}
	return v, nil
}

func numberOf(raw any) (float64, error) {
	switch v := raw.(type) {
	case int64:
		return float64(v), nil
	case float64:
		return v, nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	}
	s, _ := textOf(raw)
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", short(s))
	}
	return n, nil
}

func timeOf(raw any) (time.Time, error) {
	switch v := raw.(type) {
	case time.Time:
		return v, nil
	case int64:
		return time.Unix(v, 0).UTC(), nil // seconds since the epoch
	}
	s, _ := textOf(raw)
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or time", short(s))
}

func boolOf(raw any) (bool, error) {
	switch v := raw.(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	}
	s, _ := textOf(raw)
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "y", "yes", "1", "on":
		return true, nil
	case "f", "false", "n", "no", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a yes or no", short(s))
}
