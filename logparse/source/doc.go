// Package source reads the log inputs pftls parses: plain, gzip, bzip2 and
// zstd files, standard input, and a log file followed as it is written. It
// is pure I/O: it splits a stream into lines and never looks inside them.
//
// # One source, one line type
//
// [Reader] is the one source type, after mtail's LogStream: reading a file
// and following it differ by one switch, whether the end of the input ends
// the reading. [Open] opens a path ("-" is standard input), [NewReader] wraps
// any [io.Reader], and [Follow] follows a path across rotation and
// truncation (see Follow). Every one of them yields the same [Line], which
// carries its origin: the input's [Identity] (File), its 1-based Number, its
// Offset and End, and the flags Reopened, Truncated and Partial. A line's
// origin travels with it to the commit that stores its offset.
//
// # Reading lines
//
// Open and NewReader detect compression from the first bytes of the content,
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
// # Following
//
// A Reader made by Follow reads the file's bytes on disk and, at their end,
// waits for a [Waker] (a timer by default; tests give their own) and looks at
// the path again: appended lines, a rotated file drained before its
// successor, a truncated file read again from its start. It uses no
// watcher and no goroutine of its own. A path briefly missing is waited for
// quietly; one that holds something it cannot read (permission denied, a
// directory) is reported to the caller as soon as a look finds it
// (FollowOptions.Unreadable), and again when it can be read.
//
// # Input formats (the seam for envelope decoders)
//
// Today every line is a syslog line and goes to the parser as read. Other
// envelopes (journald JSON, RFC 5424, docker and CRI container logs) will
// be decoded here, in the Reader, where each Line is finished
// (Reader.line, and Reader.followed for a followed file): a decoder chosen
// per source (an option of Open, NewReader and Follow, or detected from
// the first line like compression) or per line will take the raw bytes
// and set Bytes to the syslog-style payload the parser reads, keeping End
// and Offset as positions in the raw input, so that resuming is unchanged.
// Nothing after the Reader will need to know which envelope a line had.
//
// # The systemd journal
//
// [Journal] reads the journal through "journalctl -o json", run with an
// argument list, never a shell: by default every Postfix unit
// ([DefaultJournalUnits]: postfix.service and postfix@*.service, which
// covers Debian's postfix@-.service), after a cursor, following with -f
// when asked. Its Reader is a stream like standard input, and each Line
// carries its entry's Cursor: the journal's "offset". [Journal.Close]
// returns journalctl's failure (an exit status, or its notice that the
// user cannot see the system journal) with its message, matching
// [ErrJournal].
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
// a source seen before while it was shorter. A stream (standard input) has
// no fingerprint until [Reader.IdentifyStream] reads its head ahead;
// [Reader.PrefixFingerprint] is then Fingerprint for it.
// [Siblings] lists a log's rotated copies, to find the one that was the
// log read last time.
//
// # Choosing and ordering inputs
//
// [Order] sorts the paths given on the command line oldest first, using
// logrotate's naming (mail.log.2.gz is older than mail.log.1, which is older
// than mail.log; mail.log-20260301 is older than mail.log-20260308).
// [DefaultLog] picks the system's mail log when none is given.
package source
