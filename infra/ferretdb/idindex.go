package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	// The SQLite driver FerretDB itself uses (database/sql name "sqlite").
	_ "modernc.org/sqlite"
)

// idExpr is the expression FerretDB 1.24's SQLite backend filters on when it
// looks a document up by _id (metadata.IDColumn): `{ _id: <string> }` queries,
// deletes and updates by id. Its own unique _id index is built on another
// spelling of the same value, `_ferretdb_sjson->"_id"`, which SQLite's planner
// does not match, so every lookup by _id scans and parses the whole table.
const idExpr = `_ferretdb_sjson->'$._id'`

// rekeyEvery is how often new collections are looked for. A collection
// created since the last pass is correct meanwhile, only slower.
const rekeyEvery = time.Second

// keepIDIndexes rebuilds the unique _id index of every collection table on
// idExpr, under its own name, in one transaction: the same uniqueness (both
// expressions extract the same value), now usable by FerretDB's lookups by
// _id. FerretDB never sees the difference: its metadata names the index,
// not the expression. It runs until ctx ends, once per rekeyEvery, on every
// database file in dir (one per database, FerretDB's layout).
func keepIDIndexes(ctx context.Context, dir string, logger *slog.Logger) {
	dbs := map[string]*sql.DB{}
	defer func() {
		for _, db := range dbs {
			db.Close()
		}
	}()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		seen := map[string]bool{}
		for _, file := range files {
			seen[file] = true
			db, ok := dbs[file]
			if !ok {
				var err error
				if db, err = sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)"); err != nil {
					logger.Warn("ferretdb-asp: cannot open database file", "file", file, "error", err)
					continue
				}
				db.SetMaxOpenConns(1)
				dbs[file] = db
			}
			n, err := rekey(ctx, db)
			if err != nil && ctx.Err() == nil {
				logger.Warn("ferretdb-asp: cannot rebuild _id indexes", "file", file, "error", err)
			}
			if n > 0 {
				logger.Info("ferretdb-asp: _id indexes rebuilt on the lookup expression", "file", file, "tables", n)
			}
		}
		// A dropped database's file is gone: let go of it, so its space is freed.
		for file, db := range dbs {
			if !seen[file] {
				db.Close()
				delete(dbs, file)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(rekeyEvery):
		}
	}
}

// rekey rebuilds the _id indexes not yet on idExpr; it returns how many.
func rekey(ctx context.Context, db *sql.DB) (int, error) {
	// FerretDB names a collection's _id index "<table>__id_" (table name + "_" + "_id_").
	rows, err := db.QueryContext(ctx, `
		SELECT name, tbl_name FROM sqlite_master
		WHERE type = 'index' AND name = tbl_name || '__id_' AND instr(sql, ?) = 0`, idExpr)
	if err != nil {
		return 0, err
	}
	type index struct{ name, table string }
	var todo []index
	for rows.Next() {
		var i index
		if err := rows.Scan(&i.name, &i.table); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	done := 0
	for _, i := range todo {
		if err := rebuild(ctx, db, i.name, i.table); err != nil {
			return done, fmt.Errorf("%s: %w", i.table, err)
		}
		done++
	}
	return done, nil
}

// rebuild swaps one index in a transaction: readers and writers see the old
// index or the new one, never a table without a unique _id.
func rebuild(ctx context.Context, db *sql.DB, name, table string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	// Still the old one? (A collection dropped and created again meanwhile has a new table.)
	var sqlText string
	err = tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, name).
		Scan(&sqlText)
	if err == sql.ErrNoRows || strings.Contains(sqlText, idExpr) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DROP INDEX %q`, name)); err != nil {
		return err
	}
	q := fmt.Sprintf(`CREATE UNIQUE INDEX %q ON %q (%s)`, name, table, idExpr)
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return err
	}
	return tx.Commit()
}
