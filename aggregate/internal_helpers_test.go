package aggregate

import (
	"os"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// corpusLogPath is the real Postfix 3.7 log the internal tests read.
const corpusLogPath = "../testdata/corpus/corpus-a.log"

// readCorpus returns the bytes of the corpus log.
func readCorpus(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(corpusLogPath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// resolve2026 reads the corpus's year-less stamps as 2026, UTC: no test
// depends on today's date or the machine's zone.
func resolve2026(source.Identity) logparse.Resolver {
	return logparse.Resolver{Year: 2026, Location: time.UTC}
}
