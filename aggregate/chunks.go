package aggregate

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Reading facts back in chunks.
//
// A report reads every fact of its window that the rollups do not sum:
// hundreds of thousands of rows for a busy day. Through database/sql
// each row costs a driver call and a Go value per column (34 for an
// attempt), about 3 µs a row, several times what SQLite needs to find
// and decode it. The pftls_chunks table-valued function (chunksvtab.c)
// runs the same query inside SQLite and packs its rows, about 64 KiB
// at a time, in the format pftls_rows reads (rows.go); eachPacked splits
// them into values without a call or an allocation per value.

// chunksQuery runs a query (the first parameter) with its parameters
// packed as one row (the second) and reads its rows, which must have as
// many columns as the third says, as packed chunks.
const chunksQuery = `SELECT data FROM pftls_chunks(?, ?, ?)`

// value is one value of a packed row.
type value struct {
	tag   byte   // 'n' NULL, 'i' integer, 'f' float, 't' text, 'b' blob
	bits  uint64 // 'i', 'f': the number
	bytes []byte // 't', 'b': the value, valid until the next chunk is read
}

// kind names what v holds, for errors.
func (v *value) kind() string {
	switch v.tag {
	case 'n':
		return "NULL"
	case 'i':
		return "an integer"
	case 'f':
		return "a float"
	case 't':
		return "text"
	default:
		return "a blob"
	}
}

// int is v's integer.
func (v *value) int() (int64, error) {
	if v.tag != 'i' {
		return 0, fmt.Errorf("holds %s, not an integer", v.kind())
	}
	return int64(v.bits), nil
}

// float is v's number as a float, an integer converted.
func (v *value) float() (float64, error) {
	switch v.tag {
	case 'f':
		return math.Float64frombits(v.bits), nil
	case 'i':
		return float64(int64(v.bits)), nil
	}
	return 0, fmt.Errorf("holds %s, not a number", v.kind())
}

// text is v's text (NULL is empty), a copy.
func (v *value) text() (string, error) {
	switch v.tag {
	case 't', 'b':
		return string(v.bytes), nil
	case 'n':
		return "", nil
	}
	return "", fmt.Errorf("holds %s, not text", v.kind())
}

// packedAhead is how many chunks the reader of a query may be ahead of
// the rows' consumer.
const packedAhead = 4

// eachPacked runs query on db with args and hands each of its rows, as
// ncol values, to each; the values are valid only during the call. It
// stops at the first error.
//
// SQLite finds and packs the rows on a goroutine of their own, while each
// counts the chunks read before: on two cores a report's reading and
// counting overlap.
func eachPacked(ctx context.Context, db *sql.DB, query string, args []any, ncol int, each func([]value) error) error {
	params, err := packParams(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []byte, packedAhead)
	free := make(chan []byte, packedAhead+2) // buffers the consumer is done with
	var readErr error
	go func() {
		defer close(chunks)
		readErr = readChunks(ctx, db, query, params, ncol, chunks, free)
	}()
	if err := unpackChunks(chunks, free, ncol, each); err != nil {
		cancel()
		for range chunks { // let the reader see the cancel and end
		}
		return err
	}
	return readErr // set before chunks was closed
}

// readChunks sends the chunks of query's rows (params: its parameters,
// packed; ncol: its columns) to chunks, each copied into a buffer from
// free if there is one. (go-sqlite3 hands over a new slice per chunk
// today, but database/sql promises RawBytes only until the next row:
// the copy keeps to the promise, at a memmove of 64 KiB per chunk.)
func readChunks(ctx context.Context, db *sql.DB, query string, params []byte, ncol int, chunks chan<- []byte, free <-chan []byte) error {
	rows, err := db.QueryContext(ctx, chunksQuery, query, params, ncol)
	if err != nil {
		return err
	}
	defer rows.Close()
	var raw sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		var chunk []byte // a copy: raw is the driver's until the next row
		select {
		case chunk = <-free:
		default:
		}
		chunk = append(chunk[:0], raw...)
		select {
		case chunks <- chunk:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return rows.Err()
}

// unpackChunks hands each row of each chunk, as ncol values, to each,
// and then the chunk to free.
func unpackChunks(chunks <-chan []byte, free chan<- []byte, ncol int, each func([]value) error) error {
	vals := make([]value, ncol)
	row := 0
	for chunk := range chunks {
		for rest := chunk; len(rest) > 0; {
			row++
			var err error
			if rest, err = unpackRow(rest, vals); err != nil {
				return fmt.Errorf("row %d: %w", row, err)
			}
			if err := each(vals); err != nil {
				return err
			}
		}
		select {
		case free <- chunk:
		default:
		}
	}
	return nil
}

// packParams packs a query's parameters as one row.
func packParams(args []any) ([]byte, error) {
	var r rowBuffer // a few dozen bytes: not newRowBuffer's 80 KiB for a writer's rows
	for i, a := range args {
		switch v := a.(type) {
		case int64:
			r.int(v)
		case int:
			r.int(int64(v))
		case string:
			r.text(v)
		case []byte:
			r.blob(v)
		default:
			return nil, fmt.Errorf("parameter %d: cannot pack %T", i+1, a)
		}
	}
	return r.b, nil
}

var errChunkCut = errors.New("packed row cut short")

// unpackRow reads the len(vals) values of the row that starts p into vals
// and returns what follows it.
func unpackRow(p []byte, vals []value) ([]byte, error) {
	for i := range vals {
		if len(p) == 0 {
			return nil, fmt.Errorf("%d of %d values: %w", i, len(vals), errChunkCut)
		}
		v := &vals[i]
		v.tag = p[0]
		switch v.tag {
		case 'n':
			p = p[1:]
		case 'i', 'f':
			if len(p) < 9 {
				return nil, errChunkCut
			}
			v.bits = binary.LittleEndian.Uint64(p[1:9])
			p = p[9:]
		case 't', 'b':
			if len(p) < 5 {
				return nil, errChunkCut
			}
			n := binary.LittleEndian.Uint32(p[1:5])
			if uint64(len(p)-5) < uint64(n) {
				return nil, errChunkCut
			}
			v.bytes = p[5 : 5+n]
			p = p[5+n:]
		default:
			return nil, fmt.Errorf("value %d: unknown tag %q", i+1, v.tag)
		}
	}
	return p, nil
}
