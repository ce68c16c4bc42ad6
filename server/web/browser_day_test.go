package web_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	va "github.com/visitarchive/visitarchive"
)

// The whole day of issue 17, in Chinese, through the pages only, each
// person in a browser of their own: alice plans a visit in the morning
// and sam approves the plan; after the visit alice files its record on
// the form (the summary left empty first: the message stands beside
// it); sam returns it with a comment on the summary, which alice sees
// beside the field; she corrects it and sam approves; arc archives it
// and sees its reference code; mia of marketing finds it by a Chinese
// word of its summary, without the contact's phone; aud sees every step
// and the reads in the journal. The tab checks that no page asks
// anything of another host; every main page is checked with axe-core
// and its screenshot saved as day-*-zh.png.
//
// The language switch, a stale edit, an ended session and a forbidden
// page have their own tests (TestBrowserLanguageSwitch,
// TestBrowserWorkPages, TestBrowserHonestState, TestBrowserFormAfterExpiry).
func TestBrowserWholeDay(t *testing.T) {
	s := staffSite(t)
	const (
		phone = "+86 139 0755 2468" // the contact's, which marketing may not see
		word  = "冷链仓库"              // a word of the summary, which marketing searches
	)
	// The day is the next one to come, so that the sessions' cookies
	// outlive it: 08:00 the plan, 10:00 to 12:00 the visit, 16:00 its
	// record.
	now := time.Now().In(shanghai)
	morning := time.Date(now.Year(), now.Month(), now.Day()+1, 8, 0, 0, 0, shanghai)
	visit := morning.Add(2 * time.Hour)
	s.Clock.Set(morning)

	alice := s.browser(t, "zh")
	alice.signIn("alice", password)
	sam := s.browser(t, "zh")
	sam.signIn("sam", password)

	// alice plans the visit and submits the plan.
	alice.visit("/plans")
	alice.press(".toolbar a.button")
	if got := alice.text("h1"); got != "新建拜访计划" {
		t.Errorf("the plan form's heading: %q", got)
	}
	alice.do(chromedp.SendKeys(chromedp.ID("customer_id"), "C1"),
		chromedp.SetValue(chromedp.ID("visit_start"), local(visit)),
		chromedp.SetValue(chromedp.ID("visit_end"), local(visit.Add(2*time.Hour))),
		chromedp.SendKeys(chromedp.ID("location"), "东莞松山湖"),
		chromedp.SendKeys(chromedp.ID("purpose"), "介绍储能柜方案"))
	alice.check("day-planform")
	alice.press("button[name=action][value=submit]")
	plan := alice.path()
	if !strings.HasPrefix(plan, "/plans/P") {
		t.Fatalf("the plan submitted: at %s", plan)
	}
	planID := strings.TrimPrefix(plan, "/plans/")
	alice.check("day-plan")

	// sam decides it from his list.
	sam.visit("/review/plans")
	sam.check("day-plans-to-decide")
	sam.press(`a[href="` + plan + `"]`)
	sam.check("day-plan-decide")
	sam.press("button[name=action][value=approve]")
	if p := sam.path(); p != "/review/plans" {
		t.Fatalf("the plan approved: at %s", p)
	}
	alice.visit(plan)
	if got := alice.text(".status"); got != "已批准" {
		t.Errorf("the plan's state after the approval: %q", got)
	}

	// The afternoon: alice files the record from the plan, the summary
	// left empty.
	s.Clock.Set(visit.Add(6 * time.Hour))
	alice.visit(plan)
	alice.press(`a[href^="/records/new?plan="]`)
	alice.do(chromedp.SendKeys(chromedp.ID("contact_name"), "陈经理"),
		chromedp.SendKeys(chromedp.ID("contact_phone"), phone),
		chromedp.SendKeys(chromedp.ID("topic"), "储能柜报价"),
		chromedp.SendKeys(chromedp.ID("customer_situation"), "电子制造商，新建厂房"),
		chromedp.SetValue(chromedp.ID("cooperation_intent"), "high"),
		chromedp.SendKeys(chromedp.ID("follow_up"), "周五前发报价"),
		chromedp.SendKeys(chromedp.ID("onsite_notes"), "参观了新厂房"),
		chromedp.SendKeys(chromedp.ID("chain-0-name"), "李总"),
		chromedp.SendKeys(chromedp.ID("chain-0-role"), "CEO"),
		chromedp.SetValue(chromedp.ID("chain-0-attitude"), "support"))
	alice.check("day-recordform")
	alice.press("button[name=action][value=submit]")
	if got := alice.text("#summary-error .field-error"); got != "客户类型为“重点客户”时必填" {
		t.Errorf("beside the empty summary: %q", got)
	}
	if d := get(alice, chromedp.AttributeValue(chromedp.ID("summary"), "aria-describedby")); !strings.Contains(d.Value, "summary-error") {
		t.Errorf("the summary is described by %q, not by its message", d.Value)
	}
	if n := get(alice, chromedp.Evaluate[int](`document.querySelectorAll(".field-error").length`)); n != 1 {
		t.Errorf("%d messages beside fields, want the summary's only", n)
	}
	if got := get(alice, chromedp.Value(chromedp.ID("contact_phone"))); got != phone {
		t.Errorf("the phone typed: %q after the refusal", got)
	}
	alice.show("#summary")
	alice.check("day-recordform-errors")
	edit := get(alice, chromedp.Evaluate[string](`document.querySelector("form.record-form").getAttribute("action")`))
	record := strings.TrimSuffix(edit, "/edit")
	id := va.RecordID(strings.TrimPrefix(record, "/records/"))
	alice.do(chromedp.SendKeys(chromedp.ID("summary"), "客户新建"+word+"，考虑采购储能柜。"))
	alice.press("button[name=action][value=submit]")
	if p := alice.path(); p != record {
		t.Fatalf("the record submitted: at %s, want %s", p, record)
	}

	// sam returns it with a comment on the summary.
	sam.visit("/review/records")
	sam.press(`a[href="` + record + `/review"]`)
	sam.check("day-review")
	sam.do(chromedp.SendKeys(chromedp.ID("c_summary"), "请写明采购数量"), chromedp.SendKeys(chromedp.ID("comment"), "摘要不完整"))
	sam.press("button[name=action][value=return]")
	if p := sam.path(); p != "/review/records" {
		t.Fatalf("the record returned: at %s", p)
	}

	// alice finds it returned, sees the comment beside the summary,
	// corrects it and submits it again.
	alice.visit("/records")
	alice.press(`a[href="` + edit + `"]`)
	if got := alice.text("#summary-comment"); !strings.Contains(got, "请写明采购数量") {
		t.Errorf("beside the summary: %q", got)
	}
	alice.show("#summary")
	alice.check("day-recordform-returned")
	alice.do(chromedp.SendKeys(chromedp.ID("summary"), kb.End+"数量两百台。"))
	alice.press("button[name=action][value=submit]")
	if p := alice.path(); p != record {
		t.Fatalf("the record submitted again: at %s", p)
	}

	// sam approves it.
	sam.visit("/review/records")
	sam.press(`a[href="` + record + `/review"]`)
	sam.press("button[name=action][value=approve]")
	alice.visit(record)
	if got := alice.text(".status"); got != "已批准" {
		t.Errorf("the record's state after the approval: %q", got)
	}
	alice.check("day-record")

	// arc archives it, with where its paper original is kept, and sees
	// its reference code.
	arc := s.browser(t, "zh")
	arc.signIn("arc", password)
	arc.visit("/archiving")
	arc.check("day-archiving")
	arc.press(`a[href="/archiving/` + string(id) + `"]`)
	arc.do(chromedp.SendKeys(chromedp.ID("paper_location-cabinet"), "B1"), chromedp.SendKeys(chromedp.ID("paper_location-shelf"), "3"),
		chromedp.SendKeys(chromedp.ID("paper_location-box"), "42\r"), chromedp.WaitVisible(chromedp.CSS(".refcode")))
	code := arc.text(".refcode")
	if r := s.record(id); r.Status != va.StatusArchived || r.ReferenceCode == "" || code != r.ReferenceCode {
		t.Errorf("the reference code shown: %q; the record %s with %q", code, r.Status, r.ReferenceCode)
	}
	arc.check("day-archived")

	// mia finds it by a word of its summary, without the phone.
	mia := s.browser(t, "zh")
	mia.signIn("mia", password)
	mia.visit("/search")
	mia.do(chromedp.SendKeys(chromedp.ID("q"), word), chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS(".hit mark")))
	if got := mia.text(".hit mark"); got != word {
		t.Errorf("the highlight: %q", got)
	}
	if n := get(mia, chromedp.Evaluate[int](`document.querySelectorAll(".hit").length`)); n != 1 {
		t.Errorf("%d hits for %s, want the day's record", n, word)
	}
	mia.hides(phone, "the search page")
	mia.check("day-search")
	mia.press(`.hit h3 a[href="` + record + `"]`)
	if got := mia.text(".field-summary dd"); !strings.Contains(got, word) || !strings.HasSuffix(got, "数量两百台。") {
		t.Errorf("the summary marketing reads: %q", got)
	}
	mia.hides(phone, "the record page")
	mia.check("day-record-marketing")

	// aud sees each step in the journal, and the reads.
	aud := s.browser(t, "zh")
	aud.signIn("aud", password)
	aud.visit("/audit/journal")
	aud.do(chromedp.SendKeys(chromedp.ID("action"), "plan"), chromedp.Submit(chromedp.ID("action")),
		chromedp.WaitVisible(chromedp.CSS("table.journal")))
	aud.check("day-journal")
	for _, step := range []struct {
		actor, action, key string
		times              int
	}{
		{"alice", "plan.submit", "plans/" + planID, 1},
		{"sam", "plan.decide", "plans/" + planID, 1},
		{"sam", "plan.read", "plans/" + planID, 1},
		{"alice", "record.submit", string(record[1:]), 2},
		{"sam", "record.return", string(record[1:]), 1},
		{"sam", "record.approve", string(record[1:]), 1},
		{"arc", "record.archive", string(record[1:]), 1},
		{"mia", "record.hit", string(record[1:]), 1},
		{"mia", "record.read", string(record[1:]), 1},
	} {
		aud.visit("/audit/journal?actor=" + step.actor + "&action=" + step.action)
		details := aud.journalRows(step.actor, step.action, step.key)
		if len(details) < step.times {
			t.Errorf("the journal shows %s's %s of %s %d times, want %d", step.actor, step.action, step.key, len(details), step.times)
		}
		if step.actor == "mia" && strings.Contains(strings.Join(details, " "), "contact_phone") {
			t.Errorf("the journal says mia read the phone: %q", details)
		}
	}
}

