package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// measureScript is appended, by the test only, to a copy of a page: the
// report itself never has a script. After layout it measures the
// viewport's width, the document's scroll width and the elements whose
// right edge passes the viewport, leaving out those inside a horizontal
// scroller (class "scroll": a wide table scrolls there, on purpose), and
// how many lines the tallest time cell ("seen": the spans of a time span)
// takes; it posts that to the harness page that framed it.
const measureScript = `<script>
(function () {
  var vw = document.documentElement.clientWidth, bad = [];
  document.querySelectorAll('body *').forEach(function (e) {
    if (e.parentElement && e.parentElement.closest('.scroll')) return;
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1) bad.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '@' + Math.round(r.right));
  });
  var lines = 0;
  document.querySelectorAll('td').forEach(function (td) {
    var spans = td.querySelectorAll(':scope > span[style*="nowrap"]');
    if (!spans.length) return;
    var top = spans[0].getBoundingClientRect().top, bottom = spans[spans.length - 1].getBoundingClientRect().bottom;
    lines = Math.max(lines, Math.round((bottom - top) / parseFloat(getComputedStyle(td).lineHeight)));
  });
  parent.postMessage('viewport=' + vw + ' scroll=' + document.documentElement.scrollWidth + ' timelines=' + lines +
    ' wider=' + bad.slice(0, 8).join(','), '*');
})();
</script>`

// measureHarness frames the page copy at an exact width (headless
// Chromium will not make a window narrower than 500 px) and writes what
// the page posts on its <html> element, for --dump-dom to print.
const measureHarness = `<!DOCTYPE html><html><body style="margin:0">
<iframe src="%s" style="width:%dpx;height:3000px;border:0"></iframe>
<script>window.addEventListener('message', function (e) { document.documentElement.setAttribute('data-measure', String(e.data)); });</script>
</body></html>`

// measureWidth opens page (a copy, with measureScript) in a frame width
// pixels wide and returns the frame's viewport width, the page's scroll
// width and the elements wider than the viewport.
func measureWidth(t *testing.T, bin, dir, name string, page []byte, width int) (viewport, scroll, timeLines int, wider string) {
	t.Helper()
	copyPath := filepath.Join(dir, name+"-page.html")
	body := bytes.Replace(page, []byte("</body>"), []byte(measureScript+"</body>"), 1)
	if err := os.WriteFile(copyPath, body, 0o644); err != nil {
		t.Fatal(err)
	}
	harness := filepath.Join(dir, name+"-harness.html")
	if err := os.WriteFile(harness, fmt.Appendf(nil, measureHarness, filepath.Base(copyPath), width), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--allow-file-access-from-files",
		"--user-data-dir="+filepath.Join(dir, "profile-"+name), "--window-size="+strconv.Itoa(max(width, 500)+20)+",3000",
		"--virtual-time-budget=5000", "--dump-dom", "file://"+harness).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v", name, err)
	}
	_, rest, ok := strings.Cut(string(out), `data-measure="`)
	if !ok {
		t.Fatalf("%s: the measuring script did not report", name)
	}
	rest, _, _ = strings.Cut(rest, `"`)
	if _, err := fmt.Sscanf(rest, "viewport=%d scroll=%d timelines=%d", &viewport, &scroll, &timeLines); err != nil {
		t.Fatalf("%s: measure %q: %v", name, rest, err)
	}
	_, wider, _ = strings.Cut(rest, "wider=")
	return viewport, scroll, timeLines, wider
}

// TestHTMLFitsPhoneAndDesktop renders the corpus report and the HTML part
// of its e-mail, charts included, in headless Chromium 400 and 1,280 px
// wide, and checks that nothing but a table's own scroller is wider than
// the window: the page never scrolls sideways (it was 1,060 px wide on a
// 400 px phone). How: a copy of the page gets a measuring script
// (measureScript; the report has none) and is framed at the width in a
// harness page, whose DOM --dump-dom prints with what the script measured
// after layout.
func TestHTMLFitsPhoneAndDesktop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	bin := chromium(t)
	m := corpusModel(t, corpusLog).forPeople()
	o := RenderOptions{Zone: time.UTC}
	var page, mail bytes.Buffer
	if err := renderHTML(&page, m, o); err != nil {
		t.Fatal(err)
	}
	if err := renderMailHTML(&mail, m, o); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, p := range []struct {
		name string
		html []byte
	}{{"report", page.Bytes()}, {"mail", mail.Bytes()}} {
		for _, width := range []int{400, 1280} {
			vw, sw, lines, wider := measureWidth(t, bin, dir, p.name+"-"+strconv.Itoa(width), p.html, width)
			if vw > width || vw < width-20 {
				t.Errorf("%s at %d px: viewport %d px: the window size did not take", p.name, width, vw)
			}
			if sw > vw || wider != "" {
				t.Errorf("%s at %d px: the page is %d px wide in a %d px viewport; wider: %s", p.name, width, sw, vw, wider)
			}
			if lines < 1 || lines > 2 {
				t.Errorf("%s at %d px: a time span takes %d lines, want 1 or 2 (it took 5 to 7)", p.name, width, lines)
			}
		}
	}
}
