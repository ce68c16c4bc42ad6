package index

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// The text of files is found as the record's text is, and never stored.
func TestFilesText(t *testing.T) {
	dir := t.TempDir()
	ix := openTest(t, dir)
	doc := func(id, text string, pages ...string) visitarchive.IndexDoc {
		return visitarchive.IndexDoc{Record: &visitarchive.Record{ID: visitarchive.RecordID(id), Topic: text},
			Files: []visitarchive.FileText{{Attachment: "F" + id, Pages: pages}}}
	}
	docs := []visitarchive.IndexDoc{
		doc("R1", "拜访", "本次拜访讨论了机房的散热问题。", "We discussed the LX-3021B cooling units; 数据"),
		doc("R2", "数据中心项目", "中心机房"),
		doc("R3", "其他", "散热风扇坏了"),
		doc("R4", "其他", "cooling"), // no pair of words, no run of Han characters: nothing in files_grams
	}
	if err := ix.Apply(t.Context(), 1, docs, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ q, want string }{
		{"散热问题", "R1"},       // a Chinese word only in a file
		{"散热风扇", "R3"},       // shares 散热 with R1, and no more
		{"cooling", "R1 R4"}, // an English word
		{"LX-3021B", "R1"},
		{"3021B", "R1"},
		{"LX-1000", ""},
		{"数据中心", "R2"},       // in R2's record text; in R1 the words are on two pages
		{"拜访 cooling", "R1"}, // one word in the text, one in a file
		{"散热", "R1 R3"},
		{"热", "R1 R3"},
	} {
		t.Run(c.q, func(t *testing.T) { wantIDs(t, ix, visitarchive.SearchQuery{Text: c.q}, c.want) })
	}

	// The hits carry no fragment of files: the index has no text of them.
	res := find(t, ix, visitarchive.SearchQuery{Text: "散热问题"})
	if len(res.Hits) != 1 || len(res.Hits[0].Fragments) != 0 {
		t.Errorf("hits %+v, want R1 without fragments", res.Hits)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Runs of three or four Han characters are terms of files_grams, and
	// single words terms of files; a longer run, or words in a row, are
	// in no index file.
	for _, planted := range []string{"机房的散热问题", "cooling units"} {
		if where := grepDir(t, dir, planted); where != "" {
			t.Errorf("%q in clear in %s", planted, where)
		}
	}
	// Opened again, the index knows that it holds text of files.
	ix = openTest(t, dir)
	wantIDs(t, ix, visitarchive.SearchQuery{Text: "cooling"}, "R1 R4")
}

// grepDir returns a file under dir that holds s, or "".
func grepDir(t *testing.T, dir, s string) string {
	t.Helper()
	found := ""
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), s) {
			found = path
		}
		return err
	})
	return found
}

func TestMark(t *testing.T) {
	var ix Index // Mark needs no open index
	pages := []string{
		"第一页没有要找的词。",
		"客户计划明年对数据中心进行节能改造，希望我方提供冷却机组（LX-3021B）的选型方案。",
		"节能改造",
	}
	for _, c := range []struct {
		q    string
		page int
		frag string
	}{
		{"节能改造 LX-3021B", 1, "客户计划明年对数据中心进行<mark>节能改造</mark>，希望我方提供冷却机组（<mark>LX-3021B</mark>）的选型方案。"},
		{"节能改造", 1, "客户计划明年对数据中心进行<mark>节能改造</mark>，希望我方提供冷却机组（LX-3021B）的选型方案。"},
		// Full width is ASCII; the fragment begins markLead characters before.
		{"ＬＸ－３０２１Ｂ", 1, "中心进行节能改造，希望我方提供冷却机组（<mark>LX-3021B</mark>）的选型方案。"},
		{"词", 0, "第一页没有要找的<mark>词</mark>。"},
	} {
		page, frag, ok := ix.Mark(c.q, pages)
		if !ok || page != c.page || frag != c.frag {
			t.Errorf("Mark(%q) = %d %q %v, want %d %q", c.q, page, frag, ok, c.page, c.frag)
		}
	}
	for _, q := range []string{"节能灯具", "LX-1000", ""} {
		if page, frag, ok := ix.Mark(q, pages); ok {
			t.Errorf("Mark(%q) = %d %q, want nothing", q, page, frag)
		}
	}
	// A long page: the fragment starts a little before the first match.
	long := strings.Repeat("无关的文字。", 40) + "节能改造" + strings.Repeat("其他内容。", 40)
	_, frag, _ := ix.Mark("节能改造", []string{long})
	if !strings.HasPrefix(frag, "字。无关的文字。无关的文字。无关的文字。<mark>节能改造</mark>") || len([]rune(frag)) > fragmentRunes+len("<mark></mark>") {
		t.Errorf("fragment %q", frag)
	}
}
