package runfiles

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// wrkOutput is what `wrk --latency` prints, with errors.
const wrkOutput = `Running 8s test @ http://127.0.0.1:37967/tools/ledger/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.02ms    3.59ms  38.87ms   88.41%
    Req/Sec     6.01k     1.20k    8.66k    74.38%
  Latency Distribution
     50%  371.00us
     75%    2.61ms
     90%    6.30ms
     99%   16.81ms
  96000 requests in 8.02s, 75.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 17
Requests/sec:  11970.07
Transfer/sec:      9.35MB
`

func TestParseWrk(t *testing.T) {
	got := ParseWrk(wrkOutput)
	want := Wrk{
		RequestsSec: 11970.07, Requests: 96000, MBRead: 75,
		P50: 371 * time.Microsecond, P99: 16810 * time.Microsecond,
		SocketErrors: "connect 0, read 3, write 0, timeout 2", Non2xx3xx: 17,
	}
	if got != want {
		t.Errorf("ParseWrk =\n%+v, want\n%+v", got, want)
	}
	if b := got.BytesPerRequest(); b != 75*(1<<20)/96000.0 {
		t.Errorf("BytesPerRequest = %v", b)
	}
	if got := ParseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); got != (Wrk{}) {
		t.Errorf("ParseWrk of a failed run = %+v, want nothing", got)
	}
}

func TestReadEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.sh")
	text := "PLAIN=12\nQUOTED='a b'\nESCAPED='it'\\''s'\nEMPTY=''\nnot a variable\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got := ReadEnv(path)
	for k, want := range map[string]string{"PLAIN": "12", "QUOTED": "a b", "ESCAPED": "it's", "EMPTY": ""} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s = %q (set: %v), want %q", k, v, ok, want)
		}
	}
	if len(got) != 4 {
		t.Errorf("ReadEnv = %q, want 4 variables", got)
	}
	if got := ReadEnv(filepath.Join(t.TempDir(), "missing")); len(got) != 0 {
		t.Errorf("ReadEnv of a missing file = %q", got)
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	if err := CheckDir(dir); err != nil {
		t.Errorf("CheckDir(a folder) = %v", err)
	}
	file := filepath.Join(dir, "wrk-page.txt")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, filepath.Join(dir, "missing")} {
		if err := CheckDir(p); err == nil {
			t.Errorf("CheckDir(%s) = nil, want an error", p)
		}
	}
}
