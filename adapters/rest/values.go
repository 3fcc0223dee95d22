package rest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// maxKeys bounds the keys one expression may give a record.
const maxKeys = 200

// timeLayouts are the date forms read from a string, most common first.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// value maps one record through prog to a value of kind. A jq error or a
// value of the wrong type gives an invalid value and a debug log line, never
// an error: one odd record must not cost the panel.
func (a *Adapter) value(ctx context.Context, prog *program, rec any, kind adapters.Kind, currency string) adapters.Value {
	if prog == nil {
		return adapters.Value{Kind: kind}
	}
	v, err := prog.first(ctx, rec)
	if err != nil {
		a.log.DebugContext(ctx, "rest: mapping failed", "key", prog.key, "error", err)
		return adapters.Value{Kind: kind}
	}
	out, err := a.convert(v, kind, currency)
	if err != nil {
		a.log.DebugContext(ctx, "rest: value of the wrong type", "key", prog.key, "error", err)
		return adapters.Value{Kind: kind}
	}
	return out
}

// text maps a record to plain text; "" when the expression yields nothing usable.
func (a *Adapter) text(ctx context.Context, prog *program, rec any) string {
	return strings.TrimSpace(a.value(ctx, prog, rec, adapters.KindText, "").Text)
}

// convert reads a JSON value as kind. null is an empty value, not an error.
func (a *Adapter) convert(v any, kind adapters.Kind, currency string) (adapters.Value, error) {
	out := adapters.Value{Kind: kind}
	if v == nil {
		return out, nil
	}
	wrong := func(want string) (adapters.Value, error) {
		return adapters.Value{Kind: kind}, fmt.Errorf("got %s, want %s", jsonType(v), want)
	}
	switch kind {
	case adapters.KindNumber, adapters.KindMoney, adapters.KindPercent:
		f, ok := number(v)
		if !ok {
			return wrong("a number")
		}
		out.Number = f
		if kind == adapters.KindMoney {
			out.Currency = currency
			if out.Currency == "" {
				out.Currency = a.currency
			}
		}
	case adapters.KindDate, adapters.KindDateTime:
		t, ok := timeOf(v)
		if !ok {
			return wrong("a date (RFC 3339 or seconds since 1970)")
		}
		out.Time = t
	case adapters.KindBool:
		b, ok := v.(bool)
		if !ok {
			return wrong("true or false")
		}
		out.Bool = b
	case adapters.KindURL:
		s, ok := v.(string)
		if !ok {
			return wrong("a URL")
		}
		link := a.link(s)
		if link == "" {
			return out, fmt.Errorf("%q is not an http(s) URL", s)
		}
		out.Text = link
	default:
		s, ok := scalarText(v)
		if !ok {
			return wrong("text")
		}
		out.Text = strings.TrimSpace(s)
		if out.Text == "" {
			return out, nil
		}
	}
	out.Valid = true
	return out, nil
}

// link resolves a record link against the base URL; "" unless it is http(s).
func (a *Adapter) link(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := a.base.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// linkOf maps a record to a link; "" when there is none.
func (a *Adapter) linkOf(ctx context.Context, prog *program, rec any) string {
	return a.value(ctx, prog, rec, adapters.KindURL, "").Text
}

func timeOf(v any) (time.Time, bool) {
	if f, ok := number(v); ok {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	if _, ok := number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// keysOf maps a record to its identifying keys.
func (a *Adapter) keysOf(ctx context.Context, kp keyPlan, rec any) []adapters.Key {
	var keys []adapters.Key
	for _, k := range []struct {
		kind string
		prog *program
	}{{adapters.KeyExternalID, kp.externalID}, {adapters.KeyEmail, kp.email}, {adapters.KeyDomain, kp.domain}} {
		outs, err := k.prog.run(ctx, rec, maxKeys)
		if err != nil {
			a.log.DebugContext(ctx, "rest: mapping failed", "key", k.prog.key, "error", err)
			continue
		}
		for _, o := range flatten(outs) {
			s, ok := scalarText(o)
			if !ok {
				if o != nil {
					a.log.DebugContext(ctx, "rest: key of the wrong type", "key", k.prog.key, "got", jsonType(o))
				}
				continue
			}
			s = strings.TrimSpace(s)
			if k.kind != adapters.KeyExternalID {
				s = strings.ToLower(s)
			}
			key := adapters.Key{Kind: k.kind, Value: s}
			if s != "" && !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

// flatten spreads arrays among outs into their elements, one level deep.
func flatten(outs []any) []any {
	var flat []any
	for _, o := range outs {
		if arr, ok := o.([]any); ok {
			flat = append(flat, arr...)
			continue
		}
		flat = append(flat, o)
	}
	return flat
}

// onBase reports whether u is on the base URL's scheme and host, without
// credentials of its own.
func onBase(base, u *url.URL) bool {
	return u.User == nil && strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}
