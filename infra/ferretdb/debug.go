package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// debugHandler serves Go's profiles (net/http/pprof) and nothing else: the
// benchmark's --profile takes FerretDB's CPU profile of the load from
// /debug/pprof/profile?seconds=N. A mux of its own, not http.DefaultServeMux,
// which any imported package may have added handlers to.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// checkDebugAddr refuses an address other hosts could reach: the profiles
// show the process's internals, and a CPU profile costs it CPU.
func checkDebugAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-debug-listen: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-debug-listen must be a loopback address (127.0.0.1:<port>), got %q", addr)
	}
	return nil
}

// serveDebug listens on addr and serves the profiles until the process ends;
// a listener that cannot start is an error at start, not a silent absence.
func serveDebug(addr string, logger *slog.Logger) (net.Listener, error) {
	if err := checkDebugAddr(addr); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-debug-listen: %w", err)
	}
	// No write timeout: a CPU profile's response comes only after its `seconds`.
	srv := &http.Server{Handler: debugHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		// Serve ends with net.ErrClosed when the listener is closed (the process ends, or a test).
		if err := srv.Serve(l); err != nil && !errors.Is(err, net.ErrClosed) {
			logger.Warn("debug listener stopped", "err", err)
		}
	}()
	return l, nil
}
