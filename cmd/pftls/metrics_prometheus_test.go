package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// freeLoopbackPort asks the kernel for a free port on 127.0.0.1.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// httpGet fetches a loopback URL with a short timeout.
func httpGet(u string) ([]byte, int, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp.StatusCode, err
}

// startProcess starts a command whose end the test waits for: SIGTERM,
// then SIGKILL after 10 s. done is closed when it has ended.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) (out *bytes.Buffer, done <-chan struct{}) {
	t.Helper()
	out = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	ended := make(chan struct{})
	go func() { cmd.Wait(); close(ended) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-ended:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-ended
		}
	})
	return out, ended
}

// stopProcess ends a process started by startProcess now (SIGTERM) and
// waits up to 10 s for it.
func stopProcess(t *testing.T, cmd *exec.Cmd, done <-chan struct{}) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not end after SIGTERM", cmd.Path)
	}
}

// promQuery asks Prometheus's HTTP API for the value of an instant query
// ("" when the result is empty).
func promQuery(base, q string) (string, error) {
	body, code, err := httpGet(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return "", err
	}
	if code != http.StatusOK {
		return "", fmt.Errorf("HTTP %d: %s", code, body)
	}
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			}
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", err
	}
	if len(r.Data.Result) == 0 {
		return "", nil
	}
	s, _ := r.Data.Result[0].Value[1].(string)
	return s, nil
}

// TestListenScrapedByRealPrometheus is the "done when": pftls tail
// --listen follows a log being written (the corpus, appended in parts,
// tail restarted half way), a real Prometheus on loopback scrapes it, and
// its HTTP API gives the same delivery and TLS-failure counts as pftls
// report on the same lines. The restart checks that the counters continue
// from the database: Prometheus would otherwise see them drop to the
// lines after the restart.
func TestListenScrapedByRealPrometheus(t *testing.T) {
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus is not installed (Debian: apt-get install prometheus); skipping the real-Prometheus test")
	}
	bin, log, db, lines := followFixture(t)
	dir := filepath.Dir(log)

	want := reportJSON(t, corpusLog)
	if want.Totals.Delivered == 0 || want.Totals.TLSFailures == 0 {
		t.Fatalf("the corpus report has no deliveries or TLS failures: %+v", want.Totals)
	}

	port := freeLoopbackPort(t)
	target := "127.0.0.1:" + strconv.Itoa(port)
	startTail := func() (*exec.Cmd, <-chan struct{}) {
		cmd := exec.Command(bin, "tail", "--db", db, "--year", "2026", "--tz", "UTC", "--format", "json", "--listen", target, log)
		_, done := startProcess(t, "pftls tail", cmd)
		waitFor(t, "pftls tail to serve /healthz", func() bool {
			_, code, err := httpGet("http://" + target + "/healthz")
			return err == nil && code == http.StatusOK
		})
		return cmd, done
	}

	third := len(lines) / 3
	appendTo(t, log, lines[:third]) // there before tail starts: stored while catching up
	tail, tailDone := startTail()

	promPort := freeLoopbackPort(t)
	promBase := "http://127.0.0.1:" + strconv.Itoa(promPort)
	cfg := filepath.Join(dir, "prometheus.yml")
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: pftls\n    static_configs:\n      - targets: ['%s']\n", target)
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	prom := exec.Command(promBin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address=127.0.0.1:"+strconv.Itoa(promPort), "--log.level=warn")
	promOut, _ := startProcess(t, "prometheus", prom)
	waitForLong := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out after %v waiting for %s\nprometheus:\n%s", d, what, promOut.String())
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	waitForLong("prometheus to be ready", 60*time.Second, func() bool {
		_, code, err := httpGet(promBase + "/-/ready")
		return err == nil && code == http.StatusOK
	})

	appendTo(t, log, lines[third:2*third]) // while tail runs
	value := func(q string) string {
		v, err := promQuery(promBase, q)
		if err != nil {
			t.Logf("query %s: %v", q, err)
		}
		return v
	}
	delivered := `sum(pftls_deliveries_total{status="delivered"})`
	tlsFailures := `sum(pftls_tls_failures_total{direction="outbound"})`
	waitForLong("the first two thirds to be scraped", 60*time.Second, func() bool {
		_, code, _ := httpGet("http://" + target + "/metrics")
		return code == http.StatusOK && value(`sum(pftls_lines_read_total)`) == strconv.Itoa(2*third)
	})

	// A restart: the counters go on from the database.
	stopProcess(t, tail, tailDone)
	appendTo(t, log, lines[2*third:]) // written while tail is down
	startTail()
	wantDelivered, wantTLS := strconv.FormatInt(want.Totals.Delivered, 10), strconv.FormatInt(want.Totals.TLSFailures, 10)
	waitForLong("Prometheus to see every line", 60*time.Second, func() bool {
		return value(`sum(pftls_lines_read_total)`) == strconv.Itoa(len(lines))
	})
	waitForLong("the counts of pftls report", 30*time.Second, func() bool {
		d, f := value(delivered), value(tlsFailures)
		if d != wantDelivered || f != wantTLS {
			t.Logf("Prometheus: delivered %s, TLS failures %s; pftls report: %s, %s", d, f, wantDelivered, wantTLS)
			return false
		}
		return true
	})
	// No counter went down across the restart (Prometheus counts a drop
	// as a reset).
	if r := value(`sum(resets(pftls_deliveries_total[10m]))`); r != "0" {
		t.Errorf("pftls_deliveries_total was reset %s times across the restart, want 0", r)
	}
	if v := value(`pftls_up`); v != "1" {
		t.Errorf("pftls_up = %q, want 1", v)
	}

	// promtool check metrics on a scrape of the running tail.
	if promtool, err := exec.LookPath("promtool"); err == nil {
		body, _, err := httpGet("http://" + target + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.CombinedOutput()
		t.Logf("promtool check metrics: %s", out)
		if err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	}
}
