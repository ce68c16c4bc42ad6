package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// langCookie holds the language a user chose ("zh" or "en"); the web
// pages set it. It names no one and is not a credential.
const langCookie = "va_lang"

// requestLang returns the language of the answers to c: the user's
// choice (the va_lang cookie), else the best match of Accept-Language
// (Chinese when it names neither language). A client that says nothing —
// no cookie, no Accept-Language: a script, curl — gets English, as the API
// always answered; every browser says something. A choice stored with the
// user's account, once there is one, belongs beside the cookie's.
func requestLang(c *fiber.Ctx) i18n.Lang {
	choice, accept := c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage)
	if choice == "" && accept == "" {
		return i18n.English
	}
	return i18n.Negotiate(choice, accept)
}

// messageOf returns what a client is told of e: its message, or "internal
// error" when e is Internal, whose message is for the log.
func messageOf(e *visitarchive.Error) visitarchive.Message {
	switch {
	case e.Kind == visitarchive.Internal:
		return visitarchive.Msgf("internal error")
	case e.Format == "":
		return visitarchive.Message{Format: e.Msg}
	}
	return visitarchive.Msgf(e.Format, e.Args...)
}

// fieldsIn returns fs with their messages in l.
func fieldsIn(l i18n.Lang, fs []visitarchive.FieldError) []visitarchive.FieldError {
	if l == i18n.English || len(fs) == 0 {
		return fs
	}
	out := make([]visitarchive.FieldError, len(fs))
	for i, f := range fs {
		m := visitarchive.Message{Format: f.Format, Args: f.Args}
		if f.Format == "" {
			m = visitarchive.Message{Format: f.Message}
		}
		out[i] = visitarchive.FieldError{Field: f.Field, Message: say(l, m)}
	}
	return out
}

// say returns m in l: its format looked up in the catalogue and formatted
// with m's arguments, of which those that are Words, Messages or
// Messages are said in l too.
func say(l i18n.Lang, m visitarchive.Message) string {
	if l == i18n.English {
		return m.String()
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch a := a.(type) {
		case visitarchive.Word:
			args[i] = i18n.Text(l, string(a))
		case visitarchive.Message:
			args[i] = say(l, a)
		case visitarchive.Messages:
			s := make([]string, len(a))
			for j, m := range a {
				s[j] = say(l, m)
			}
			args[i] = strings.Join(s, i18n.Text(l, "; "))
		default:
			args[i] = a
		}
	}
	return i18n.Sprintf(l, m.Format, args...)
}