// show scrolls what sel selects to the middle of the screen, for the
// screenshot.
func (b *tab) show(sel string) {
	b.t.Helper()
	get(b, chromedp.Evaluate[int](`document.querySelector(`+strconv.Quote(sel)+`).scrollIntoView({block: "center"}); 1`))
}

// hides fails the test if the page's HTML holds s, or its digits as a
// page may write them (the + of a phone escaped).
func (b *tab) hides(s, where string) {
	b.t.Helper()
	page := get(b, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	digits := s[strings.IndexByte(s, ' ')+1:]
	if strings.Contains(page, s) || strings.Contains(page, digits) {
		b.t.Errorf("%s shows %q", where, s)
	}
}

// journalRows returns the details of the rows of the journal page that
// name actor, action and a key under key.
func (b *tab) journalRows(actor, action, key string) []string {
	b.t.Helper()
	raw := get(b, chromedp.Evaluate[json.RawMessage](`Array.from(document.querySelectorAll("table.journal tbody tr"),
		tr => Array.from(tr.cells, td => td.textContent.trim()))`))
	var rows [][]string
	if err := json.Unmarshal(raw, &rows); err != nil {
		b.t.Fatal(err)
	}
	var details []string
	for _, r := range rows {
		if len(r) == 6 && r[2] == actor && r[3] == action && strings.HasPrefix(r[4], key) {
			details = append(details, r[5])
		}
	}
	return details
}
