package main

import (
	"net/http"
	"time"
)

// statusTimeouts bound how long a client of the status endpoint may take:
// a slow-loris client that trickles its request, or holds idle
// connections, is dropped.
type statusTimeouts struct {
	readHeader, read, write, idle time.Duration
}

// defaultStatusTimeouts are generous for Prometheus and browsers.
var defaultStatusTimeouts = statusTimeouts{
	readHeader: 5 * time.Second, read: 10 * time.Second, write: 30 * time.Second, idle: 60 * time.Second,
}

// statusMaxHeaderBytes bounds a request's headers.
const statusMaxHeaderBytes = 64 << 10

// newStatusServer is the HTTP server of the status endpoint.
func newStatusServer(h http.Handler, t statusTimeouts) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
		MaxHeaderBytes:    statusMaxHeaderBytes,
	}
}
