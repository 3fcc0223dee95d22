package testenv

import (
	"context"
	"database/sql"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

func TestStartPostgres(t *testing.T) {
	var port int
	t.Run("serves queries", func(t *testing.T) {
		pg := StartPostgres(t)
		port = pg.Port
		db, err := sql.Open("pgx", pg.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		var version string
		if err := db.QueryRowContext(ctx, "SELECT version()").Scan(&version); err != nil {
			t.Fatalf("SELECT version(): %v", err)
		}
		if !strings.HasPrefix(version, "PostgreSQL 15") {
			t.Errorf("version() = %q, want PostgreSQL 15", version)
		}
	})
	t.Run("is stopped when its test ends", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err == nil {
			conn.Close()
			t.Fatalf("port %d still accepts connections after the test that started the server ended", port)
		}
	})
}
