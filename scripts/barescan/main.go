// Command barescan is the read floor of scripts/bench.sh: what reading a
// log costs a Go program that does almost nothing with it. It splits each
// FILE into lines with a bufio.Scanner and looks for three substrings per
// line with bytes.Contains (the least a parser does: find the daemon, the
// status, the TLS lines), then prints the counts, so that the work is not
// optimised away.
//
//	go run ./scripts/barescan /var/log/mail.log
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
)

var (
	smtp   = []byte("postfix/smtp[")
	status = []byte(" status=")
	tls    = []byte(" TLS ")
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: barescan FILE...")
		return 2
	}
	var c counts
	for _, path := range args {
		if err := c.scan(path); err != nil {
			fmt.Fprintf(stderr, "barescan: %v\n", err)
			return 2
		}
	}
	fmt.Fprintf(stdout, "lines %d smtp %d status %d tls %d\n", c.lines, c.smtp, c.status, c.tls)
	return 0
}

// counts are the lines read and those holding each substring.
type counts struct{ lines, smtp, status, tls int64 }

func (c *counts) scan(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Bytes()
		c.lines++
		if bytes.Contains(l, smtp) {
			c.smtp++
		}
		if bytes.Contains(l, status) {
			c.status++
		}
		if bytes.Contains(l, tls) {
			c.tls++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
