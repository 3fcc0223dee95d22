package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/store"
)

// MintSessions stores n signed-in sessions in the SQLite store at path, as the
// sign-in callback stores them, and returns the Cookie header value of each,
// signed with hashKey as the portal signs its cookies. Signing in n times
// through the identity provider would take minutes and leave the same state
// behind: a store row per session (an ID token of a typical size included) and
// a cookie holding only the signed id.
func MintSessions(ctx context.Context, path string, hashKey []byte, n int, ttl time.Duration) ([]string, error) {
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	codec := securecookie.New(hashKey, nil)
	codec.MaxAge(int(ttl.Seconds()))
	token := make([]byte, 720) // an RS256 ID token with profile, email and groups is about 1 KB
	cookies := make([]string, 0, n)
	now := time.Now()
	for i := range n {
		id := rand.Text() + rand.Text()
		_, _ = rand.Read(token)
		s := store.Session{
			Subject:   fmt.Sprintf("bench-user-%05d", i),
			Email:     fmt.Sprintf("user%05d@atrium-bench.example", i),
			Name:      fmt.Sprintf("Bench User %05d", i),
			Groups:    []string{"sales", "support"},
			IDToken:   base64.RawURLEncoding.EncodeToString(token),
			CSRFToken: rand.Text(),
			CreatedAt: now, ExpiresAt: now.Add(ttl), TokenExpiry: now.Add(time.Hour),
		}
		if err := st.CreateSession(ctx, id, s); err != nil {
			return nil, fmt.Errorf("bench: session %d: %w", i, err)
		}
		v, err := codec.Encode(auth.SessionCookie, map[any]any{"sid": id})
		if err != nil {
			return nil, err
		}
		cookies = append(cookies, auth.SessionCookie+"="+v)
	}
	return cookies, nil
}
