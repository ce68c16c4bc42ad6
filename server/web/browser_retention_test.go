package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A year-end disposition through the pages only, in Chinese, each person
// in a browser of their own, on the day two archived records are due:
// dual (an archivist who is a manager too) runs the appraisal pass,
// decides to destroy both and submits the list, and may not approve it
// (the page says why); boss approves; aud places a legal hold on the
// second record; one witness is not enough to execute, the approver may
// not witness (each page says why); aud and arc confirm; boss executes:
// the first record is destroyed and its page answers not found, the
// second is skipped and the list says why; the destructions' page links
// the register, which names the first; aud releases the hold. The main
// pages are checked with axe-core (retention-*-zh.png).
func TestBrowserDisposition(t *testing.T) {
	s, ids := dueSite(t, 2)
	dual, boss, aud, arc := s.browser(t, "zh"), s.browser(t, "zh"), s.browser(t, "zh"), s.browser(t, "zh")
	for name, b := range map[string]*tab{"dual": dual, "boss": boss, "aud": aud, "arc": arc} {
		b.signIn(name, password)
	}

	// dual runs the pass, decides and submits.
	dual.visit("/retention")
	dual.press(`form[action="/retention"] button`)
	if got := dual.text(".flash"); !strings.Contains(got, "到期鉴定已运行") {
		t.Errorf("after the pass: %q", got)
	}
	dual.press("table a")
	list := dual.path()
	dual.check("retention-draft")
	dual.do(chromedp.SetValue(chromedp.ID("decisions-0-decision"), "destroy"),
		chromedp.SetValue(chromedp.ID("decisions-1-decision"), "destroy"),
		chromedp.SendKeys(chromedp.ID("decisions-1-reason"), "无继续保存价值"))
	dual.press(`form[action$="/decide"] button`)
	dual.press(`form[action$="/submit"] button`)
	dual.press(`form[action$="/approve"] button`)
	if got := dual.text(".form-error"); !strings.Contains(got, "另一位管理层") {
		t.Errorf("the compiler approves: %q", got)
	}

	// boss approves; aud holds the second record.
	boss.visit(list)
	boss.check("retention-submitted")
	boss.press(`form[action$="/approve"] button`)
	if got := boss.text(".flash"); !strings.Contains(got, "清单已批准") {
		t.Errorf("after the approval: %q", got)
	}
	aud.visit("/holds")
	aud.do(chromedp.SetValue(chromedp.ID("scope"), "record"),
		chromedp.SendKeys(chromedp.ID("record"), string(ids[1])),
		chromedp.SendKeys(chromedp.ID("reason"), "诉讼保全：合同纠纷"))
	aud.press(`form[action="/holds"] button`)
	aud.check("retention-holds")

	// One witness, then the approver: refused, each saying why.
	aud.visit(list)
	aud.press(`form[action$="/witness"] button`)
	boss.visit(list)
	boss.press(`form[action$="/execute"] button`)
	if got := boss.text(".form-error"); !strings.Contains(got, "仅有 1 名监销人") {
		t.Errorf("executed with one witness: %q", got)
	}
	boss.press(`form[action$="/witness"] button`)
	if got := boss.text(".form-error"); !strings.Contains(got, "监销人须由他人担任") {
		t.Errorf("the approver witnesses: %q", got)
	}
	arc.visit(list)
	arc.press(`form[action$="/witness"] button`)
	boss.visit(list)
	boss.press(`form[action$="/execute"] button`)
	if got := boss.text(".flash"); !strings.Contains(got, "清单已执行销毁") {
		t.Errorf("after the execution: %q", got)
	}
	if got := boss.text("#entry-" + string(ids[1]) + " .skipped"); !strings.Contains(got, "诉讼保全：合同纠纷") {
		t.Errorf("the held record's entry: %q", got)
	}
	boss.check("retention-executed")

	// The register names the destroyed record, whose page is gone.
	boss.visit("/destructions")
	reg := get(boss, chromedp.Evaluate[string](`document.querySelector('a[href$="format=html"]').getAttribute("href")`))
	boss.do(chromedp.Navigate(s.URL+reg), chromedp.WaitReady(chromedp.CSS("body")))
	if got := boss.text("body"); !strings.Contains(got, "到期记录 1") || strings.Contains(got, "到期记录 2") {
		t.Errorf("the register: %q", got)
	}
	boss.visit("/records/" + string(ids[0]))
	if got := boss.text("h1"); got != "未找到" {
		t.Errorf("the destroyed record's page: %q", got)
	}
	if _, err := s.Archive.GetRecord(s.as("boss"), ids[1]); err != nil {
		t.Errorf("the held record: %v", err)
	}

	// aud releases the hold.
	hs, err := s.Archive.Disposition().Holds(s.as("aud"), true)
	if err != nil || len(hs) != 1 {
		t.Fatalf("holds: %v %v", hs, err)
	}
	aud.visit("/holds")
	aud.do(chromedp.SendKeys(chromedp.ID("release_reason-"+string(hs[0].ID)), "纠纷已结案"))
	aud.press(`form[action$="/release"] button`)
	if got := aud.text(".flash"); !strings.Contains(got, "法律保全已解除") {
		t.Errorf("after the release: %q", got)
	}
	if hs, _ := s.Archive.Disposition().Holds(s.as("aud"), true); len(hs) != 0 {
		t.Errorf("holds in force after the release: %v", hs)
	}
}
