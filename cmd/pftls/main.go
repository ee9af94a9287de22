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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	limitMemory(os.Args[1:])
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
