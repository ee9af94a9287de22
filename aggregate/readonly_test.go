package aggregate_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pftls/pftls/aggregate"
)

// roChildDB names the database the child process of
// TestOpen_read_only_directory_says_what_to_do opens; set only in it.
const roChildDB = "PFTLS_TEST_READ_ONLY_DB"

// TestOpen_read_only_directory_says_what_to_do: a user who may read the
// database but not write its directory (a monitoring account reading
// root's database after the writer closed it) cannot read it, because
// SQLite must create the WAL's -shm file. The error says so and what to
// do, not only "attempt to write a readonly database". The tests run as
// root, who may write anywhere: then the read runs in a copy of this test
// binary as the user nobody.
func TestOpen_read_only_directory_says_what_to_do(t *testing.T) {
	if path := os.Getenv(roChildDB); path != "" {
		st, err := aggregate.Open(context.Background(), path, aggregate.OpenOptions{ReadOnly: true})
		if err == nil {
			_, _, err = st.Span(context.Background(), "")
			st.Close()
		}
		fmt.Printf("open error: %v\n", err)
		return
	}
	// Not t.TempDir: its parent is private to root, and nobody must reach dir.
	dir, err := os.MkdirTemp("", "pftls-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dbDir := filepath.Join(dir, "db")
	db := filepath.Join(dbDir, "pftls.db")
	st, err := aggregate.Open(context.Background(), db, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db + "-shm"); err == nil {
		t.Fatalf("%s-shm is left after the writer closed", db)
	}
	// Readable by all, the directory writable by nobody but root.
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dbDir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dbDir, 0o755) }) // before the RemoveAll above

	var out string
	if os.Geteuid() != 0 {
		st, err := aggregate.Open(context.Background(), db, aggregate.OpenOptions{ReadOnly: true})
		if err == nil {
			_, _, err = st.Span(context.Background(), "")
			st.Close()
		}
		out = fmt.Sprintf("open error: %v", err)
	} else {
		out = runAsNobody(t, dir, db)
	}
	if !strings.Contains(out, "must create pftls.db-shm in "+dbDir) || !strings.Contains(out, "run pftls as the database's owner") {
		t.Errorf("a reader without write access to the directory was told: %s", out)
	}
}

// runAsNobody runs this test in a copy of the test binary (in dir) as the
// user nobody, with roChildDB set to db, and returns what it printed.
func runAsNobody(t *testing.T, dir, db string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	bin := filepath.Join(dir, "aggregate.test")
	if err := copyFile(self, bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^TestOpen_read_only_directory_says_what_to_do$", "-test.v")
	cmd.Env = append(os.Environ(), roChildDB+"="+db, "HOME="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("cannot run the test binary as nobody (%v): %s", err, out)
	}
	return string(out)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
