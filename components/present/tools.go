package present

import (
	"crypto/rand"
	"time"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/legacy"
)

// Tools are the legacy tools a customer page embeds, for one user.
type Tools struct {
	List []legacy.Tool
	User legacy.User
	// Now dates signed requests (default time.Now).
	Now func() time.Time
	// CanvasHost is the URL of the script a signed tool's frame is opened
	// and answered by (components.Assets.CanvasHost).
	CanvasHost string
	// Allow, when set, is the policy's word on each tool for this user,
	// beside the tool's own groups.
	Allow func(legacy.Tool) bool
}

func (t *Tools) usable() []legacy.Tool {
	var out []legacy.Tool
	for _, tool := range t.List {
		if tool.Allowed(t.User) && (t.Allow == nil || t.Allow(tool)) {
			out = append(out, tool)
		}
	}
	return out
}

func toolID(t legacy.Tool) string { return "tool-" + t.ID }

// panel opens tool t on the customer of v. A tool that cannot be opened (its
// template needs a link this customer lacks) says so instead.
func (t *Tools) panel(tool legacy.Tool, v legacy.View) components.Panel {
	id := toolID(tool)
	p := components.Panel{ID: id, Slot: id, Title: tool.Title, Source: components.Source{Title: "Legacy tool"}}
	f := &components.Frame{Name: "frame-" + tool.ID, Title: tool.Title, Sandbox: tool.FrameSandbox(), Height: tool.FrameHeight()}
	var err error
	switch tool.Mode {
	case legacy.ModeSigned:
		now := time.Now
		if t.Now != nil {
			now = t.Now
		}
		var target, signed string
		target, signed, err = tool.SignedRequest(v, now(), rand.Text(), legacy.DefaultSignedTTL)
		f.Signed = &components.SignedForm{Action: target, Value: signed, Host: t.CanvasHost}
	default:
		f.Src, err = tool.FrameURL(v)
	}
	if err != nil {
		p.Problem = &components.Problem{Message: tool.Title + " cannot be opened for this customer.",
			Hint: "It needs a record this customer has not got in a connected system.", Muted: true}
		return p
	}
	p.Frame = f
	return p
}
