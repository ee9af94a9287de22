package report

import (
	"fmt"
	"strings"
	"testing"
)

// TestNamesNumberEachStringOnce: names gives each distinct string one
// number, in the order first seen, finds it again after the table grew,
// and gives back every string with its number: queue IDs, recipients
// (the empty one of "to=<>" too), a name longer than a shared arena block
// takes, and one longer than the arena keeps; text gives each back.
func TestNamesNumberEachStringOnce(t *testing.T) {
	huge := strings.Repeat("x", arenaMaxLen+1)
	var in []string
	for i := range 5000 { // past namesMinTable: the table grows
		in = append(in, fmt.Sprintf("%010X", i*7919), fmt.Sprintf("user%d@example.org", i))
	}
	in = append(in, "", "MAILER-DAEMON", strings.Repeat("long.example.", 400), huge)
	for _, maxBlocks := range []int{0, 3} { // 3: the arena is soon full, names go to names.long
		testNamesNumberEachStringOnce(t, in, huge, maxBlocks)
	}
}

func testNamesNumberEachStringOnce(t *testing.T, in []string, huge string, maxBlocks int) {
	t.Helper()
	n := names{arena: textArena{maxBlocks: maxBlocks}}
	for round := range 2 {
		for i, s := range in {
			if got := n.id(s); got != uint32(i) {
				t.Fatalf("arena of %d blocks, round %d: id(%.20q) = %d, want %d", maxBlocks, round, s, got, i)
			}
		}
	}
	for i, s := range in {
		if got, ok := n.find(s); !ok || got != uint32(i) {
			t.Errorf("find(%.20q) = %d, %v, want %d", s, got, ok, i)
		}
	}
	for _, s := range []string{"0000000001", "user5000@example.org", "mailer-daemon", huge[1:]} {
		if id, ok := n.find(s); ok {
			t.Errorf("find(%.20q) = %d, want none", s, id)
		}
	}
	for i, s := range in {
		if got := string(n.text(uint32(i))); got != s {
			t.Errorf("arena of %d blocks: text(%d) = %.20q, want %.20q", maxBlocks, i, got, s)
		}
	}
	if maxBlocks > 0 && len(n.long) < len(in)/2 {
		t.Errorf("arena of %d blocks: %d names in names.long, want most of %d", maxBlocks, len(n.long), len(in))
	}
}
