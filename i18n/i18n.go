// Package i18n holds the message catalogue of visitarchive in the
// languages it speaks: Simplified Chinese (the default) and English. Every
// text a person reads — a page's labels, a validation error, an API error
// message, a date — is written in English in the code and looked up here
// by that English text: the English is the key, and a missing translation
// falls back to it. The catalog_*zh.go files hold the Chinese of the keys
// (catalog_errors_zh.go those of the API's error messages); tests find
// every key the code uses and fail when one has no Chinese.
//
// The language of a request is the signed-in user's choice if they made
// one, else the best match of the browser's Accept-Language, else Chinese.
package i18n

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Lang is a language visitarchive speaks.
type Lang string

// The languages.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// Langs lists the languages, the default first.
var Langs = []Lang{Chinese, English}

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Negotiate returns the language of a request: choice (the user's, such
// as the value of a language cookie) when it names one of Langs, else the
// best match of the Accept-Language header, else Chinese.
func Negotiate(choice, acceptLanguage string) Lang {
	if l, ok := Parse(choice); ok {
		return l
	}
	if acceptLanguage == "" {
		return Chinese
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No || i == 0 {
		return Chinese
	}
	return English
}

// Parse reads a language name such as "zh", "zh-CN" or "en"; ok is false
// for any other.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		return Chinese, true
	case s == "en" || strings.HasPrefix(s, "en-"):
		return English, true
	}
	return "", false
}

var (
	mu      sync.RWMutex
	catalog = map[Lang]map[string]string{} // by language, the text of each English key
)

// Register adds the translations of keys (English text → text in l). The
// catalogue files call it from init.
func Register(l Lang, texts map[string]string) {
	mu.Lock()
	defer mu.Unlock()
	if catalog[l] == nil {
		catalog[l] = map[string]string{}
	}
	for k, v := range texts {
		catalog[l][k] = v
	}
}

// Text returns key, English text, in l: its translation, or key itself
// when there is none (and always in English).
func Text(l Lang, key string) string {
	if l == English {
		return key
	}
	mu.RLock()
	defer mu.RUnlock()
	if t, ok := catalog[l][key]; ok {
		return t
	}
	return key
}

// Sprintf formats the translation of format in l with args; verbs are
// those of fmt and keep their order in every language.
func Sprintf(l Lang, format string, args ...any) string {
	t := Text(l, format)
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

// Has reports whether l has a translation of key; English has them all.
func Has(l Lang, key string) bool {
	if l == English {
		return true
	}
	mu.RLock()
	defer mu.RUnlock()
	_, ok := catalog[l][key]
	return ok
}
