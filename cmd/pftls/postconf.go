package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/pftls/pftls/report"
)

// readPostfixConfig reads the Postfix configuration for --postconf:
// "auto" runs 'postconf -n'; anything else is a file in main.cf or
// 'postconf -n' form. The smtp_tls_policy_maps source files it names are
// read too, so that a diagnosis can quote the line to change. Nothing is
// ever written.
func readPostfixConfig(ctx context.Context, spec, policyFile string, stderr io.Writer) (*report.PostfixConfig, error) {
	if spec == "" {
		return nil, nil
	}
	cfg := &report.PostfixConfig{Source: spec}
	var data []byte
	var err error
	if spec == "auto" {
		cfg.Source = "postconf -n"
		data, err = exec.CommandContext(ctx, "postconf", "-n").Output()
		if err != nil {
			return nil, fmt.Errorf("--postconf auto: run postconf -n: %w (is Postfix installed? give a main.cf path instead)", err)
		}
	} else if data, err = os.ReadFile(spec); err != nil {
		return nil, fmt.Errorf("--postconf: %w", err)
	}
	if cfg.Params, err = report.ParsePostconf(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("--postconf %s: %w", spec, err)
	}
	files := report.PolicyMapFiles(cfg.Params)
	if policyFile != "" {
		files = []string{policyFile}
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "pftls: cannot read the TLS policy table %s: %v\n", name, err)
			continue
		}
		entries, err := report.ParsePolicyFile(name, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		cfg.Policy = append(cfg.Policy, entries...)
	}
	return cfg, nil
}
