package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"github.com/visitarchive/visitarchive/i18n"
)

// Every text a page shows has its Chinese: the keys of the translation
// functions in the templates (t, tf) and of the calls in this package's
// Go code (msg, T, Tf, i18n.Text, i18n.Sprintf), with the same verbs in
// both languages.
func TestCatalogue(t *testing.T) {
	keys := map[string]string{} // key → where it is used
	for k, where := range templateKeys(t) {
		keys[k] = where
	}
	for k, where := range goKeys(t) {
		keys[k] = where
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		zh := i18n.Text(i18n.Chinese, k)
		switch {
		case !i18n.Has(i18n.Chinese, k):
			t.Errorf("%s: no Chinese for %q", keys[k], k)
		case !slices.Equal(verbs(k), verbs(zh)):
			t.Errorf("%s: %q and its Chinese %q have different verbs", keys[k], k, zh)
		}
	}
}

var verbPattern = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

func verbs(s string) []string { return verbPattern.FindAllString(s, -1) }

// translating are the template functions whose first argument is a key.
var translating = []string{"t", "tf"}

// templateKeys parses every template and returns the string arguments of
// the translation functions.
func templateKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	stub := template.FuncMap{}
	for name := range funcs(i18n.Chinese, nil, nil) {
		stub[name] = func(...any) string { return "" }
	}
	eachTemplate(t, func(path, src string) {
		tmpl, err := template.New(path).Funcs(stub).Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tmpl.Templates() {
			if tt.Tree != nil {
				walk(tt.Tree.Root, func(k string) { keys[k] = path })
			}
		}
	})
	return keys
}

// eachTemplate calls f with the path and text of every template file.
func eachTemplate(t *testing.T, f func(path, src string)) {
	t.Helper()
	err := fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(files, path)
		if err == nil {
			f(path, string(src))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// walk calls found with the key of every call of a translating function
// under n.
func walk(n parse.Node, found func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, found)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, found)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, found)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, found)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, found)
	case *parse.TemplateNode:
		walk(n.Pipe, found)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walk(c, found)
			}
		}
	case *parse.CommandNode:
		if len(n.Args) >= 2 {
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok && slices.Contains(translating, id.Ident) {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					found(s.Text)
				}
			}
		}
		for _, a := range n.Args {
			walk(a, found)
		}
	}
}

func walkBranch(b *parse.BranchNode, found func(string)) {
	walk(b.Pipe, found)
	walk(b.List, found)
	walk(b.ElseList, found)
}

// goKeys returns the string literals that this package's Go code passes
// as keys.
func goKeys(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if k, ok := keyOf(call); ok {
					keys[k] = fset.Position(call.Pos()).String()
				}
				return true
			})
		}
	}
	return keys
}

// keyOf returns the key of a call that takes one: msg(k), r.T(k),
// r.Tf(k, …), i18n.Text(l, k), i18n.Sprintf(l, k, …).
func keyOf(call *ast.CallExpr) (string, bool) {
	var name string
	switch f := call.Fun.(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	}
	arg := -1
	switch name {
	case "msg", "T", "Tf":
		arg = 0
	case "Text", "Sprintf":
		arg = 1
	}
	if arg < 0 || len(call.Args) <= arg {
		return "", false
	}
	lit, ok := call.Args[arg].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
