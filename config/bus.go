package config

import "net/url"

// Bus configures how instances tell one another that something changed (a
// session ended, a link was decided, a cached facet is stale): in process by
// default, through Redis pub/sub when several instances serve one portal.
type Bus struct {
	// RedisURL, e.g. redis://user:pass@host:6379/0 (rediss:// for TLS). It
	// may be the cache's Redis.
	RedisURL     string `yaml:"redis_url"`
	RedisURLFile string `yaml:"redis_url_file"`
	// Prefix starts the pub/sub channel's name, so several deployments can
	// share one Redis.
	Prefix string `yaml:"prefix"`
}

// DefaultBusPrefix starts the bus channel's name when bus.prefix is absent.
const DefaultBusPrefix = "atrium:"

func (b *Bus) applyDefaults() {
	if b.Prefix == "" {
		b.Prefix = DefaultBusPrefix
	}
}

func (v *validator) validateBus(b *Bus) {
	v.secretFile("bus", "redis_url", &b.RedisURL, b.RedisURLFile)
	if b.RedisURL != "" && !isRedisURL(b.RedisURL) {
		v.at("bus.redis_url", "bus.redis_url", "is not a Redis URL",
			"write it like redis://host:6379/0 (rediss:// for TLS), e.g. the cache's; put a password in redis_url_file or ${ENV}")
	}
}

func isRedisURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "redis" || u.Scheme == "rediss") && u.Host != ""
}
