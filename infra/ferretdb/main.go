// Command ferretdb-asp runs FerretDB embedded, a real MongoDB-wire server, for
// machines without a Docker engine (where no MongoDB binary can be installed).
// It is the project's own thin main: FerretDB's own command needs generated
// version files that a module-proxy build does not have.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "", "directory for the SQLite backend files (required)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	// normal: no fsync per commit. SQLite in WAL mode stays consistent and keeps commit order, so
	// an OS crash can only lose the last commits as a whole suffix; the projector's checkpoint is
	// in the same database file, so it is never ahead of the documents and the projector replays
	// what was lost from ASP_EVENTS. Each FerretDB write command commits at least once.
	sqliteSync := flag.String("sqlite-synchronous", "normal",
		"SQLite synchronous pragma: normal (no fsync per commit) or full (fsync per commit)")
	// SQLite copies the WAL back into the database file (and fsyncs both) once the WAL holds this
	// many pages; SQLite's default is 1,000 (4 MB). The projector rewrites the same index and
	// table pages batch after batch: a longer WAL copies each page back once for many commits.
	// With the single scenario's writes (services/projector/bench/apply.ts --plan single --rate
	// 10000), 10,000 took 6-9% less FerretDB CPU per document (two alternated runs each, with
	// 50,000 the same); broker's writes were unchanged, and whole `pnpm bench single` runs moved
	// within the host's noise (FerretDB -2% per command, two pairs).
	// The WAL file then grows to ~40 MB before each checkpoint; 1 to 1,000,000 pages, so it is
	// always bounded (SQLite's 0 would turn the checkpoints off and let it grow without limit).
	walPages := flag.Int("sqlite-wal-autocheckpoint", 10000,
		"SQLite wal_autocheckpoint pragma: WAL pages (4 KiB) before it is copied back, 1 to 1000000")
	// Off unless given: Go's profiles on a loopback address, for the benchmark's --profile.
	debugListen := flag.String("debug-listen", "", "loopback TCP address for Go's profiles (/debug/pprof/); off when empty")
	flag.Parse()

	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb-asp: -data is required")
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-asp: bad -data: %v\n", err)
		os.Exit(2)
	}
	url, err := sqliteURL(abs, *sqliteSync, *walPages)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-asp: %v\n", err)
		os.Exit(2)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-asp: cannot create data dir: %v\n", err)
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-asp: bad -log-level: %v\n", err)
		os.Exit(2)
	}
	tuneGC()
	if *debugListen != "" {
		if _, err := serveDebug(*debugListen, slog.Default()); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb-asp: %v\n", err)
			os.Exit(2)
		}
	}

	logger := slog.New(&lazyAttrs{base: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Before FerretDB opens the files: the patched FerretDB filters on a column older tables lack.
	if _, err := migrateIDColumns(ctx, abs, logger); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-asp: cannot add the _id column to existing tables: %v\n", err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: url,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-asp: %v\n", err)
		os.Exit(1)
	}

	// Run returns when ctx is cancelled or the listener fails (for example a
	// port already in use); a failure must exit non-zero so scripts see it.
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "ferretdb-asp: %v\n", err)
		os.Exit(1)
	}
}

// lazyAttrs defers the formatting of attributes added with Logger.With until
// a record is actually written. FerretDB's SQL layer adds each statement's
// arguments (whole documents, as JSON) with With before every debug line,
// and slog's text handler formats them as soon as they are added, debug on
// or not: about a tenth of FerretDB's CPU time under the projector's writes.
type lazyAttrs struct {
	base slog.Handler
	// ops are the With and WithGroup calls in order, applied to base in Handle.
	ops []func(slog.Handler) slog.Handler
}

func (h *lazyAttrs) Enabled(ctx context.Context, l slog.Level) bool { return h.base.Enabled(ctx, l) }

func (h *lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	inner := h.base
	for _, op := range h.ops {
		inner = op(inner)
	}
	return inner.Handle(ctx, r)
}

func (h *lazyAttrs) with(op func(slog.Handler) slog.Handler) slog.Handler {
	ops := make([]func(slog.Handler) slog.Handler, len(h.ops), len(h.ops)+1)
	copy(ops, h.ops)
	return &lazyAttrs{base: h.base, ops: append(ops, op)}
}

func (h *lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.with(func(x slog.Handler) slog.Handler { return x.WithAttrs(attrs) })
}

func (h *lazyAttrs) WithGroup(name string) slog.Handler {
	return h.with(func(x slog.Handler) slog.Handler { return x.WithGroup(name) })
}

// sqliteURL is FerretDB's SQLite URL for the data directory dir, with the pragmas each
// connection runs; an out-of-range setting is an error, not left to SQLite to ignore.
func sqliteURL(dir, synchronous string, walPages int) (string, error) {
	if synchronous != "normal" && synchronous != "full" {
		return "", fmt.Errorf("-sqlite-synchronous must be normal or full, got %q", synchronous)
	}
	if walPages < 1 || walPages > 1_000_000 {
		return "", fmt.Errorf("-sqlite-wal-autocheckpoint must be 1 to 1000000, got %d", walPages)
	}
	return "file:" + dir + "/?_pragma=synchronous(" + synchronous + ")" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(walPages) + ")", nil
}

// tuneGC trades a little memory for CPU, unless GOGC or GOMEMLIMIT say
// otherwise: FerretDB converts every document it reads or writes through
// several layers of short-lived values, and at Go's default (collect when
// the heap doubled) about a tenth of its CPU time under the projector's
// writes went to the collector. Collecting at 5x the live heap cut FerretDB's
// CPU per document by ~15-20% for ~10 MB more memory; the soft limit makes
// the collector work harder again before the heap gets large.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}
