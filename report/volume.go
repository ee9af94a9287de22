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
type volumeTable struct {
	byCount, bySize spaceSaving
}

func newVolumeTable(limit int) *volumeTable {
	return &volumeTable{
		byCount: spaceSaving{limit: limit, key: func(e *volumeEntry) int64 { return e.Messages }},
		bySize:  spaceSaving{limit: limit, key: func(e *volumeEntry) int64 { return e.Bytes }},
	}
}

// add counts messages messages of bytes bytes for name.
func (t *volumeTable) add(name string, messages, bytes int64) {
	owned := t.byCount.add(name, "", messages, bytes)
	t.bySize.add(name, owned, messages, bytes)
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
	rows = make([]VolumeRow, 0, len(s.heap))
	for _, e := range s.heap {
		rows = append(rows, e.VolumeRow)
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
	at int // its index in the heap
}

// spaceSaving is one ranking of a volumeTable: a min-heap of at most
// limit entries by key, and an index by name.
type spaceSaving struct {
	limit  int
	key    func(*volumeEntry) int64
	byName map[string]*volumeEntry
	heap   []*volumeEntry
	// ordered: heap is a min-heap by key. It is made one only when the
	// ranking is full and a new name must replace the last one: below the
	// limit (the common case) counting is a map update and nothing more.
	ordered bool
	over    VolumeBound // the largest counts a replaced entry left to its successor
}

// add counts for name; owned, when not "", is name already copied (see
// msgKey.owned). It returns the copy the ranking keeps, or "" when the
// name was already there.
func (s *spaceSaving) add(name, owned string, messages, bytes int64) string {
	if e := s.byName[name]; e != nil {
		e.Messages += messages
		e.Bytes += bytes
		if s.ordered {
			s.down(e.at)
		}
		return ""
	}
	if owned == "" {
		owned = strings.Clone(name)
	}
	if s.byName == nil {
		s.byName = map[string]*volumeEntry{}
	}
	if len(s.heap) < s.limit {
		e := &volumeEntry{VolumeRow: VolumeRow{Name: owned, Messages: messages, Bytes: bytes}, at: len(s.heap)}
		s.heap = append(s.heap, e)
		s.byName[owned] = e
		return owned
	}
	if !s.ordered {
		for i := len(s.heap)/2 - 1; i >= 0; i-- {
			s.down(i)
		}
		s.ordered = true
	}
	// Full: the last-ranked name gives its place, and its counts, to the
	// new one.
	e := s.heap[0]
	delete(s.byName, e.Name)
	s.over = VolumeBound{max(s.over.Messages, e.Messages), max(s.over.Bytes, e.Bytes)}
	e.Name = owned
	e.Messages += messages
	e.Bytes += bytes
	s.byName[owned] = e
	s.down(0)
	return owned
}

func (s *spaceSaving) less(i, j int) bool { return s.key(s.heap[i]) < s.key(s.heap[j]) }

func (s *spaceSaving) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].at, s.heap[j].at = i, j
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
