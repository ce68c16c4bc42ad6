package server

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive/i18n"
)

// errorsCatalogue is the file of the Chinese of the API's messages.
const errorsCatalogue = "../i18n/catalog_errors_zh.go"

// TestMessageCatalogue checks that every message the API can answer
// with has its Chinese, and that the catalogue holds nothing else: the
// English of a message is its key, so a key is in English by being one.
// The messages are found in the code (messageKeys) and in the server's
// tables of the fields it sets. Each Chinese takes the arguments of its
// English, each with the same verb (%d stays %d; %[2]s may move it).
func TestMessageCatalogue(t *testing.T) {
	used, err := messageKeys("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []map[string]string{recordFields, planFields, userFields, auditFields} {
		for name, how := range table {
			used[how] = append(used[how], "the server's fields: "+name)
		}
	}
	zh, err := catalogueEntries(errorsCatalogue)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range slices.Sorted(maps.Keys(used)) {
		if _, ok := zh[key]; !ok {
			t.Errorf("no Chinese for %q (%s)", key, strings.Join(used[key], ", "))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(zh)) {
		text := zh[key]
		if _, ok := used[key]; !ok {
			t.Errorf("%s: %q is no message of the code any more", errorsCatalogue, key)
		}
		if got := i18n.Text(i18n.Chinese, key); got != text {
			t.Errorf("%q is %q in the catalogue, not %q: another catalogue file has it too", key, got, text)
		}
		if want, got := verbsByArg(key), verbsByArg(text); !maps.Equal(want, got) {
			t.Errorf("%q: the Chinese %q takes the arguments %v, want %v", key, text, got, want)
		}
	}
	t.Logf("%d messages and words, each in English and Chinese", len(zh))
}

// verbPattern matches a verb of fmt, with its argument index if any.
var verbPattern = regexp.MustCompile(`%(?:\[(\d+)\])?([-+# 0]*[0-9]*(?:\.[0-9]*)?[a-zA-Z%])`)

// verbsByArg returns the verbs of format by the argument (from 1) each
// formats, as fmt counts them.
func verbsByArg(format string) map[int]string {
	verbs := map[int]string{}
	n := 0
	for _, m := range verbPattern.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			n, _ = strconv.Atoi(m[1])
		} else {
			n++
		}
		verbs[n] = "%" + m[2]
	}
	return verbs
}

// catalogueEntries reads the Chinese of each key from the map literal of
// the catalogue file at path.
func catalogueEntries(path string) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	entries := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		k, ok1 := stringLiteral(kv.Key)
		v, ok2 := stringLiteral(kv.Value)
		if ok1 && ok2 {
			entries[k] = v
		}
		return true
	})
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s holds no entries", path)
	}
	return entries, nil
}

// The message keys of the code.
//
// A message is made by E (the format, unless the kind is Internal, which
// the client sees as "internal error"), FieldErrorf and Msgf of the root
// package, or by a function that passes a format it takes on to one of
// them (badRequest, the checker's add, …); a Word is a literal converted
// to Word, or passed where a function takes a Word (the checker's result,
// invalid); a FieldError literal's Message is its key; the constants of
// ResourceKind and Permission are Words of messages
// (Word(res.Kind), Word(perm)); and the server says some keys itself
// (i18n.Text). Only literals are keys: a format that is a variable is a
// parameter of such a function, or a mistake that this test cannot see.
//
// The CLI speaks English (cmd/), the web pages have their catalogue
// (server/web), and smtpmail's errors go to the log only: mail is sent
// after the answer.

const rootImport = "github.com/visitarchive/visitarchive"

// messageFunc is a function or method (by name: methods are told apart
// by their package only) of the package in dir ("" for the root).
type messageFunc struct {
	dir, name string
	method    bool
}

// messageArg is the argument of a messageFunc that holds a key: its
// index, and whether it is a Word rather than a format.
type messageArg struct {
	index int
	word  bool
}

// sourceFile is a parsed Go file and the name it gives the root package
// ("." in the root itself, "" when it does not import it).
type sourceFile struct {
	dir, path, root string
	file            *ast.File
	fset            *token.FileSet
}

// messageKeys returns the keys of the messages of the Go code under the
// module at root, each with where it is used.
func messageKeys(root string) (map[string][]string, error) {
	files, err := sourceFiles(root)
	if err != nil {
		return nil, err
	}
	funcs := map[messageFunc]messageArg{
		{"", "E", false}:           {index: 3},
		{"", "FieldErrorf", false}: {index: 1},
		{"", "Msgf", false}:        {index: 0},
	}
	for more := true; more; {
		more = false
		for _, sf := range files {
			more = sf.findHelpers(funcs) || more
		}
	}
	keys := map[string][]string{}
	for _, sf := range files {
		sf.collect(funcs, keys)
	}
	return keys, nil
}

func sourceFiles(root string) ([]*sourceFile, error) {
	fset := token.NewFileSet()
	var files []*sourceFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch {
			case rel == ".":
			case strings.HasPrefix(d.Name(), "."), d.Name() == "testdata", d.Name() == "internal",
				strings.HasSuffix(d.Name(), "test"), // storagetest, smtptest
				rel == "cmd", rel == "server/web", rel == "smtpmail", rel == "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		if dir == "." {
			dir = ""
		}
		files = append(files, &sourceFile{dir: dir, path: rel, root: rootName(f, dir), file: f, fset: fset})
		return nil
	})
	return files, err
}

// rootName returns the name under which f, of the package in dir, refers
// to the root package.
func rootName(f *ast.File, dir string) string {
	if dir == "" {
		return "."
	}
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == rootImport {
			if im.Name != nil {
				return im.Name.Name
			}
			return "visitarchive"
		}
	}
	return ""
}

