package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of a headless-capable Chromium, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("Chromium is not installed (apt-get install chromium): the HTML rendering check is skipped")
	return ""
}

// TestHTMLRendersInChromium opens the corpus report in headless Chromium
// and checks the DOM it built: every section table is there with its rows,
// and a screenshot is not blank.
func TestHTMLRendersInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	bin := chromium(t)
	m := corpusModel(t, corpusLog)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := Render(&buf, m, "html", RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile")}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dom, err := exec.CommandContext(ctx, bin, append(flags, "--dump-dom", "file://"+page)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	got := string(dom)
	for _, tbl := range m.Tables(time.UTC) {
		if !strings.Contains(got, `id="`+tbl.ID+`"`) {
			t.Errorf("rendered page lacks section %s", tbl.ID)
		}
	}
	if n := strings.Count(got, "<table"); n < len(m.Tables(time.UTC)) {
		t.Errorf("rendered page has %d tables, want at least %d", n, len(m.Tables(time.UTC)))
	}
	for _, want := range []string{"bank.example.net", "/O=Unknown Org/CN=Rogue Untrusted Issuing CA", "27995k"} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	if strings.Contains(got, "<script") {
		t.Error("the page must not contain scripts")
	}
	shot := filepath.Join(dir, "report.png")
	if err := exec.CommandContext(ctx, bin, append(flags, "--window-size=1100,1400", "--screenshot="+shot, "file://"+page)...).Run(); err != nil {
		t.Fatalf("chromium --screenshot: %v", err)
	}
	info, err := os.Stat(shot)
	if err != nil || info.Size() < 20000 {
		t.Errorf("screenshot missing or blank: %v, %d bytes", err, info.Size())
	}
}
