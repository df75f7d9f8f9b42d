package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// upstreamTable makes a collection table the way FerretDB 1.24 does without
// the patch: no _id column, the unique _id index on a JSON path.
func upstreamTable(t *testing.T, db *sql.DB, table string, ids ...string) {
	t.Helper()
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS _ferretdb_collections (name TEXT NOT NULL UNIQUE, table_name TEXT NOT NULL UNIQUE, settings TEXT NOT NULL) STRICT`,
		fmt.Sprintf(`INSERT INTO _ferretdb_collections VALUES ('%s', '%s', '{}')`, table, table),
		fmt.Sprintf(`CREATE TABLE %q (_ferretdb_sjson TEXT NOT NULL CHECK(_ferretdb_sjson != '')) STRICT`, table),
		fmt.Sprintf(`CREATE UNIQUE INDEX %q ON %q (_ferretdb_sjson->"_id")`, table+"__id_", table),
	}
	for _, id := range ids {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO %q VALUES ('{"$s":{"p":{"_id":{"t":"string"}},"$k":["_id"]},"_id":"%s"}')`, table, id))
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestMigrateIDColumns(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app.sqlite")
	db, err := sql.Open("sqlite3", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	upstreamTable(t, db, "docs_1", "a", "b", "c")
	upstreamTable(t, db, "empty_2")
	// Not a FerretDB file: left alone.
	other, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "other.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`CREATE TABLE t (x TEXT)`); err != nil {
		t.Fatal(err)
	}

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := migrateIDColumns(context.Background(), dir, logger)
	if err != nil || n != 2 {
		t.Fatalf("migrated %d tables, err %v; want 2", n, err)
	}

	// Lookups by the column find the documents, through the index.
	var got string
	if err := db.QueryRow(`SELECT _ferretdb_id FROM docs_1 WHERE _ferretdb_id = '"b"'`).Scan(&got); err != nil || got != `"b"` {
		t.Fatalf("lookup by _ferretdb_id: %q, %v", got, err)
	}
	var plan, detail string
	var a, b int
	err = db.QueryRow(`EXPLAIN QUERY PLAN DELETE FROM docs_1 WHERE _ferretdb_id IN ('"a"', '"c"')`).Scan(&a, &b, &plan, &detail)
	if err != nil || !strings.Contains(detail, "USING INDEX docs_1__id_") {
		t.Fatalf("plan %q, %v: want the _id index", detail, err)
	}
	// Still unique.
	if _, err := db.Exec(`INSERT INTO docs_1 (_ferretdb_sjson) VALUES ('{"_id":"a"}')`); err == nil {
		t.Fatal("a duplicate _id was inserted after the migration")
	}
	res, err := db.Exec(`DELETE FROM docs_1 WHERE _ferretdb_id IN ('"a"', '"c"', '"zz"')`)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := res.RowsAffected(); d != 2 {
		t.Fatalf("deleted %d, want 2", d)
	}

	// A second start finds nothing to do.
	if n, err := migrateIDColumns(context.Background(), dir, logger); err != nil || n != 0 {
		t.Fatalf("second pass migrated %d, err %v; want 0", n, err)
	}
}
