package report

import (
	"fmt"
	"maps"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestVolumeTable_exact_under_limit: with no more names than it keeps, a
// ranked list is the exact count of every name, as a plain map gives.
func TestVolumeTable_exact_under_limit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	tab := newVolumeTable(500)
	want := map[string]VolumeRow{}
	for range 20_000 {
		name := fmt.Sprintf("user%d@example.org", rng.Intn(500))
		size := int64(rng.Intn(100_000))
		tab.add(name, 1, size)
		r := want[name]
		r.Name, r.Messages, r.Bytes = name, r.Messages+1, r.Bytes+size
		want[name] = r
	}
	for _, bySize := range []bool{false, true} {
		rows, over := tab.rows(bySize)
		if over != (VolumeBound{}) || len(rows) != len(want) {
			t.Fatalf("bySize=%v: %d rows over by %d, want %d exact", bySize, len(rows), over, len(want))
		}
		for i, r := range rows {
			if r != want[r.Name] {
				t.Errorf("bySize=%v: %+v, want %+v", bySize, r, want[r.Name])
			}
			if i > 0 {
				prev := rows[i-1]
				if !bySize && prev.Messages < r.Messages || bySize && prev.Bytes < r.Bytes {
					t.Errorf("bySize=%v: row %d (%+v) ranked after %+v", bySize, i, r, prev)
				}
			}
		}
	}
}

// TestVolumeTable_bounded_past_limit: with far more names than it keeps
// (a central log server's senders), a ranked list holds at most its
// limit, keeps every heavy name, never counts below the truth, and is over
// it by no more than the bound it reports.
func TestVolumeTable_bounded_past_limit(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	const limit = 200
	tab := newVolumeTable(limit)
	truth := map[string]VolumeRow{}
	add := func(name string, size int64) {
		tab.add(name, 1, size)
		r := truth[name]
		r.Name, r.Messages, r.Bytes = name, r.Messages+1, r.Bytes+size
		truth[name] = r
	}
	for i := range 100_000 {
		if i%10 == 0 {
			add(fmt.Sprintf("heavy%d@example.org", rng.Intn(5)), 50_000) // 2% each
		} else {
			add(fmt.Sprintf("once%d@example.net", i), int64(rng.Intn(1000)))
		}
	}
	for _, bySize := range []bool{false, true} {
		rows, over := tab.rows(bySize)
		if len(rows) != limit || over.Messages == 0 || over.Bytes == 0 {
			t.Fatalf("bySize=%v: %d rows, over by %+v; want %d rows and a bound", bySize, len(rows), over, limit)
		}
		for i, r := range rows {
			tr := truth[r.Name]
			// Both columns are inherited by a successor: each within its bound.
			if r.Messages < tr.Messages || r.Messages-tr.Messages > over.Messages || r.Bytes < tr.Bytes || r.Bytes-tr.Bytes > over.Bytes {
				t.Errorf("bySize=%v: %s counted %d messages / %d bytes, truth %d / %d, bound %+v", bySize, r.Name,
					r.Messages, r.Bytes, tr.Messages, tr.Bytes, over)
			}
			if i < 5 && r.Name[:5] != "heavy" {
				t.Errorf("bySize=%v: rank %d is %s, want the five heavy senders first", bySize, i+1, r.Name)
			}
		}
	}
}

// TestReport_senders_past_limit_say_approximate: a report whose senders
// outnumber what pftls counts says, in the JSON and on the section every
// rendering for people shows, that the ranked lists are approximate and
// by how much a count may be over: never silently wrong.
func TestReport_senders_past_limit_say_approximate(t *testing.T) {
	b := NewBuilder(Options{Top: 10})
	b.sendersVol = newVolumeTable(3)
	start := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	var batch aggregate.Batch
	for i := range 10 {
		batch.Messages = append(batch.Messages, aggregate.Message{Host: "mail", QueueID: fmt.Sprintf("4A%03d", i),
			Start: start, LastSeen: start, Origin: aggregate.OriginSMTPD, HasSender: true,
			Sender: fmt.Sprintf("s%d@example.org", i%5), Size: 1000})
	}
	b.Feed(&batch)
	m := b.Finish()
	if m.Approximate["senders"] == (VolumeBound{}) || m.Approximate["senders-by-size"] == (VolumeBound{}) {
		t.Fatalf("Approximate = %v, want senders and senders-by-size with their bounds", m.Approximate)
	}
	if _, ok := m.Approximate["received-from"]; ok {
		t.Errorf("received-from (one domain) is marked approximate: %v", m.Approximate)
	}
	found := false
	for _, tab := range m.Tables(time.UTC) {
		if tab.ID == "senders" {
			found = strings.Contains(tab.Note, "approximate")
		}
	}
	if !found {
		t.Error("the senders section does not say it is approximate")
	}
}

// TestVolumeTableEvictsTheEmptyName: a recipient to=<> is the name "";
// when it is replaced, a later "" starts a row of its own instead of
// adding to the row of the name that replaced it (b had 12 messages).
func TestVolumeTableEvictsTheEmptyName(t *testing.T) {
	v := newVolumeTable(2)
	v.add("", 1, 100)
	v.add("a", 5, 500)
	v.add("b", 10, 1000) // replaces "" (1): 11
	v.add("", 1, 100)    // replaces a (5): 6
	rows, _ := v.rows(false)
	got := map[string]int64{}
	for _, r := range rows {
		got[r.Name] = r.Messages
	}
	if want := map[string]int64{"b": 11, "": 6}; !maps.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
}
