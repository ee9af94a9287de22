// Command pftls reports on Postfix mail logs: deferrals, bounces and TLS
// failures per destination domain, and the health of TLS in and out.
//
// main only wires the process to run; every command lives in its own file.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// The zone rules --tz and TZ name, in the binary: a container image
	// often has no /usr/share/zoneinfo, and a log's year-less, zone-less
	// stamps are read by them (summer time, the hour that happens twice).
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	limitMemory(os.Args[1:])
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
