package server

import (
	"github.com/gofiber/fiber/v2"

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