// callee returns the function that call calls, as messageKeys names them.
func (sf *sourceFile) callee(call *ast.CallExpr) (messageFunc, bool) {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return messageFunc{sf.dir, fn.Name, false}, true
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && x.Name == sf.root {
			return messageFunc{"", fn.Sel.Name, false}, true
		}
		return messageFunc{sf.dir, fn.Sel.Name, true}, true
	}
	return messageFunc{}, false
}

// isRoot reports whether e names the root package's name.
func (sf *sourceFile) isRoot(e ast.Expr, name string) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return sf.root == "." && e.Name == name
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && sf.root != "" && x.Name == sf.root && e.Sel.Name == name
	}
	return false
}

// findHelpers adds the functions of sf that pass a format or a Word they
// take on to one of funcs, or take a Word, and reports whether it added
// any.
func (sf *sourceFile) findHelpers(funcs map[messageFunc]messageArg) bool {
	added := false
	ast.Inspect(sf.file, func(n ast.Node) bool {
		var fn messageFunc
		var typ *ast.FuncType
		var body *ast.BlockStmt
		switch d := n.(type) {
		case *ast.FuncDecl:
			fn, typ, body = messageFunc{sf.dir, d.Name.Name, d.Recv != nil}, d.Type, d.Body
		case *ast.AssignStmt: // add := func(field, format string, args ...any) {…}
			if len(d.Lhs) != 1 || len(d.Rhs) != 1 {
				return true
			}
			id, ok1 := d.Lhs[0].(*ast.Ident)
			lit, ok2 := d.Rhs[0].(*ast.FuncLit)
			if !ok1 || !ok2 {
				return true
			}
			fn, typ, body = messageFunc{sf.dir, id.Name, false}, lit.Type, lit.Body
		}
		if body == nil {
			return true
		}
		if _, ok := funcs[fn]; ok {
			return true
		}
		if arg, ok := sf.helperArg(typ, body, funcs); ok {
			funcs[fn] = arg
			added = true
		}
		return true
	})
	return added
}

// helperArg returns the parameter of the function of typ and body that
// holds a key, if one does.
func (sf *sourceFile) helperArg(typ *ast.FuncType, body *ast.BlockStmt, funcs map[messageFunc]messageArg) (messageArg, bool) {
	var params []*ast.Ident
	var types []ast.Expr
	for _, f := range typ.Params.List {
		for _, name := range f.Names {
			params, types = append(params, name), append(types, f.Type)
		}
	}
	for i, t := range types {
		if sf.isRoot(t, "Word") {
			return messageArg{index: i, word: true}, true
		}
	}
	var found messageArg
	ok := false
	ast.Inspect(body, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		if !isCall || ok {
			return !ok
		}
		fn, known := sf.callee(call)
		arg, isMessage := funcs[fn]
		if !known || !isMessage || arg.index >= len(call.Args) {
			return true
		}
		id, isIdent := call.Args[arg.index].(*ast.Ident)
		if !isIdent {
			return true
		}
		for i, p := range params {
			if p.Name == id.Name {
				found, ok = messageArg{index: i, word: arg.word}, true
			}
		}
		return true
	})
	return found, ok
}

// collect adds the keys of sf to keys.
func (sf *sourceFile) collect(funcs map[messageFunc]messageArg, keys map[string][]string) {
	add := func(n ast.Node, e ast.Expr) {
		if s, ok := stringLiteral(e); ok {
			keys[s] = append(keys[s], sf.path+":"+strconv.Itoa(sf.fset.Position(n.Pos()).Line))
		}
	}
	ast.Inspect(sf.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sf.collectCall(n, funcs, add)
		case *ast.CompositeLit:
			if sf.isRoot(n.Type, "FieldError") {
				fieldMessage(n, add)
			}
			if at, ok := n.Type.(*ast.ArrayType); ok && sf.isRoot(at.Elt, "FieldError") {
				for _, e := range n.Elts {
					if lit, ok := e.(*ast.CompositeLit); ok {
						fieldMessage(lit, add)
					}
				}
			}
		case *ast.ValueSpec: // const KindRecord ResourceKind = "record"
			if sf.root == "." && (sf.isRoot(n.Type, "ResourceKind") || sf.isRoot(n.Type, "Permission")) {
				for _, v := range n.Values {
					add(v, v)
				}
			}
		}
		return true
	})
}

func (sf *sourceFile) collectCall(call *ast.CallExpr, funcs map[messageFunc]messageArg, add func(ast.Node, ast.Expr)) {
	if sf.isRoot(call.Fun, "Word") && len(call.Args) == 1 {
		add(call, call.Args[0])
		return
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok && len(call.Args) >= 2 {
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == "i18n" && (sel.Sel.Name == "Text" || sel.Sel.Name == "Sprintf") {
			add(call, call.Args[1])
			return
		}
	}
	fn, ok := sf.callee(call)
	arg, isMessage := funcs[fn]
	if !ok || !isMessage || arg.index >= len(call.Args) {
		return
	}
	if fn == (messageFunc{"", "E", false}) && sf.isRoot(call.Args[1], "Internal") {
		return
	}
	add(call, call.Args[arg.index])
}

// fieldMessage adds the Message of a FieldError literal.
func fieldMessage(lit *ast.CompositeLit, add func(ast.Node, ast.Expr)) {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Message" {
				add(kv, kv.Value)
			}
		}
	}
}

// stringLiteral returns the value of e when it is a string literal or a
// sum of them.
func stringLiteral(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringLiteral(e.X)
	case *ast.BinaryExpr:
		a, ok1 := stringLiteral(e.X)
		b, ok2 := stringLiteral(e.Y)
		return a + b, e.Op == token.ADD && ok1 && ok2
	}
	return "", false
}
