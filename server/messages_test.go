package server

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
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
	used, unseen, err := messageKeys("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, where := range unseen {
		t.Errorf("%s: a message made of something else than a literal (a format and its arguments)", where)
	}
	for _, table := range []map[string]string{recordFields, planFields, userFields, auditFields} {
		for name, how := range table {
			used[how] = append(used[how], "the server's fields: "+name)
		}
	}
	for _, key := range i18n.MechanicsKeys {
		used[key] = append(used[key], "package i18n, which says the messages")
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
// (i18n.Text). Only literals are keys, so a format must be a literal, a
// parameter that its function passes on, or the Format of a message kept;
// the test reports any other (but those of seenElsewhere), since it
// cannot see what it says.
//
// The CLI speaks English (cmd/), the web pages have their catalogue
// (server/web), and smtpmail's errors go to the log only: mail is sent
// after the answer. Package i18n says the messages and holds none but
// its own (i18n.MechanicsKeys).

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
// module at root, each with where it is used, and where a message is
// made of something else than a literal, a parameter that a function
// passes on, or the Format of a message kept (Error, FieldError,
// Message): a message that this test cannot see.
func messageKeys(root string) (keys map[string][]string, unseen []string, err error) {
	files, err := sourceFiles(root)
	if err != nil {
		return nil, nil, err
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
	c := &collector{funcs: funcs, keys: map[string][]string{}}
	for _, sf := range files {
		c.collect(sf)
	}
	return c.keys, c.unseen, nil
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
				rel == "cmd", rel == "server/web", rel == "smtpmail", rel == "bin", rel == "i18n":
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

// collector gathers the keys of the files it is given.
type collector struct {
	funcs  map[messageFunc]messageArg
	keys   map[string][]string
	unseen []string
	sf     *sourceFile
}

// seenElsewhere are the messages made of something else than a literal
// whose keys the test finds another way: by file, the expression.
var seenElsewhere = map[string]string{
	"errors.go":         "sprintf(format, args...)", // FieldErrorf itself
	"server/objects.go": "how",                      // the tables of the fields the server sets
	"server/lang.go":    "say(l, m)",                // the translation itself
}

// collect adds the keys of sf.
func (c *collector) collect(sf *sourceFile) {
	c.sf = sf
	for _, d := range sf.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			if fd.Body != nil {
				c.walk(fd.Body, paramNames(fd.Type, nil))
			}
			continue
		}
		c.walk(d, nil)
	}
}

// paramNames returns the names of the parameters of typ and of outer.
func paramNames(typ *ast.FuncType, outer map[string]bool) map[string]bool {
	ps := maps.Clone(outer)
	if ps == nil {
		ps = map[string]bool{}
	}
	for _, f := range typ.Params.List {
		for _, n := range f.Names {
			ps[n.Name] = true
		}
	}
	return ps
}

// walk collects the keys of n, in a function whose parameters are ps.
func (c *collector) walk(n ast.Node, ps map[string]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			c.walk(n.Body, paramNames(n.Type, ps))
			return false
		case *ast.CallExpr:
			c.call(n, ps)
		case *ast.CompositeLit:
			if c.sf.isRoot(n.Type, "FieldError") {
				c.fieldMessage(n)
			}
			if at, ok := n.Type.(*ast.ArrayType); ok && c.sf.isRoot(at.Elt, "FieldError") {
				for _, e := range n.Elts {
					if lit, ok := e.(*ast.CompositeLit); ok {
						c.fieldMessage(lit)
					}
				}
			}
		case *ast.ValueSpec: // const KindRecord ResourceKind = "record"
			if c.sf.root == "." && (c.sf.isRoot(n.Type, "ResourceKind") || c.sf.isRoot(n.Type, "Permission")) {
				for _, v := range n.Values {
					c.add(v, true)
				}
			}
		}
		return true
	})
}

// add adds the key that e holds; when e is no literal and must be,
// where it is goes to unseen.
func (c *collector) add(e ast.Expr, mustBe bool) {
	line := c.sf.path + ":" + strconv.Itoa(c.sf.fset.Position(e.Pos()).Line)
	if s, ok := stringLiteral(e); ok {
		c.keys[s] = append(c.keys[s], line)
	} else if mustBe && seenElsewhere[c.sf.path] != types.ExprString(e) {
		c.unseen = append(c.unseen, line+": "+types.ExprString(e))
	}
}

func (c *collector) call(call *ast.CallExpr, ps map[string]bool) {
	sf := c.sf
	if sf.isRoot(call.Fun, "Word") && len(call.Args) == 1 {
		c.add(call.Args[0], false) // Word(res.Kind): the constants of ResourceKind
		return
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok && len(call.Args) >= 2 {
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == "i18n" && (sel.Sel.Name == "Text" || sel.Sel.Name == "Sprintf") {
			c.add(call.Args[1], false) // the server saying a message of a Message
			return
		}
	}
	fn, ok := sf.callee(call)
	arg, isMessage := c.funcs[fn]
	if !ok || !isMessage || arg.index >= len(call.Args) {
		return
	}
	if fn == (messageFunc{"", "E", false}) && sf.isRoot(call.Args[1], "Internal") {
		return
	}
	e := call.Args[arg.index]
	if id, ok := e.(*ast.Ident); ok && ps[id.Name] {
		return // passed on: the callers' literals are the keys
	}
	if sel, ok := e.(*ast.SelectorExpr); ok && sel.Sel.Name == "Format" {
		return // a message kept, made again
	}
	// A method is known by its name only: a method of another type
	// (catalog.add) may share it, so only its literals count.
	c.add(e, !arg.word && !fn.method)
}

// fieldMessage adds the Message of a FieldError literal.
func (c *collector) fieldMessage(lit *ast.CompositeLit) {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Message" {
				c.add(kv.Value, true)
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
