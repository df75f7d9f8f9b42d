package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestSQLiteURL(t *testing.T) {
	url, err := sqliteURL("/data/sqlite", "normal", 10000)
	if err != nil {
		t.Fatal(err)
	}
	want := "file:/data/sqlite/?_pragma=synchronous(normal)&_pragma=wal_autocheckpoint(10000)"
	if url != want {
		t.Fatalf("got %q, want %q", url, want)
	}
	for _, c := range []struct {
		sync  string
		pages int
		flag  string
	}{
		{"off", 10000, "-sqlite-synchronous"},
		{"normal);PRAGMA x(1", 10000, "-sqlite-synchronous"},
		{"full", 0, "-sqlite-wal-autocheckpoint"},
		{"full", -1, "-sqlite-wal-autocheckpoint"},
		{"full", 1_000_001, "-sqlite-wal-autocheckpoint"},
	} {
		if _, err := sqliteURL("/d", c.sync, c.pages); err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("sqliteURL(%q, %d): got %v, want an error naming %s", c.sync, c.pages, err, c.flag)
		}
	}
}

func TestDebugAddr(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:0", "localhost:6060", "[::1]:6060"} {
		if err := checkDebugAddr(ok); err != nil {
			t.Errorf("checkDebugAddr(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:6060", ":6060", "10.0.0.1:6060", "example.com:80", "127.0.0.1"} {
		if err := checkDebugAddr(bad); err == nil {
			t.Errorf("checkDebugAddr(%q): accepted", bad)
		}
	}
}

func TestDebugServesACPUProfile(t *testing.T) {
	l, err := serveDebug("127.0.0.1:0", slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	res, err := http.Get("http://" + l.Addr().String() + "/debug/pprof/profile?seconds=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	// A profile is gzipped protobuf: gzip's magic bytes first.
	if res.StatusCode != http.StatusOK || len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		t.Fatalf("status %d, %d bytes, starting %x: not a gzipped profile", res.StatusCode, len(body), body[:min(len(body), 4)])
	}
	// Only the profiles: what else the process has is not served.
	other, err := http.Get("http://" + l.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	other.Body.Close()
	if other.StatusCode != http.StatusNotFound {
		t.Fatalf("GET / answered %d, want 404", other.StatusCode)
	}
}
