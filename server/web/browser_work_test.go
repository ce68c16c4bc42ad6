package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	va "github.com/visitarchive/visitarchive"
)

// The employee's and the supervisor's pages in Chromium, in both
// languages: a plan filed and approved, its record filed on the form (a
// required field left empty first: the message stands beside it),
// returned with a comment on a field, corrected and approved; the lists
// of both; a stale edit. Each page is checked with axe-core and its
// screenshot saved.
func TestBrowserWorkPages(t *testing.T) {
	s := newSite(t)
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			start := time.Now().Add(-5 * time.Hour).Truncate(time.Hour)
			alice := s.browser(t, lang)
			alice.signIn("alice", password)
			sam := s.browser(t, lang)
			sam.signIn("sam", password)

			// alice plans the visit (after the fact) and submits the plan.
			alice.visit("/plans")
			alice.check("plans")
			alice.press(".toolbar a.button")
			alice.check("planform")
			alice.do(chromedp.SendKeys(chromedp.ID("customer_id"), "C1"),
				chromedp.SetValue(chromedp.ID("visit_start"), local(start)),
				chromedp.SetValue(chromedp.ID("visit_end"), local(start.Add(2*time.Hour))),
				chromedp.SendKeys(chromedp.ID("location"), "深圳福田"),
				chromedp.SendKeys(chromedp.ID("purpose"), "样品测试反馈"))
			alice.press("button[name=action][value=submit]")
			plan := alice.path()
			if !strings.HasPrefix(plan, "/plans/P") {
				t.Fatalf("the plan submitted: at %s", plan)
			}
			alice.check("plan")

			// sam approves it.
			sam.visit("/review/plans")
			sam.check("plans-to-decide")
			sam.press(`a[href="` + plan + `"]`)
			sam.check("plan-decide")
			sam.press("button[name=action][value=approve]")
			if p := sam.path(); p != "/review/plans" {
				t.Fatalf("the plan approved: at %s", p)
			}

			// The form marks what the customer's type requires as soon as
			// the customer is chosen.
			alice.visit("/records/new")
			reqHidden := func(b *tab, field string) bool {
				return get(b, chromedp.Evaluate[bool](`document.querySelector('[data-req-for="`+field+`"]').hidden`))
			}
			if !reqHidden(alice, "onsite_notes") {
				t.Error("a form without a customer marks the on-site situation required")
			}
			alice.do(chromedp.SendKeys(chromedp.ID("customer_id"), "C1"))
			if reqHidden(alice, "onsite_notes") || reqHidden(alice, "decision_chain") {
				t.Error("the form of a key customer does not mark the on-site situation and the decision chain")
			}

			// alice files the record from the plan, the summary left empty.
			alice.visit(plan)
			alice.press(`a[href^="/records/new?plan="]`)
			alice.check("recordform")
			alice.do(chromedp.SendKeys(chromedp.ID("contact_name"), "王经理"),
				chromedp.SendKeys(chromedp.ID("contact_phone"), "+86 138 0013 8000"),
				chromedp.SendKeys(chromedp.ID("topic"), "储能柜报价"),
				chromedp.SendKeys(chromedp.ID("customer_situation"), "电子制造商"),
				chromedp.SetValue(chromedp.ID("cooperation_intent"), "high"),
				chromedp.SendKeys(chromedp.ID("follow_up"), "下周发报价"),
				chromedp.SendKeys(chromedp.ID("onsite_notes"), "参观了工厂"),
				chromedp.SendKeys(chromedp.ID("chain-0-name"), "李总"),
				chromedp.SendKeys(chromedp.ID("chain-0-role"), "CEO"),
				chromedp.SetValue(chromedp.ID("chain-0-attitude"), "support"))
			alice.press("button[name=action][value=submit]")
			if got := alice.text("#summary-error .field-error"); got == "" {
				t.Fatalf("no message beside the empty summary")
			}
			if got := get(alice, chromedp.Value(chromedp.ID("topic"))); got != "储能柜报价" {
				t.Errorf("the topic typed: %q after the refusal", got)
			}
			alice.check("recordform-errors")
			edit := get(alice, chromedp.Evaluate[string](`document.querySelector("form.record-form").getAttribute("action")`))
			record := strings.TrimSuffix(edit, "/edit")
			alice.do(chromedp.SendKeys(chromedp.ID("summary"), "客户希望下月采购 LX-3021B。"))
			alice.press("button[name=action][value=submit]")
			if p := alice.path(); p != record {
				t.Fatalf("the record submitted: at %s, want %s", p, record)
			}

			// sam returns it with a comment on the summary.
			sam.visit("/review/records")
			sam.check("records-to-review")
			sam.press(`a[href="` + record + `/review"]`)
			sam.check("review")
			sam.do(chromedp.SendKeys(chromedp.ID("c_summary"), "写明数量"), chromedp.SendKeys(chromedp.ID("comment"), "请补充摘要"))
			sam.press("button[name=action][value=return]")
			if p := sam.path(); p != "/review/records" {
				t.Fatalf("the record returned: at %s", p)
			}

			// alice sees the comment beside the summary, corrects, resubmits.
			alice.visit(edit)
			if got := alice.text("#summary-comment"); !strings.Contains(got, "写明数量") {
				t.Errorf("beside the summary: %q", got)
			}
			alice.check("recordform-returned")
			alice.do(chromedp.SendKeys(chromedp.ID("summary"), " 数量 200 台。"))
			alice.press("button[name=action][value=submit]")
			if p := alice.path(); p != record {
				t.Fatalf("the record resubmitted: at %s", p)
			}

			// sam approves it.
			sam.visit(record + "/review")
			sam.press("button[name=action][value=approve]")
			if r := s.record(va.RecordID(strings.TrimPrefix(record, "/records/"))); r.Status != va.StatusApproved || r.Rounds != 2 {
				t.Errorf("the record: %s after %d rounds", r.Status, r.Rounds)
			}

			// The lists.
			alice.visit("/records")
			alice.check("records")
			alice.visit("/plans?show=missing")
			alice.check("plans-missing")
			sam.visit("/review/overdue")
			sam.check("overdue")
			sam.visit("/review/missing")
			sam.check("missing")

			// A stale edit: the draft was saved in another tab meanwhile.
			draft := s.Records["draft"]
			alice.visit("/records/" + string(draft) + "/edit")
			r := *s.record(draft)
			r.Topic = "另一个标签页的主题 " + lang
			if _, err := s.Archive.UpdateRecord(s.as("alice"), r); err != nil {
				t.Fatal(err)
			}
			get(alice, chromedp.Evaluate[int](`document.getElementById("topic").value = ""; 1`))
			alice.do(chromedp.SendKeys(chromedp.ID("topic"), "我的主题"))
			alice.press("button[name=action][value=save]")
			if got := get(alice, chromedp.Value(chromedp.ID("topic"))); got != "我的主题" {
				t.Errorf("the topic typed: %q after the conflict", got)
			}
			if got := alice.text("#topic-current"); !strings.Contains(got, "另一个标签页的主题") {
				t.Errorf("beside the topic: %q", got)
			}
			alice.check("recordform-conflict")

			// A tablet: the form and the review in one column.
			for _, b := range []*tab{alice, sam} {
				b.do(chromedp.EmulateViewport(768, 1024))
			}
			alice.visit("/records/" + string(draft) + "/edit")
			sam.visit("/review/plans")
			for name, b := range map[string]*tab{"recordform": alice, "plans-to-decide": sam} {
				if w := get(b, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 768 {
					t.Errorf("%s is %d px wide on a 768 px screen", name, w)
				}
				b.screenshot(name + "-tablet")
			}
		})
	}
}

