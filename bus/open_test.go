package bus

import (
	"context"
	"testing"

	"github.com/atrium-dev/atrium/config"
)

func TestOpenWithoutRedisIsInProcess(t *testing.T) {
	b, err := Open(context.Background(), config.Bus{Prefix: "atrium:"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, ok := b.(*Local); !ok {
		t.Fatalf("Open without a redis_url returned %T, want *Local", b)
	}
}

func TestOpenRefusesAnUnreadableURL(t *testing.T) {
	if b, err := Open(context.Background(), config.Bus{RedisURL: "redis://host:port/x"}, nil); err == nil {
		b.Close()
		t.Fatal("Open accepted redis://host:port/x")
	}
}
