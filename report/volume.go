package report

import (
	"cmp"
	"slices"
	"strings"
)

// volumeLimit is how many names each ranked list of the staples (senders,
// recipients, sending domains; by count and by size) counts at most. A
// day's log of one server has fewer; a central log server's may have
// millions, which counted exactly grew the report's memory with the log
// (116 MB of live heap at 10M generated lines). Past it the lists are
// approximate, and say so (Model.Approximate).
const volumeLimit = 20_000

// volumeTable counts messages and bytes per name for one of pflogsumm's
// ranked lists, ranked both by messages and by bytes, in bounded memory:
// each ranking keeps at most limit names with the Space-Saving algorithm
// (Metwally, Agrawal and El Abbadi, 2005). While there are no more names
// than limit, every count is exact. Past it, a new name takes the place
// of the name ranked last and starts from its counts, so that a count is
// never below the truth and over it by at most the ranking's bound (for
// messages and for bytes: a successor inherits both), and
// every name with more than 1/limit of the total is kept.
//
// The two rankings share one index by name, and keep their entries by
// value with a heap of their positions: a map, an entry and a heap pointer
// per name and ranking made the six rankings of a 10M-line report 15 MB
// of pointers for the collector to follow.
type volumeTable struct {
	index           map[string]volumeSlots
	byCount, bySize spaceSaving
}

// volumeSlots are a name's entries in byCount and bySize (-1: not ranked
// there; a name in neither has no slots).
type volumeSlots [2]int32

func newVolumeTable(limit int) *volumeTable {
	return &volumeTable{
		index:   map[string]volumeSlots{},
		byCount: spaceSaving{limit: limit},
		bySize:  spaceSaving{limit: limit, bySize: true},
	}
}

// add counts messages messages of bytes bytes for name.
func (t *volumeTable) add(name string, messages, bytes int64) {
	slots, known := t.index[name]
	rankings := [2]*spaceSaving{&t.byCount, &t.bySize}
	var owned string // the name's copy its entries keep
	switch {
	case !known:
		owned, slots = strings.Clone(name), volumeSlots{-1, -1}
	case slots[0] >= 0:
		owned = t.byCount.entries[slots[0]].Name
	default:
		owned = t.bySize.entries[slots[1]].Name
	}
	changed := !known
	for r, s := range rankings {
		if slots[r] >= 0 {
			s.bump(slots[r], messages, bytes)
			continue
		}
		i, evicted, replaced := s.insert(owned, messages, bytes)
		slots[r], changed = i, true
		if replaced { // evicted may be "": a recipient to=<>
			es := t.index[evicted]
			es[r] = -1
			if es == (volumeSlots{-1, -1}) {
				delete(t.index, evicted)
			} else {
				t.index[evicted] = es
			}
		}
	}
	if changed {
		t.index[owned] = slots
	}
}

// rows are the names ranked by messages (or by bytes), with the most any
// of their counts may be over the truth (zero: exact).
func (t *volumeTable) rows(bySize bool) (rows []VolumeRow, over VolumeBound) {
	s := &t.byCount
	order := func(a, c VolumeRow) int {
		return cmp.Or(cmp.Compare(c.Messages, a.Messages), cmp.Compare(c.Bytes, a.Bytes), cmp.Compare(a.Name, c.Name))
	}
	if bySize {
		s = &t.bySize
		order = func(a, c VolumeRow) int {
			return cmp.Or(cmp.Compare(c.Bytes, a.Bytes), cmp.Compare(c.Messages, a.Messages), cmp.Compare(a.Name, c.Name))
		}
	}
	rows = make([]VolumeRow, 0, len(s.entries))
	for i := range s.entries {
		rows = append(rows, s.entries[i].VolumeRow)
	}
	slices.SortFunc(rows, order)
	return rows, s.over
}

// VolumeBound is the most a ranked list's message and byte counts may be
// over the truth: the counts a replaced name left to its successor.
type VolumeBound struct {
	Messages int64 `json:"messages"`
	Bytes    int64 `json:"bytes"`
}

// volumeEntry is a name's counts in one ranking.
type volumeEntry struct {
	VolumeRow
	at int32 // its position in the heap
}

// spaceSaving is one ranking of a volumeTable: at most limit entries, and
// a min-heap of their positions by key (messages, or bytes when bySize).
// Entries never move; the heap does.
type spaceSaving struct {
	limit   int
	bySize  bool
	entries []volumeEntry
	heap    []int32
	// ordered: heap is a min-heap by key. It is made one only when the
	// ranking is full and a new name must replace the last one: below the
	// limit (the common case) counting is an addition and nothing more.
	ordered bool
	over    VolumeBound // the largest counts a replaced entry left to its successor
}

// bump counts for the name of entry i.
func (s *spaceSaving) bump(i int32, messages, bytes int64) {
	e := &s.entries[i]
	e.Messages += messages
	e.Bytes += bytes
	if s.ordered {
		s.down(int(e.at))
	}
}

// insert counts for a name not ranked, owned (a copy, see msgKey.owned).
// It returns the name's entry and, when the ranking was full, the name it
// replaced (replaced: that name may be "").
func (s *spaceSaving) insert(owned string, messages, bytes int64) (at int32, evicted string, replaced bool) {
	if len(s.entries) < s.limit {
		i := int32(len(s.entries))
		s.entries = append(s.entries, volumeEntry{VolumeRow: VolumeRow{Name: owned, Messages: messages, Bytes: bytes}, at: i})
		s.heap = append(s.heap, i)
		return i, "", false
	}
	if !s.ordered {
		for i := len(s.heap)/2 - 1; i >= 0; i-- {
			s.down(i)
		}
		s.ordered = true
	}
	// Full: the last-ranked name gives its place, and its counts, to the
	// new one.
	i := s.heap[0]
	e := &s.entries[i]
	evicted = e.Name
	s.over = VolumeBound{max(s.over.Messages, e.Messages), max(s.over.Bytes, e.Bytes)}
	e.Name = owned
	e.Messages += messages
	e.Bytes += bytes
	s.down(0)
	return i, evicted, true
}

// key is what the ranking orders the entry at heap position i by.
func (s *spaceSaving) key(i int) int64 {
	e := &s.entries[s.heap[i]]
	if s.bySize {
		return e.Bytes
	}
	return e.Messages
}

func (s *spaceSaving) less(i, j int) bool { return s.key(i) < s.key(j) }

func (s *spaceSaving) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.entries[s.heap[i]].at, s.entries[s.heap[j]].at = int32(i), int32(j)
}

// down moves entry i towards the leaves while a child is smaller (counts
// only grow, so an entry only ever moves down).
func (s *spaceSaving) down(i int) {
	n := len(s.heap)
	for {
		small := i
		if l := 2*i + 1; l < n && s.less(l, small) {
			small = l
		}
		if r := 2*i + 2; r < n && s.less(r, small) {
			small = r
		}
		if small == i {
			return
		}
		s.swap(i, small)
		i = small
	}
}
