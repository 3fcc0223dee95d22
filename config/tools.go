package config

import (
	"fmt"

	"github.com/atrium-dev/atrium/legacy"
)

// Tool configures one legacy tool shown as a panel of the customer page.
type Tool struct {
	ID           string   `yaml:"id"`
	Title        string   `yaml:"title"`
	Mode         string   `yaml:"mode"` // iframe, signed or proxy
	Origin       string   `yaml:"origin"`
	URL          string   `yaml:"url"`
	Upstream     string   `yaml:"upstream"`
	Secret       string   `yaml:"secret"`
	SecretFile   string   `yaml:"secret_file"`
	Sandbox      string   `yaml:"sandbox"`
	StripHeaders []string `yaml:"strip_headers"`
	Methods      []string `yaml:"methods"` // more methods a proxied tool takes (PROPFIND, …)
	Groups       []string `yaml:"groups"`
	Height       int      `yaml:"height"`
}

// Legacy returns the tool as the legacy package runs it.
func (t Tool) Legacy() legacy.Tool {
	return legacy.Tool{
		ID: t.ID, Title: t.Title, Mode: legacy.Mode(t.Mode), Origin: t.Origin, URL: t.URL, Upstream: t.Upstream,
		Secret: []byte(t.Secret), Sandbox: t.Sandbox, StripHeaders: t.StripHeaders, Methods: t.Methods, Groups: t.Groups, Height: t.Height,
	}
}

func (v *validator) validateTools(c *Config) {
	seen := map[string]bool{}
	for i := range c.Tools {
		t := &c.Tools[i]
		p := fmt.Sprintf("tools[%d]", i)
		v.secretFile(p, "secret", &t.Secret, t.SecretFile)
		if t.ID != "" && seen[t.ID] {
			v.at(p+".id", p+".id", fmt.Sprintf("%q is used by another tool", t.ID), "give each tool its own id")
		}
		seen[t.ID] = true
		for _, prob := range t.Legacy().Validate() {
			v.atKey(p, prob.Key, prob.Message, prob.Hint)
		}
	}
}
