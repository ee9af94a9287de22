package aggregate

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// tableStatements is what TestFactTableStatements checks of one table.
type tableStatements struct {
	name, insert, query string
	cols                []string
}

func statementsOf[T any](t *factTable[T]) tableStatements {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	return tableStatements{t.name, t.insert, t.query, names}
}

// checkStatements returns what is wrong with a table's statements: each
// must name the declared columns in the declared order, and the INSERT
// must take c0, c1, ... from pftls_rows in the same order.
func checkStatements(ts tableStatements) []string {
	var bad []string
	words := func(s string) []string {
		var out []string
		for _, w := range strings.Split(s, ",") {
			out = append(out, strings.TrimSpace(w))
		}
		return out
	}
	same := func(what string, got []string) {
		if fmt.Sprint(got) != fmt.Sprint(ts.cols) {
			bad = append(bad, fmt.Sprintf("%s: %s lists %v, declared %v", ts.name, what, got, ts.cols))
		}
	}
	ins := regexp.MustCompile(`(?s)^INSERT INTO (\w+) \(([^)]*)\)\s+SELECT (.*?) FROM pftls_rows\(\?, \?\)`).FindStringSubmatch(ts.insert)
	if ins == nil {
		bad = append(bad, ts.name+": the INSERT is not INSERT INTO t (...) SELECT ... FROM pftls_rows(?, ?)")
	} else {
		if ins[1] != ts.name {
			bad = append(bad, fmt.Sprintf("%s: the INSERT writes table %s", ts.name, ins[1]))
		}
		same("the INSERT", words(ins[2]))
		var want []string
		for i := range ts.cols {
			want = append(want, fmt.Sprintf("c%d", i))
		}
		if got := words(ins[3]); fmt.Sprint(got) != fmt.Sprint(want) {
			bad = append(bad, fmt.Sprintf("%s: the INSERT selects %v from pftls_rows, want %v", ts.name, got, want))
		}
	}
	sel := regexp.MustCompile(`(?s)^SELECT (.*?)\s+FROM (\w+)\s+WHERE`).FindStringSubmatch(ts.query)
	if sel == nil {
		bad = append(bad, ts.name+": the query is not SELECT ... FROM t WHERE ...")
	} else {
		if sel[2] != ts.name {
			bad = append(bad, fmt.Sprintf("%s: the query reads table %s", ts.name, sel[2]))
		}
		same("the query", words(sel[1]))
	}
	return bad
}

// TestFactTableStatements: each fact table's INSERT and query name its
// declared columns in order, so that the packed rows, pftls_rows and Scan
// agree (columns.go declares the order once).
func TestFactTableStatements(t *testing.T) {
	tables := []tableStatements{
		statementsOf(messagesTable), statementsOf(attemptsTable), statementsOf(tlsFailuresTable),
		statementsOf(sessionsTable), statementsOf(sessionCountsTable), statementsOf(rejectsTable),
		statementsOf(warningsTable), statementsOf(unparsedTable), statementsOf(lineCountsTable),
		statementsOf(deliveredTable), statementsOf(recipientsTable), statementsOf(lastGoodTable),
	}
	for _, ts := range tables {
		for _, b := range checkStatements(ts) {
			t.Error(b)
		}
	}

	// The check finds a swapped column.
	swapped := statementsOf(unparsedTable)
	swapped.query = strings.Replace(swapped.query, "host, program", "program, host", 1)
	if len(checkStatements(swapped)) == 0 {
		t.Error("checkStatements missed two columns swapped in a query")
	}
	short := statementsOf(unparsedTable)
	short.insert = strings.Replace(short.insert, ", c3", "", 1)
	if len(checkStatements(short)) == 0 {
		t.Error("checkStatements missed a value missing from an INSERT")
	}
}

// TestGoodTLSRuleInSQL: Store.LastGoodTLS's query holds Attempt.GoodTLS as
// goodTLSCondition, and the condition selects exactly the attempts GoodTLS
// accepts.
func TestGoodTLSRuleInSQL(t *testing.T) {
	for name, q := range map[string]string{"lastGoodPartQuery": lastGoodPartQuery, "schemaRollups": schemaRollups} {
		if !strings.Contains(q, goodTLSCondition) {
			t.Fatalf("%s does not hold goodTLSCondition:\n%s", name, q)
		}
	}
	s := memoryStore(t)
	var batch Batch
	var want []string
	i := 0
	for _, status := range []logparse.Status{logparse.StatusSent, logparse.StatusDeferred, logparse.StatusBounced} {
		for _, trust := range []logparse.Trust{logparse.TrustNone, logparse.TrustAnonymous, logparse.TrustUntrusted, logparse.TrustVerified} {
			for _, failure := range []logparse.TLSFailureKind{"", logparse.TLSNotVerified} {
				i++
				a := Attempt{Time: time.Unix(int64(i), 0), Host: "mx", QueueID: fmt.Sprint("Q", i), Status: status,
					TLSTrust: trust, TLSFailure: failure, Domain: "example.org"}
				batch.Attempts = append(batch.Attempts, a)
				if a.GoodTLS() {
					want = append(want, a.QueueID)
				}
			}
		}
		// Postfix 3.11's tls= field, the only TLS evidence at loglevel 0.
		for _, policy := range []string{"none", "may", "may?", "may:none", "dane", "dane:halfdane", "dane:encrypt/requiretls",
			"!secure", "unknown?", "requiretls", "verify/requiretls:none", "may/!requiretls:nostarttls"} {
			i++
			a := Attempt{Time: time.Unix(int64(i), 0), Host: "mx", QueueID: fmt.Sprint("Q", i), Status: status,
				TLSPolicy: logparse.ParseTLSPolicy(policy), Domain: "example.org"}
			batch.Attempts = append(batch.Attempts, a)
			if a.GoodTLS() {
				want = append(want, a.QueueID)
			}
		}
	}
	if err := s.Commit(context.Background(), &batch, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	got := queryStrings(t, s, "SELECT queue_id FROM attempts WHERE "+goodTLSCondition+" ORDER BY time")
	if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
		t.Errorf("goodTLSCondition selects %v, GoodTLS accepts %v", got, want)
	}
	// LastGoodTLS finds the last of them from the rollup (the hours
	// before) and from the attempts (the part of an hour before): the
	// attempts are seconds 1..i of the first hour.
	var last time.Time
	for _, a := range batch.Attempts {
		if a.GoodTLS() {
			last = a.Time.UTC()
		}
	}
	for _, before := range []time.Time{time.Unix(2*3600, 0), time.Unix(int64(i)+1, 0)} {
		good, err := s.LastGoodTLS(context.Background(), []string{"example.org", "example.org", "other.example"}, before, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(good) != 1 || !good["example.org"].Equal(last) {
			t.Errorf("LastGoodTLS before %v = %v, want example.org at %v", before.UTC(), good, last)
		}
	}
}
