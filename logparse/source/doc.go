// Package source reads the log inputs pftls parses: plain, gzip, bzip2 and
// zstd files, and standard input. It is pure I/O: it splits a stream into
// lines and never looks inside them.
//
// # Reading lines
//
// [Open] opens a path ("-" is standard input) and [NewReader] wraps any
// [io.Reader]. Both detect compression from the first bytes of the content,
// never from the file name, so a rotated copy that was compressed under its
// old name still reads. [Reader.Next] returns one [Line] at a time with its
// 1-based number and its byte offsets in the decompressed stream; it does not
// allocate per line, and a line's Bytes are only valid until the next call.
//
// A trailing "\r" before "\n" is removed. NUL bytes and invalid UTF-8 pass
// through untouched. A line longer than the reader's maximum
// ([MaxLineBytes] unless [Reader.SetMaxLine] says otherwise) keeps its first
// bytes and is flagged Truncated; the rest is skipped without buffering it.
// A last line with no newline is returned with Partial set.
//
// A decompression or read error (a gzip file cut short, say) comes after
// every complete line read before it, and names the file and the line that
// was being read: "mail.log.2.gz: line 1234: unexpected EOF".
//
// # Resuming
//
// Every Line carries End, the offset just after it. A caller that stored
// that offset resumes with [Reader.SkipTo], which discards bytes up to it
// while counting the newlines, so line numbers carry on where they were.
//
// # Recognising a file
//
// [Reader.Identity] describes the opened file: path, device and inode, size,
// modification time, compression, and a sha256 fingerprint of the first
// 4096 decompressed bytes. A log and its rotated, compressed copy have the
// same fingerprint; [Fingerprint] recomputes it over a stored length to match
// a source seen before while it was shorter.
//
// # Choosing and ordering inputs
//
// [Order] sorts the paths given on the command line oldest first, using
// logrotate's naming (mail.log.2.gz is older than mail.log.1, which is older
// than mail.log; mail.log-20260301 is older than mail.log-20260308).
// [DefaultLog] picks the system's mail log when none is given.
package source
