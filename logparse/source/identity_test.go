package source

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGrownFingerprint: a log opened empty gets, once it has grown, the
// fingerprint that opening it now gives over the bytes read; not when the
// path has become another file or the file is compressed.
func TestGrownFingerprint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	empty := r.Identity()
	r.Close()

	line := "Nov 23 00:19:54 mail postfix/postfix-script[13390]: starting the Postfix mail system\n"
	if err := os.WriteFile(path, []byte(strings.Repeat(line, 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, read := range []int64{int64(len(line)), 5000} {
		fp, n, err := GrownFingerprint(empty, read)
		if err != nil {
			t.Fatalf("GrownFingerprint after %d bytes: %v", read, err)
		}
		want, err := Fingerprint(path, n)
		if err != nil {
			t.Fatal(err)
		}
		if n != int(min(read, FingerprintSize)) || fp != want {
			t.Errorf("after %d bytes: fingerprint of %d bytes %s, want %d bytes %s", read, n, fp, min(read, FingerprintSize), want)
		}
	}

	// Rotated: the path is a new file now.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Repeat(line, 2)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := GrownFingerprint(empty, int64(len(line))); err == nil || !strings.Contains(err.Error(), "no longer the file") {
		t.Errorf("after rotation: err = %v, want 'no longer the file'", err)
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(line))
	zw.Close()
	gzPath := filepath.Join(dir, "mail.log.2.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = Open(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	compressed := r.Identity()
	r.Close()
	if _, _, err := GrownFingerprint(compressed, int64(len(line))); err == nil {
		t.Error("GrownFingerprint of a compressed file succeeded")
	}
}
