package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	// The SQLite driver ferretdb-asp's FerretDB uses (patches/sqlite-cgo.patch): the C library.
	_ "github.com/mattn/go-sqlite3"
)

// idColumn and idExpr are the patched FerretDB's metadata.IDColumn and
// metadata.IDExpression (patches/sqlite-id-column.patch): every lookup,
// delete and update by _id filters on the column, and the unique _id index is
// built on it.
const (
	idColumn = "_ferretdb_id"
	idExpr   = `_ferretdb_sjson->'$._id'`
)

// migrateIDColumns brings the collection tables of every database file in
// dir to the patched layout before FerretDB opens them: a table created by
// upstream FerretDB (or by an earlier ferretdb-asp) lacks the _id column that
// the patched FerretDB filters on. SQLite cannot add a stored generated
// column to a table, so such a table gets a virtual one (computed when read:
// as fast as before the patch, no faster) and its unique _id index is rebuilt
// on it, in one transaction per table; tables FerretDB creates from now on
// store the column. It returns how many tables it changed.
func migrateIDColumns(ctx context.Context, dir string, logger *slog.Logger) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return 0, err
	}
	total := 0
	for _, file := range files {
		n, err := migrateFile(ctx, file)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s: %w", file, err)
		}
		if n > 0 {
			logger.Info("ferretdb-asp: _id column added to tables created before it", "file", file, "tables", n)
		}
	}
	return total, nil
}

func migrateFile(ctx context.Context, file string) (int, error) {
	db, err := sql.Open("sqlite3", "file:"+file+"?_busy_timeout=10000")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// FerretDB lists each collection's table in _ferretdb_collections; a file without it holds none.
	var hasMeta int
	err = db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).Scan(&hasMeta)
	if err != nil || hasMeta == 0 {
		return 0, err
	}
	rows, err := db.QueryContext(ctx, `
		SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM pragma_table_xinfo(c.table_name) WHERE name = ?)`, idColumn)
	if err != nil {
		return 0, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for i, t := range tables {
		if err := migrateTable(ctx, db, t); err != nil {
			return i, fmt.Errorf("table %s: %w", t, err)
		}
	}
	return len(tables), nil
}

// migrateTable adds the virtual column and moves the _id index onto it: readers and writers see
// the old table or the new one, never a table without a unique _id.
func migrateTable(ctx context.Context, db *sql.DB, table string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	q := fmt.Sprintf(`ALTER TABLE %q ADD COLUMN %s TEXT GENERATED ALWAYS AS (%s) VIRTUAL`, table, idColumn, idExpr)
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return err
	}
	// FerretDB names a collection's _id index "<table>__id_" (table name + "_" + "_id_").
	name := table + "__id_"
	var sqlText string
	err = tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, name).
		Scan(&sqlText)
	switch {
	case err == sql.ErrNoRows:
		// No _id index (FerretDB always makes one; a table it never finished): nothing to move.
	case err != nil:
		return err
	case !strings.Contains(sqlText, "("+idColumn+")"):
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DROP INDEX %q`, name)); err != nil {
			return err
		}
		q := fmt.Sprintf(`CREATE UNIQUE INDEX %q ON %q (%s)`, name, table, idColumn)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}