// press clicks what sel selects (a link, a form's button) and waits for
// the page it leads to.
func (b *tab) press(sel string) {
	b.t.Helper()
	get(b, chromedp.Evaluate[int](`document.documentElement.dataset.left = "1"; 1`))
	b.do(chromedp.Click(chromedp.CSS(sel)), chromedp.WaitReady(chromedp.CSS("html:not([data-left]) main")))
}

// A form sent after the session ended leads to the sign-in page and back
// to the form, with what was typed (rows of the decision chain added by
// the page's script too), which can then be saved.
func TestBrowserFormAfterExpiry(t *testing.T) {
	s := newSite(t)
	b := s.browser(t, "zh")
	b.signIn("alice", password)
	b.visit("/records/new")
	end := time.Now().Add(-time.Hour).Truncate(time.Minute)
	b.do(chromedp.SendKeys(chromedp.ID("customer_id"), "C1"),
		chromedp.SetValue(chromedp.ID("visit_start"), local(end.Add(-time.Hour))),
		chromedp.SetValue(chromedp.ID("visit_end"), local(end)),
		chromedp.SendKeys(chromedp.ID("topic"), "过期后的主题"),
		chromedp.SendKeys(chromedp.ID("summary"), "一段很长的摘要"),
		chromedp.SendKeys(chromedp.ID("chain-0-name"), "李总"),
		chromedp.Click(chromedp.CSS("button[data-add-row]")),
		chromedp.SendKeys(chromedp.ID("chain-1-name"), "张工"))

	s.Clock.Set(time.Now().Add(va.DefaultSessionTTL + time.Minute))
	b.press("button[name=action][value=save]")
	if p := b.path(); !strings.HasPrefix(p, "/signin") {
		t.Fatalf("a form sent after the session ended: at %s", p)
	}
	s.Clock.Set(time.Now())
	get(b, chromedp.Evaluate[int](`document.documentElement.dataset.left = "1"; 1`))
	b.signIn("alice", password)
	b.do(chromedp.WaitReady(chromedp.CSS("html:not([data-left]) main")))
	if p := b.path(); p != "/records/new" {
		t.Fatalf("signed in again: at %s, want /records/new", p)
	}
	for id, want := range map[string]string{"customer_id": "C1", "visit_end": local(end), "topic": "过期后的主题", "summary": "一段很长的摘要",
		"chain-0-name": "李总", "chain-1-name": "张工"} {
		if got := get(b, chromedp.Value(chromedp.ID(id))); got != want {
			t.Errorf("%s after signing in again: %q, want %q", id, got, want)
		}
	}
	if get(b, chromedp.Evaluate[bool](`document.querySelector("[data-restored]").hidden`)) {
		t.Error("the form does not say that it was filled in again")
	}
	if get(b, chromedp.Evaluate[bool](`document.querySelector('[data-req-for="onsite_notes"]').hidden`)) {
		t.Error("the form filled in again does not mark what the key customer's type requires")
	}
	b.check("recordform-restored")

	b.press("button[name=action][value=save]")
	if p := b.path(); !strings.HasPrefix(p, "/records/R") || !strings.HasSuffix(p, "/edit") {
		t.Fatalf("the draft saved: at %s", p)
	}
	id := va.RecordID(strings.TrimSuffix(strings.TrimPrefix(b.path(), "/records/"), "/edit"))
	if r := s.record(id); r.Topic != "过期后的主题" || len(r.DecisionChain) != 2 {
		t.Errorf("the draft: %q, chain %v", r.Topic, r.DecisionChain)
	}
	// The page after the save drops what was kept: nothing comes back.
	b.visit("/records/new")
	if got := get(b, chromedp.Value(chromedp.ID("topic"))); got != "" {
		t.Errorf("a new form after the save: topic %q", got)
	}
}
