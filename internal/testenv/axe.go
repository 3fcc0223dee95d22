package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Violation is one axe-core rule that the page breaks, with the elements that
// break it.
type Violation struct {
	ID          string          `json:"id"`
	Impact      string          `json:"impact"` // minor, moderate, serious or critical
	Description string          `json:"description"`
	Help        string          `json:"help"`
	HelpURL     string          `json:"helpUrl"`
	Tags        []string        `json:"tags"`
	Nodes       []ViolationNode `json:"nodes"`
}

// Serious reports whether the violation has the impact serious or critical,
// the ones that fail CheckAccessibility.
func (v Violation) Serious() bool {
	return v.Impact == "serious" || v.Impact == "critical"
}

// String renders the violation on one line: rule, impact, help and selectors.
func (v Violation) String() string {
	var targets []string
	for _, n := range v.Nodes {
		targets = append(targets, strings.Join(n.Target, " "))
	}
	return fmt.Sprintf("%s [%s] %s: %s (%s)", v.ID, v.Impact, v.Help, strings.Join(targets, ", "), v.HelpURL)
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target holds the CSS selectors that reach the element. A selector into a
	// shadow root or an iframe is written as its path joined with " >>> ".
	Target         []string
	HTML           string
	FailureSummary string
}

// UnmarshalJSON reads axe's node, whose target items are selectors or, inside
// shadow roots and frames, arrays of selectors.
func (n *ViolationNode) UnmarshalJSON(data []byte) error {
	var raw struct {
		Target         []json.RawMessage `json:"target"`
		HTML           string            `json:"html"`
		FailureSummary string            `json:"failureSummary"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*n = ViolationNode{HTML: raw.HTML, FailureSummary: raw.FailureSummary}
	for _, t := range raw.Target {
		var sel string
		var path []string
		switch {
		case json.Unmarshal(t, &sel) == nil:
		case json.Unmarshal(t, &path) == nil:
			sel = strings.Join(path, " >>> ")
		default:
			sel = string(t)
		}
		n.Target = append(n.Target, sel)
	}
	return nil
}

// AxeScriptPath returns the axe-core script the harness injects:
// $ATRIUM_AXE when set, otherwise node_modules/axe-core/axe.min.js under the
// module root, which `npm ci` installs from package-lock.json.
func AxeScriptPath() (string, error) {
	if p := os.Getenv("ATRIUM_AXE"); p != "" {
		return p, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "node_modules", "axe-core", "axe.min.js"), nil
}

// RunAxe runs axe-core on the current page and returns every violation, of
// any impact, without judging them.
func (b *Browser) RunAxe() ([]Violation, error) {
	_, violations, err := b.runAxe()
	return violations, err
}

// CheckAccessibility runs axe-core on the current page, writes its full
// result to <OutputDir>/screenshots/<name>.axe.json, fails t listing every
// serious or critical violation, and logs the minor and moderate ones.
func (b *Browser) CheckAccessibility(t testing.TB, name string) {
	t.Helper()
	raw, violations, err := b.runAxe()
	if err != nil {
		t.Fatalf("axe %q: %v", name, err)
	}
	path := filepath.Join(screenshotDir(t), fileName(name)+".axe.json")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		pretty.Reset()
		pretty.Write(raw)
	}
	if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
		t.Errorf("axe %q: save the result: %v", name, err)
	}

	var serious []string
	for _, v := range violations {
		if v.Serious() {
			serious = append(serious, "  "+v.String())
		} else {
			t.Logf("axe %q: %s", name, v)
		}
	}
	if len(serious) > 0 {
		t.Errorf("axe %q: %d serious or critical accessibility violations (full result in %s):\n%s",
			name, len(serious), path, strings.Join(serious, "\n"))
	}
}

// runAxe injects axe-core through Runtime.evaluate — code evaluated by the
// DevTools protocol is not subject to the page's Content-Security-Policy, so
// this works on pages whose script-src admits only nonced scripts — and
// returns axe's result as JSON and its decoded violations.
func (b *Browser) runAxe() ([]byte, []Violation, error) {
	scriptPath, err := AxeScriptPath()
	if err != nil {
		return nil, nil, fmt.Errorf("find axe-core: %w", err)
	}
	script, err := os.ReadFile(scriptPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read axe-core (run scripts/install-test-deps.sh or npm ci): %w", err)
	}

	// axe walks the whole page, which takes longer than an ordinary step.
	ctx, cancel := context.WithTimeout(b.ctx, 2*b.stepTimeout())
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, nil, fmt.Errorf("look for axe-core in the page: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(script))); err != nil {
			return nil, nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	result, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, nil, fmt.Errorf("run axe-core: %w", err)
	}
	var parsed struct {
		Violations []Violation `json:"violations"`
	}
	if err := json.Unmarshal([]byte(result), &parsed); err != nil {
		return nil, nil, fmt.Errorf("decode the axe-core result: %w", err)
	}
	return []byte(result), parsed.Violations, nil
}
