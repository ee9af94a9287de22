package pftls_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportRules keeps the flow honest (source -> logparse -> aggregate ->
// report, cmd only wires): who may import what.
func TestImportRules(t *testing.T) {
	type rule struct {
		pkg  string // import path prefix that is restricted
		only []string
	}
	rules := []rule{
		{"database/sql", []string{"aggregate"}},
		{"github.com/mattn/go-sqlite3", []string{"aggregate"}},
		{"github.com/nxadm/tail", []string{}}, // could exit the process; source.Follow follows files itself
		{"github.com/olekukonko/tablewriter", []string{"report/text.go"}},
		{"github.com/pftls/pftls/aggregate", []string{"aggregate", "report", "cmd/pftls"}},
		{"github.com/pftls/pftls/report", []string{"report", "cmd/pftls"}},
		{"github.com/pftls/pftls/cmd", []string{}},
	}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			// logparse (but not its source subpackage) is standard library only.
			if strings.HasPrefix(path, "logparse/") && !strings.HasPrefix(path, "logparse/source/") && strings.Contains(p, ".") {
				t.Errorf("%s imports %s: logparse uses the standard library only", path, p)
			}
			for _, r := range rules {
				if !strings.HasPrefix(p, r.pkg) {
					continue
				}
				allowed := false
				for _, where := range r.only {
					if path == where || strings.HasPrefix(path, where+"/") {
						allowed = true
					}
				}
				if !allowed {
					t.Errorf("%s imports %s, which only %v may", path, p, r.only)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 30 {
		t.Fatalf("checked only %d files", checked)
	}
}
