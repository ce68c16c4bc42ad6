package server

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/visitarchive/visitarchive"
)

// checkShape walks a parsed JSON body against the Go type it will be
// decoded into, so that a client learns every unknown field (400) and every
// value of the wrong type (422) by its full path, such as
// decision_chain[2].attitude — encoding/json reports only the first problem
// and without indices.
func checkShape[T any](op string, tree map[string]any) error {
	var sc shapeCheck
	sc.walk(tree, reflect.TypeFor[T](), "")
	if len(sc.unknown) > 0 {
		return badRequest(op, "unknown field(s): %s", strings.Join(sc.unknown, ", "))
	}
	if len(sc.fields) > 0 {
		return invalid(op, "request body", sc.fields...)
	}
	return nil
}

type shapeCheck struct {
	unknown []string
	fields  []visitarchive.FieldError
}

var timeType = reflect.TypeFor[time.Time]()

func (sc *shapeCheck) wrong(path, format string, args ...any) {
	sc.fields = append(sc.fields, visitarchive.FieldErrorf(path, format, args...))
}

// walk checks v (from a decoder with UseNumber) against t. JSON null is
// accepted anywhere: it leaves the zero value, as encoding/json does.
func (sc *shapeCheck) walk(v any, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return
	}
	switch {
	case t == timeType:
		sc.walkTime(v, path)
	case t.Kind() == reflect.Struct:
		sc.walkStruct(v, t, path)
	case t.Kind() == reflect.Slice:
		sc.walkSlice(v, t, path)
	case t.Kind() == reflect.Map:
		sc.walkMap(v, t, path)
	default:
		sc.walkScalar(v, t, path)
	}
}

func (sc *shapeCheck) walkTime(v any, path string) {
	s, ok := v.(string)
	var tm time.Time
	if q, _ := json.Marshal(s); !ok || tm.UnmarshalJSON(q) != nil {
		sc.wrong(path, "must be an RFC 3339 time such as 2026-03-01T09:30:00+08:00")
	}
}

func (sc *shapeCheck) walkStruct(v any, t reflect.Type, path string) {
	obj, ok := v.(map[string]any)
	if !ok {
		sc.wrong(path, "must be an object")
		return
	}
	fields := jsonFields(t)
	for _, name := range sortedKeys(obj) {
		ft, known := fields[name]
		if !known {
			sc.unknown = append(sc.unknown, join(path, name))
			continue
		}
		sc.walk(obj[name], ft, join(path, name))
	}
}

func (sc *shapeCheck) walkSlice(v any, t reflect.Type, path string) {
	arr, ok := v.([]any)
	if !ok {
		sc.wrong(path, "must be an array")
		return
	}
	for i, e := range arr {
		sc.walk(e, t.Elem(), path+"["+strconv.Itoa(i)+"]")
	}
}

// walkMap checks an object whose members are free names (such as the
// field comments of a return) and whose values are all of one type.
func (sc *shapeCheck) walkMap(v any, t reflect.Type, path string) {
	obj, ok := v.(map[string]any)
	if !ok {
		sc.wrong(path, "must be an object")
		return
	}
	for _, name := range sortedKeys(obj) {
		sc.walk(obj[name], t.Elem(), join(path, name))
	}
}

func (sc *shapeCheck) walkScalar(v any, t reflect.Type, path string) {
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			sc.wrong(path, "must be a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			sc.wrong(path, "must be true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := v.(json.Number); !ok || !fitsInt(n, t) {
			sc.wrong(path, "must be an integer")
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			sc.wrong(path, "must be a number")
		}
	}
	// Interfaces take any JSON; none of the API types has them.
}

// fitsInt reports whether n is an integer that a value of type t can hold.
func fitsInt(n json.Number, t reflect.Type) bool {
	x := reflect.New(t).Elem()
	if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil && x.CanInt() {
		return !x.OverflowInt(i)
	}
	if u, err := strconv.ParseUint(n.String(), 10, 64); err == nil && x.CanUint() {
		return !x.OverflowUint(u)
	}
	return false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fieldCache holds the JSON member names of each struct type.
var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields returns the JSON member names of struct t and their types,
// with the members of embedded structs (such as Audit) promoted, as
// encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			for n, ft := range jsonFields(f.Type) {
				m[n] = ft
			}
		case name == "":
			m[f.Name] = f.Type
		default:
			m[name] = f.Type
		}
	}
	fieldCache.Store(t, m)
	return m
}
