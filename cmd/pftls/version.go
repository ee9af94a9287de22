package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/pftls/pftls/aggregate"
)

// Stamped by release builds (scripts/build-deb.sh):
//
//	go build -ldflags "-X main.version=1.0.0 -X main.commit=abc123 -X main.date=2026-12-06T00:00:00Z"
//
// Left empty, pftls version falls back to the module's build info: the
// module version for "go install ...@v1.0.0", else the VCS revision.
var (
	version string
	commit  string
	date    string
)

// buildInfo is what a user reports with a bug: which pftls, from which
// source, built when and with what.
type buildInfo struct {
	Version  string // 1.0.0, v1.0.0 (go install), or devel
	Commit   string // VCS revision, "" when unknown
	Modified bool   // built from a work tree with uncommitted changes
	Date     string // build date (stamped) or commit date (VCS)
	Go       string // toolchain
	Platform string // GOOS/GOARCH
}

// readBuildInfo combines the stamped variables with the module's build
// info; a stamped value wins.
func readBuildInfo() buildInfo {
	b := buildInfo{Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var modVersion, rev, vcsTime string
	if info, ok := debug.ReadBuildInfo(); ok {
		modVersion = info.Main.Version
		if info.GoVersion != "" {
			b.Go = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if modVersion == "(devel)" {
		modVersion = ""
	}
	b.Version = cmp.Or(version, modVersion, "devel")
	b.Commit = cmp.Or(commit, rev)
	b.Date = cmp.Or(date, vcsTime)
	return b
}

// short is the one-word version: "1.0.0", or "devel-0123456789ab-dirty".
func (b buildInfo) short() string {
	if b.Version != "devel" || b.Commit == "" {
		return b.Version
	}
	v := "devel-" + b.Commit[:min(12, len(b.Commit))]
	if b.Modified {
		v += "-dirty"
	}
	return v
}

func (b buildInfo) write(w io.Writer, sqlite string) {
	fmt.Fprintf(w, "pftls %s\n", b.short())
	if b.Commit != "" {
		mod := ""
		if b.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(w, "commit:   %s%s\n", b.Commit, mod)
	}
	if b.Date != "" {
		fmt.Fprintf(w, "built:    %s\n", b.Date)
	}
	fmt.Fprintf(w, "go:       %s %s\n", b.Go, b.Platform)
	fmt.Fprintf(w, "sqlite:   %s\n", sqlite)
}

func runVersion(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "version", "")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	sqlite, err := aggregate.SQLiteVersion(ctx)
	if err != nil {
		sqlite = "unknown (" + err.Error() + ")"
	}
	readBuildInfo().write(e.stdout, sqlite)
	return nil
}
