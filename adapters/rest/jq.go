package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"

	"github.com/itchyny/gojq"
)

// maxOutputs bounds what one jq run may yield, so that an expression such
// as range(1e9) costs a bounded amount of work.
const maxOutputs = 10000

// program is a compiled jq expression and the settings key it came from.
type program struct {
	key  string
	code *gojq.Code
}

// compileProgram parses and compiles src. gojq gives an expression no access
// to the environment, files or modules unless asked to: none is.
func compileProgram(key, src string) (*program, error) {
	q, err := gojq.Parse(src)
	if err != nil {
		return nil, err
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, err
	}
	return &program{key: key, code: code}, nil
}

// first returns the first output of p over v; nil when it yields nothing.
func (p *program) first(ctx context.Context, v any) (any, error) {
	outs, err := p.run(ctx, v, 1)
	if err != nil || len(outs) == 0 {
		return nil, err
	}
	return outs[0], nil
}

// run returns up to max outputs of p over v.
func (p *program) run(ctx context.Context, v any, max int) ([]any, error) {
	if p == nil {
		return nil, nil
	}
	iter := p.code.RunWithContext(ctx, v)
	var outs []any
	for len(outs) < max {
		out, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := out.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break // halt: a clean end
			}
			return nil, fmt.Errorf("%s: %w", p.key, err)
		}
		outs = append(outs, out)
	}
	return outs, ctx.Err()
}

// records returns the records an items expression selects: each array it
// yields contributes its elements, any other value is one record, null is
// none. selected is false when it yielded nothing but null.
func (p *program) records(ctx context.Context, v any) (recs []any, selected bool, err error) {
	outs, err := p.run(ctx, v, maxOutputs)
	if err != nil {
		return nil, false, err
	}
	for _, o := range outs {
		switch o := o.(type) {
		case nil:
		case []any:
			selected = true
			recs = append(recs, o...)
		default:
			selected = true
			recs = append(recs, o)
		}
	}
	return recs, selected, nil
}

// scalarText returns a string or number as text; false for anything else.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case int:
		return strconv.Itoa(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case *big.Int:
		return v.String(), true
	}
	return "", false
}

// number returns a JSON number as a float; false for anything else.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case int:
		return float64(v), true
	case float64:
		return v, true
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f, true
	}
	return 0, false
}
