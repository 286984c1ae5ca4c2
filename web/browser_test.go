//go:build browser

package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web/webtest"
)

// The browser test drives the console in real headless Chromium:
//
//	go test -tags browser -run TestBrowser ./web/
//
// It starts the web server over a webtest backend on 127.0.0.1:0, or uses
// a running system when AMIGO_BROWSER_URL and AMIGO_BROWSER_TOKEN (an
// admin token) are set, as for `amigo demo`. Screenshots go to
// $AMIGO_ARTIFACTS (a temporary directory if unset). Chromium is
// $AMIGO_CHROMIUM or /usr/bin/chromium; without it the test skips, except
// under CI=true, where it fails.

func chromium(t *testing.T) string {
	path := os.Getenv("AMIGO_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		testenv.Unavailable(t, "no Chromium at %s: %v (apt-get install chromium, or set AMIGO_CHROMIUM)", path, err)
	}
	return path
}

func artifacts(t *testing.T) string {
	dir := os.Getenv("AMIGO_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// canvasInk counts the pixels of a chart's canvas drawn in the series
// colour (the load curve's stroke and fill are teal), so that the test
// sees data drawn, not only a canvas.
const canvasInk = `(() => {
  const c = document.querySelector(%q);
  if (!c) return -1;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    const [r, g, b, a] = [d[i], d[i+1], d[i+2], d[i+3]];
    if (a > 0 && g > r + 40 && b > r + 30) n++;
  }
  return n;
})()`

func TestBrowser(t *testing.T) {
	exe := chromium(t)
	dir := artifacts(t)
	base, token := os.Getenv("AMIGO_BROWSER_URL"), os.Getenv("AMIGO_BROWSER_TOKEN")
	meters := 0
	if base == "" {
		e := newEnv(t, webtest.Options{Meters: 24, StepDelay: 300 * time.Millisecond})
		base, token, meters = e.url, e.b.Tokens[meta.RoleAdmin], len(e.b.Meters)
	}
	t.Logf("console %s, screenshots in %s", base, dir)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
	)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	defer cancelTab()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	// Each step is bounded, so a console that never shows what a step
	// awaits fails with that step's name instead of hanging CI.
	step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 30*time.Second) }

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		})
	}
	fail := func(name string, err error) {
		t.Helper()
		_ = chromedp.Do(ctx, shot("failed-"+strings.ReplaceAll(name, " ", "-")))
		t.Fatalf("%s: %v", name, err)
	}
	do := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			fail(name, err)
		}
	}
	eval := func(name, js string) int {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		n, err := chromedp.Run(sctx, chromedp.Evaluate[int](js))
		if err != nil {
			fail(name, err)
		}
		return n
	}
	attr := func(what, sel, name string) int {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		a, err := chromedp.Run(sctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
		if err != nil {
			fail(what, err)
		}
		return atoi(a.Value)
	}
	// atLeast evaluates js until it gives min or more, or the step's
	// time is up; it returns the last value.
	atLeast := func(what, js string, min int) int {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		for {
			n, err := chromedp.Run(sctx, chromedp.Evaluate[int](js))
			if err != nil || n >= min {
				return n
			}
			select {
			case <-sctx.Done():
				return n
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	do("open the console",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css("#token")),
		shot("01-login"))
	do("sign in with a wrong token",
		chromedp.SendKeys(css("#token"), "amigo_wrong"),
		chromedp.Click(css("#signin")),
		chromedp.WaitVisible(chromedp.Search(`//div[contains(@class,"error") and contains(., "not valid")]`)))
	do("sign in and see the fleet",
		chromedp.SetValue(css("#token"), token),
		chromedp.Click(css("#signin")),
		chromedp.WaitVisible(css(`[data-card="fleet-map"] .tile`)),
		chromedp.WaitVisible(css(`.kpi .value`)),
		chromedp.WaitVisible(css(`#meter-table tbody tr`)),
		shot("02-fleet"))
	if tiles := eval("count tiles", `document.querySelectorAll('[data-card="fleet-map"] .tile').length`); tiles == 0 || (meters > 0 && tiles != meters) {
		t.Errorf("fleet map shows %d tiles, want %d", tiles, meters)
	}

	// Open a meter that is online and connected.
	row := eval("find an online, connected meter", `(() => { for (const tr of document.querySelectorAll('#meter-table tbody tr')) {
		const t = tr.textContent; if (t.includes('online') && t.includes('connected') && !t.includes('disconnected')) return Number(tr.dataset.meter); } return 0; })()`)
	if row == 0 {
		t.Fatal("no online, connected meter in the first page of the list")
	}
	do("open the meter and see its load curve",
		chromedp.Click(css(fmt.Sprintf(`#meter-table tr[data-meter="%d"]`, row))),
		chromedp.WaitVisible(css(`#load-curve canvas`)),
		chromedp.WaitVisible(css(`#harmonics canvas`)),
		chromedp.WaitVisible(css(`#waveform canvas`)),
		chromedp.WaitVisible(css(`#register-table`)),
		shot("03-meter"))
	// A running system redraws the curve as readings arrive: wait for a
	// drawing with a day in it.
	if n := atLeast("load curve points", `Number(document.querySelector('#load-curve .chart')?.dataset.points ?? 0)`, 90); n < 90 {
		t.Errorf("load curve holds %d points, want a day of 15-minute values (≥ 90)", n)
	}
	if ink := eval("load curve ink", fmt.Sprintf(canvasInk, "#load-curve canvas")); ink < 2000 {
		t.Errorf("load curve canvas has %d pixels in the series colour; the curve is not drawn", ink)
	}
	if n := attr("waveform samples", `#waveform`, "data-points"); n < 100 {
		t.Errorf("waveform holds %d samples", n)
	}

	do("disconnect and watch the job complete",
		chromedp.Click(css(`button[data-command="disconnect"]`)),
		chromedp.WaitVisible(css(`#confirm-yes`)),
		shot("04-confirm"),
		chromedp.Click(css(`#confirm-yes`)),
		chromedp.WaitVisible(css(`#meter-jobs tr[data-state="running"]`)),
		shot("05-job-running"),
		chromedp.WaitVisible(css(`#meter-jobs tr[data-state="done"]`)),
		chromedp.WaitVisible(css(`button[data-command="connect"]`)),
		shot("06-disconnected"))
	supply, err := chromedp.Run(ctx, chromedp.Text(css(`#supply-state`)))
	if err != nil || !strings.Contains(supply, "disconnected") {
		t.Errorf("supply state after the job: %q (%v)", supply, err)
	}

	for _, p := range []struct{ hash, wait, name string }{
		{"#/jobs", `[data-card="job-list"] tr[data-state="done"]`, "07-jobs"},
		{"#/firmware", `[data-card="new-campaign"] form`, "08-firmware"},
		{fmt.Sprintf("#/billing/%d", row), `[data-card="bill-detail"] tfoot`, "09-billing"},
		{"#/analytics", `[data-card="classes"] tbody tr`, "10-analytics"},
	} {
		do("page "+p.hash, chromedp.Navigate(base+"/"+p.hash), chromedp.WaitVisible(css(p.wait)), shot(p.name))
	}
	do("start a firmware campaign",
		chromedp.Navigate(base+"/#/firmware"),
		chromedp.WaitReady(css(`[data-card="new-campaign"] select option:nth-child(2)`)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => { const f = document.querySelector('[data-card="new-campaign"] form');
				const [name, image] = f.querySelectorAll('input'); name.value = 'Winter security update'; image.value = '1.5.0';
				f.querySelector('select').selectedIndex = 1; return true; })()`)(ctx, tg)
			return err
		}),
		chromedp.Click(css(`[data-card="new-campaign"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-campaign]`)),
		shot("11-campaign"))
}

func atoi(s string) int {
	var n int
	fmt.Sscanf(s, "%d", &n)
	return n
}
