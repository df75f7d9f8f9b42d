package main

import (
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
