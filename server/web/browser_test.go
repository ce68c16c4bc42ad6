package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The browser tests drive the pages in Debian's Chromium, headless, one
// browser for the whole test binary (each test in a browser context of
// its own, so that cookies never cross). Without Chromium they skip with
// a message, and fail when CI is set: make test installs it
// (make chromium). VISITARCHIVE_CHROMIUM names another binary.

// chromium is the one browser of the test binary, started by the first
// test that asks for it and stopped by TestMain.
var chromium struct {
	once   sync.Once
	ctx    context.Context
	stop   func()
	failed error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.stop != nil {
		chromium.stop()
	}
	os.Exit(code)
}

// browserFlags are the flags of the browser: headless, and nothing that
// reaches out of the machine (the tests check that no page does).
var browserFlags = []chromedp.ExecAllocatorOption{
	chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("disable-dev-shm-usage", true),
	chromedp.WindowSize(1366, 768),
}

// startChromium starts the browser once; later calls return it.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	chromium.once.Do(func() {
		path := os.Getenv("VISITARCHIVE_CHROMIUM")
		if path == "" {
			for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
				if p, err := exec.LookPath(name); err == nil {
					path = p
					break
				}
			}
		}
		if path == "" {
			chromium.failed = errors.New("no chromium on PATH (make chromium installs it; VISITARCHIVE_CHROMIUM names another)")
			return
		}
		dir, err := os.MkdirTemp("", "visitarchive-chromium-")
		if err != nil {
			chromium.failed = err
			return
		}
		opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(dir)}, browserFlags...)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		chromium.ctx, chromium.stop = ctx, func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }
		if err := chromedp.Do(ctx); err != nil { // starts the browser
			chromium.failed = fmt.Errorf("start %s: %w", path, err)
		}
	})
	if chromium.failed != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the browser tests need Chromium: %v", chromium.failed)
		}
		t.Skipf("skipping the browser test: %v", chromium.failed)
	}
	return chromium.ctx
}

// tab is a person's browser on a site: a browser context of its own (its
// own cookies), which records every request its pages make.
type tab struct {
	t    *testing.T
	s    *site
	ctx  context.Context
	lang string // zh or en, chosen with the switch

	mu      sync.Mutex
	foreign []string // requests to anywhere but the site
}

// browser opens a tab on s in language lang ("zh" or "en"). When the
// test ends it fails if any page asked anything of another host.
func (s *site) browser(t *testing.T, lang string) *tab {
	t.Helper()
	parent := startChromium(t)
	host := strings.TrimPrefix(s.URL, "http://")
	b := &tab{t: t, s: s, lang: lang}
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.request(host, e.Request.URL)
		}
	}))
	b.ctx = ctx
	if err := chromedp.Do(ctx); err != nil { // opens the tab, which lives as long as ctx
		t.Fatalf("open a tab: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.foreign) > 0 {
			t.Errorf("pages asked other hosts than the server (%s): %v", host, b.foreign)
		}
	})
	b.do(chromedp.EmulateViewport(1366, 768))
	b.visit("/lang?to=" + lang + "&next=%2Fsignin")
	return b
}

// request notes a request to another host than the site's. URLs that
// leave nothing (data:, such as the date input's own icon, about:, blob:)
// are no requests.
func (b *tab) request(host, raw string) {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host == host {
		return
	}
	if err == nil && (u.Scheme == "data" || u.Scheme == "about" || u.Scheme == "blob") {
		return
	}
	if err == nil && u.Scheme == "chrome-extension" && u.Host == pdfViewer {
		return // the browser's own PDF viewer, showing a PDF of the server
	}
	b.mu.Lock()
	b.foreign = append(b.foreign, raw)
	b.mu.Unlock()
}

// pdfViewer is the id of Chromium's built-in PDF viewer, part of the
// browser, which shows a PDF in a page (files.go).
const pdfViewer = "mhjfbmdgcfjbbpaeojofohoefgiehjai"

// do runs actions in the tab, failing the test on an error.
func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
}

// get runs one action that returns a value.
func get[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("in the browser: %v", err)
	}
	return v
}

// visit loads path of the site and waits for its page.
func (b *tab) visit(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.s.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
}

// path is where the tab is: the path and query of its URL.
func (b *tab) path() string {
	b.t.Helper()
	u, err := url.Parse(get(b, chromedp.Location()))
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// text is the text of the first element sel selects.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return get(b, chromedp.Text(chromedp.CSS(sel)))
}

// signIn signs name in with the form, by keyboard: the name, Tab, the
// password, Enter.
func (b *tab) signIn(name, pw string) {
	b.t.Helper()
	if !strings.HasPrefix(b.path(), "/signin") {
		b.visit("/signin")
	}
	b.do(chromedp.Focus(chromedp.ID("user")), chromedp.KeyEvent(name+"\t"+pw+"\r"),
		chromedp.Sleep(50*time.Millisecond), chromedp.WaitReady(chromedp.CSS("main")))
}

// check checks the page the tab shows and saves its screenshot as name:
// no serious or critical axe-core violation.
func (b *tab) check(name string) {
	b.t.Helper()
	b.accessible(name)
	b.screenshot(name)
}

var axe struct {
	once sync.Once
	src  string
	err  error
}

// violation is what the test keeps of an axe-core result.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// accessible runs axe-core on the page and fails on serious or critical
// violations.
func (b *tab) accessible(name string) {
	b.t.Helper()
	axe.once.Do(func() {
		src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
		axe.src, axe.err = string(src), err
	})
	if axe.err != nil {
		b.t.Fatal(axe.err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](axe.src+";0")); err != nil {
		b.t.Fatalf("inject axe-core: %v", err)
	}
	raw := get(b, chromedp.Evaluate[json.RawMessage](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
			({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`,
		chromedp.EvalAwaitPromise))
	var vs []violation
	if err := json.Unmarshal(raw, &vs); err != nil {
		b.t.Fatalf("axe-core's answer: %v", err)
	}
	for _, v := range vs {
		b.t.Errorf("%s (%s, %s): %s %s: %s at %v", name, b.lang, b.path(), v.Impact, v.ID, v.Help, v.Nodes)
	}
}

// screenshotDir is where the screenshots go; git ignores it.
const screenshotDir = "testdata/screenshots"

// screenshot saves what the tab shows as name-lang.png.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	png := get(b, chromedp.CaptureScreenshot())
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+"-"+b.lang+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
