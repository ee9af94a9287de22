package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"
)

// FingerprintSize is the most decompressed bytes a fingerprint covers.
const FingerprintSize = 4096

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
	r, _, err := openFile(path, nil)
	if err != nil {
		return "", err
	}
	defer r.Close()
	return hashPrefix(path, r.br, n)
}

// hashPrefix is the fingerprint of the first n bytes of r, which reads
// path; an error matching io.ErrUnexpectedEOF if it has fewer.
func hashPrefix(path string, r io.Reader, n int) (string, error) {
	h := sha256.New()
	got, err := io.CopyN(h, r, int64(n))
	switch {
	case err == io.EOF:
		return "", fmt.Errorf("fingerprint %s: content has %d bytes, want %d: %w", path, got, n, io.ErrUnexpectedEOF)
	case err != nil:
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// GrownFingerprint is the fingerprint of a plain (uncompressed) log that
// was too short to have one when it was opened and has grown since: of its
// first min(read, 4096) bytes, the ones already read, and its length. It
// is an error if the file at id.Path is no longer the file id describes
// (rotated away), is compressed, or is shorter than that.
func GrownFingerprint(id Identity, read int64) (fp string, n int, err error) {
	if id.Compression != "" || id.Path == "-" || id.Inode == 0 {
		return "", 0, fmt.Errorf("fingerprint %s: only a plain file can be recognised later", id.Path)
	}
	f, err := os.Open(id.Path)
	if err != nil {
		return "", 0, fmt.Errorf("fingerprint: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("fingerprint: %w", err)
	}
	if dev, inode := fileID(fi); dev != id.Dev || inode != id.Inode {
		return "", 0, fmt.Errorf("fingerprint %s: no longer the file that was read", id.Path)
	}
	if fi.Size() < read {
		return "", 0, fmt.Errorf("fingerprint %s: %d bytes, shorter than the %d read (truncated)", id.Path, fi.Size(), read)
	}
	n = int(min(read, FingerprintSize))
	fp, err = hashPrefix(id.Path, f, n)
	return fp, n, err
}

// HeadFingerprint is the fingerprint of a source's first bytes, as read
// (at most FingerprintSize of them): what Identity.Fingerprint is for a
// file whose content starts with head.
func HeadFingerprint(head []byte) (fp string, n int) {
	head = head[:min(len(head), FingerprintSize)]
	return hashHex(head), len(head)
}

func hashHex(p []byte) string {
	sum := sha256.Sum256(p)
	return hex.EncodeToString(sum[:])
}

// Stream reports whether the Reader reads a stream handed to [NewReader]
// (standard input, a pipe, a program's output) rather than a file it
// opened: a stream can only be read forwards, and its reads wait for
// its writer.
func (r *Reader) Stream() bool { return r.file == nil && r.fol == nil }

// IdentifyStream fingerprints a stream as [Open] fingerprints a regular
// file, so that the same log piped in twice, or piped in and then read as
// a file, is recognised: it reads ahead the stream's first FingerprintSize
// decompressed bytes (all of it when shorter, waiting for them or for the
// end), which Next still returns. It must be called before the first
// Next. A read error is not returned here: Next returns it after the
// lines before it, as for a file.
func (r *Reader) IdentifyStream() error {
	if r.offset != 0 || r.number != 0 {
		return fmt.Errorf("%s: identify stream: already read to offset %d", r.name, r.offset)
	}
	head, _ := r.br.Peek(FingerprintSize)
	r.ident.Fingerprint, r.ident.FingerprintLen = HeadFingerprint(head)
	r.idp = nil
	return nil
}

// IdentifyStreamWithin is [Reader.IdentifyStream] for a live stream
// (tail -), which may be quiet: it waits at most d for the stream's first
// FingerprintSize bytes and fingerprints what came by then (FingerprintLen
// says how much). A stream not made by [NewReaderContext], or compressed,
// is identified by IdentifyStream, waiting for all of them.
func (r *Reader) IdentifyStreamWithin(d time.Duration) error {
	if r.waiter == nil || r.ident.Compression != "" {
		return r.IdentifyStream()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	r.waiter.wait = t.C
	defer func() { r.waiter.wait = nil }()
	return r.IdentifyStream()
}

// PrefixFingerprint is [Fingerprint] for a stream identified by
// IdentifyStream and not read yet: the fingerprint of its first n bytes
// (n at most FingerprintLen), to match a stored source first seen while
// it was shorter.
func (r *Reader) PrefixFingerprint(n int) (string, error) {
	if r.offset != 0 {
		return "", fmt.Errorf("fingerprint %s: already read to offset %d", r.name, r.offset)
	}
	if n < 0 || n > FingerprintSize {
		return "", fmt.Errorf("fingerprint %s: length %d out of range", r.name, n)
	}
	head, _ := r.br.Peek(n)
	if len(head) < n {
		return "", fmt.Errorf("fingerprint %s: content has %d bytes, want %d: %w", r.name, len(head), n, io.ErrUnexpectedEOF)
	}
	return hashHex(head), nil
}

// HeadIsText reports whether the input's first bytes, not read yet, are
// text: no NUL byte and no control character other than tab, CR and LF.
// A compressed or binary file is not (pftls names it as such).
func (r *Reader) HeadIsText() bool {
	if r.offset != 0 || r.br == nil {
		return false
	}
	head, _ := r.br.Peek(FingerprintSize)
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}
