package aggregate

// #include "sqliteapi.h"
import "C"

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// registerFunctions makes the table-valued functions pftls_rows
// (rowsvtab.c: storing packed rows) and pftls_chunks (chunksvtab.c:
// reading rows packed) available on every SQLite connection opened after
// it. Registering again is a no-op, so every Open may call it.
//
// The C files call SQLite's C API, which go-sqlite3 compiles into its own
// package; the go command links such a binary with the external linker.
func registerFunctions() error {
	if rc := C.pftls_register(); rc != 0 {
		return fmt.Errorf("register pftls_rows and pftls_chunks with SQLite: error code %d", int(rc))
	}
	return nil
}

// rowBufferLimit is the size at which a rowBuffer is full and the next rows
// go into a new one (a blob of its own, stored by one statement). Small
// buffers keep memory flat: the driver and pftls_rows each copy a buffer
// into C memory per statement, and with 1 MiB buffers the C allocator's
// per-thread arenas grew ingest's peak RSS at 10 M lines from 124 to 158 MB
// (64 KiB: 132 MB, and no slower).
const rowBufferLimit = 64 << 10

// rowBuffer packs rows of values in the format pftls_rows reads: a tag byte
// per value and its payload. Packing costs no allocation per value, and
// the whole buffer is stored by one statement.
type rowBuffer struct {
	b      []byte
	values int         // values in b
	dict   *dictionary // packs dictionary columns and delays compactly (dict.go); nil: as they are
}

// newRowBuffer is an empty buffer packing through dict (nil: texts and
// delays as they are), with room for rowBufferLimit bytes and
// the row that crosses it.
func newRowBuffer(dict *dictionary) rowBuffer {
	return rowBuffer{b: make([]byte, 0, rowBufferLimit+rowBufferLimit/4), dict: dict}
}

// reset empties the buffer, keeping its memory.
func (r *rowBuffer) reset() { r.b, r.values = r.b[:0], 0 }

// full reports whether the next rows should go into a new buffer.
func (r *rowBuffer) full() bool { return len(r.b) >= rowBufferLimit }

func (r *rowBuffer) int(v int64) {
	r.values++
	r.b = append(r.b, 'i')
	r.b = binary.LittleEndian.AppendUint64(r.b, uint64(v))
}

func (r *rowBuffer) float(v float64) {
	r.values++
	r.b = append(r.b, 'f')
	r.b = binary.LittleEndian.AppendUint64(r.b, math.Float64bits(v))
}

func (r *rowBuffer) bool(v bool) {
	if v {
		r.int(1)
	} else {
		r.int(0)
	}
}

// text appends s. Its length fits the 4-byte field: values come from log
// lines of at most 64 KiB (a few joined at most), and SQLite refuses any
// value over 1 GB.
func (r *rowBuffer) text(s string) {
	r.values++
	r.b = append(r.b, 't')
	r.b = binary.LittleEndian.AppendUint32(r.b, uint32(len(s)))
	r.b = append(r.b, s...)
}

// blob appends b; only pftls_chunks's parameters hold blobs (chunks.go).
func (r *rowBuffer) blob(b []byte) {
	r.values++
	r.b = append(r.b, 'b')
	r.b = binary.LittleEndian.AppendUint32(r.b, uint32(len(b)))
	r.b = append(r.b, b...)
}

func (r *rowBuffer) time(t time.Time) { r.int(nanos(t)) }
