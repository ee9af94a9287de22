package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// fingerprintSize is the most decompressed bytes a fingerprint covers.
const fingerprintSize = 4096

// Identity says which log a file is, so a rotated or compressed copy is recognised.
type Identity struct {
	Path           string
	Dev, Inode     uint64    // 0 for stdin
	Size           int64     // size on disk (compressed size for .gz)
	ModTime        time.Time // zero for stdin
	Compression    string    // "", "gzip", "bzip2", "zstd" — detected from magic bytes, never from the name
	Fingerprint    string    // hex sha256 of the first FingerprintLen bytes of the DECOMPRESSED content; empty for stdin
	FingerprintLen int       // min(4096, decompressed length)
}

// Fingerprint returns the hex sha256 of the first n decompressed bytes of
// path, for matching a stored source whose FingerprintLen was n. It is an
// error (matching io.ErrUnexpectedEOF) if the content is shorter than n.
func Fingerprint(path string, n int) (string, error) {
	if n < 0 {
		return "", fmt.Errorf("fingerprint %s: negative length %d", path, n)
	}
	r, _, err := openFile(path)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	got, err := io.CopyN(h, r.br, int64(n))
	switch {
	case err == io.EOF:
		return "", fmt.Errorf("fingerprint %s: content has %d bytes, want %d: %w", path, got, n, io.ErrUnexpectedEOF)
	case err != nil:
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashHex(p []byte) string {
	sum := sha256.Sum256(p)
	return hex.EncodeToString(sum[:])
}
