// Package web serves the pages of visitarchive: server-rendered HTML
// (html/template) from templates and static files embedded in the
// binary, in Simplified Chinese by default and English by a switch. No
// page loads anything from another host: no CDN, no web font, no
// script but static/app.js, which only enhances pages that work without
// it.
//
// The pages are a second face of the same server, not a second system:
// they use the API's session cookie (va_session) and its CSRF token, and
// call the same Archive methods with the caller's Principal in
// c.UserContext(), so the policy decides everything, as it does for the
// API. The menu asks the policy too (Archive.MayEver), never a table of
// its own. The server mounts the pages (Routes) and hands the errors of
// page requests to HandleError (Owns says which), which answers with a
// page in the user's language: a 403 or 404 says so, a 401 goes to the
// sign-in page and back.
//
// # Files
//
//	web.go       Config, New, the embedded files, static files
//	routes.go    the whole table of the pages
//	request.go   what every page needs: the caller, the language, CSRF,
//	             the security headers, redirects, safe "next" paths
//	render.go    Page (what the layout shows), the templates per
//	             language, the template functions
//	nav.go       the menu, by what the policy allows
//	labels.go    the labels of fields (the policy's terms) and of values
//	flash.go     one-time notices after a redirect; msg, the marker of keys
//	pager.go     paging of long lists
//	errors.go    error pages
//	account.go   sign-in (with the forced password change), sign-out,
//	             password, the language switch, the start page
//	tokens.go    API tokens
//	search.go    search: words, dates, facets, highlights, pages
//	records.go   the record page
//	inbox.go     the inbox
//	plans.go     the employee's plans: the list, the plan form, the plan
//	             page (submit, cancel, and its decision)
//	recordform.go  the employee's records and the unified form
//	review.go    the supervisor's lists and the review of a record
//	formfields.go  what the forms share: fields, times in the company's
//	             zone, the Archive's messages beside the fields, conflicts
//	templates/layout.html    the frame of every page
//	templates/partials.html  csrf, fielderror, pager
//	templates/work.html      formfield, tabs, history: the forms and lists
//	                         of plans and records
//	admin.go     what the pages of the roles beside the sales staff
//	             share: labels, notices, forms that keep what was typed
//	released.go  marketing's and customer service's approved plans
//	decisions.go management's decisions on major plans
//	archiving.go the archivists' records to archive, and archiving one
//	customers.go customers and their contacts
//	audit.go     the auditors' journal and access log
//	verify.go    the verification of the journal's chain, in the background
//	auditreport.go the four-property audit: links to the report, and the
//	             latest fixity result
//	export.go    the form of the API's export
//	users.go     accounts, for administrators
//	departments.go departments, for administrators
//	files.go     a record's files on its page: the list, images and PDFs
//	             shown in the page, downloads, and the upload form, whose
//	             body streams (w.stream; the server's FileServer reads it
//	             as the API's upload, under the same limits)
//	cover.go     a record's cover sheet to print (package scan), its QR
//	             code and style sheet
//	scans.go     the scan inbox: the scans by state, a scan's page (shown
//	             as files.go shows a record's), filing and discarding,
//	             and the upload form, streamed as files.go's, with its
//	             report
//	paper.go     the paper originals: one's place, moves and loans, what
//	             is where, the loans out and overdue
//	retention.go retention and disposition: the appraisal lists by
//	             state, a list's page with its entries and the forms its
//	             state and the caller's roles allow, the destructions with
//	             links to their registers (the API's)
//	retention_forms.go  the forms of a list: the pass run now, the
//	             archivist's decisions (decisions[i].field, as the
//	             Archive names them) and submission, a manager's approval,
//	             rejection and strikes, the witnesses and the execution
//	retention_holds.go  the legal holds: placing one (on a record, a
//	             customer or a search), releasing one beside it; a
//	             record's page shows the holds on it and its retain_until
//	templates/files.html     attachments, paperplace: the pieces of
//	                         files.go's and paper.go's pages
//	templates/admin.html     field, select, checks, formstate, viewtabs,
//	                         plan: the pieces of admin.go's pages
//	templates/pages/*.html   one per page, defining "content"
//	static/app.css, app.js   the one stylesheet and the one script
//
// # Adding a page
//
// A page family (the supervisor's reviews, the archivist's archiving, …)
// is one Go file with its handlers and one template per page:
//
//  1. Write the handler as a handler: func(c *fiber.Ctx, r *Request)
//     error. Parse the request, call the Archive with c.UserContext(),
//     and end with w.render(c, r, "name", msg("Title"), data), where
//     data is a struct of the page's own (its fields are what the
//     template reads as .Data.X). Return the Archive's errors as they
//     are: the error page says what they mean. For a form whose values
//     are Invalid, render the form again with c.Status(422) and the
//     messages by field (fieldErrors(r.Lang, err)) beside the fields,
//     keeping what the user typed. After a POST that worked, redirect
//     (redirect(c, path): 303), with a flash if there is something to
//     say.
//  2. Register it in routes.go: r.Get(path, w.page(w.handler)); a POST
//     too, and the wrapper checks the form's _csrf. (w.public is for the
//     pages of the signed-out, w.account for those a user with a
//     password to change may see.)
//  3. Add templates/pages/name.html defining "content"; the layout
//     around it comes by itself. Forms that POST carry
//     {{template "csrf" $}}; fields have a <label for>, and their error
//     {{template "fielderror" index .Errors "field"}} in an element whose
//     id the input names in aria-describedby; lists end with
//     {{template "pager" .Pager}} (newPager).
//  4. If everyone whose roles allow something should find the page, add
//     a navItem to menu in nav.go with the permission and kind it needs
//     (unless names an earlier entry that lists all it would, so that
//     nobody is offered the same list twice);
//     a page whose whole content is out of a user's roles starts with
//     w.mayUse (403). If a kind of object gets a page of its own, add it
//     to objectLinks (inbox.go): the inbox and search then link to it.
//
// # Translations
//
// Every text is written in English in the code and is the key of its
// Chinese in i18n/catalog_web_zh.go: {{t "Text"}} and {{tf "%d of %d" a
// b}} in templates; r.T("Text") and r.Tf in handlers; msg("Text") where
// a key is kept to be translated later (tables of labels, titles,
// flashes). Fields are labelled with {{label "topic"}} (labels.go: the
// policy's terms; add a field there, once), values of fixed sets with
// {{value "status" .Status}}, times with {{date}} and {{datetime}} (in
// the company's zone, Archive.Location), numbers with {{num}}. The
// Archive's error messages go through errorText and fieldErrors.
// TestCatalogue reads every template and every Go file of the package
// for these calls and fails on a key without Chinese, or whose verbs
// differ: add the key to catalog_web_zh.go (the pages of plans and
// records: catalog_web_work_zh.go) and it passes.
//
// # Forms and their state
//
// A form that fails keeps what was typed: Invalid values come back
// beside their fields (422); a save over a version saved meanwhile (the
// Archive's Conflict) comes back as 409 with the user's input, the
// current values beside the fields that differ, and the current version
// in the form, so that saving again is a choice made knowing them. A form
// marked data-keep is also kept by app.js in the tab's sessionStorage
// while it is sent, and filled in again after a sign-in that the end of
// the session forced; any other page drops it.
//
// # Tests
//
// site_test.go starts the whole server (server.New over
// internal/testenv) on loopback with people and records: newSite(t).
// s.signIn("alice", "zh-CN") is a browser without a browser (a cookie
// jar, redirects not followed) whose post adds the session's CSRF
// token, for the quick tests of what a page answers (pages_test.go).
// browser_test.go drives the same site in headless Chromium (chromedp,
// one browser per test binary): b := s.browser(t, "zh") opens a tab of
// its own (its own cookies) in that language, b.signIn("alice", password)
// signs in with the form by keyboard, b.visit(path) loads a page, and
// b.check("name") runs axe-core on it (a serious or critical violation
// fails the test) and saves its screenshot as
// testdata/screenshots/name-zh.png (ignored by git). Every tab fails its
// test if a page asked anything of another host than the server.
// Without Chromium the browser tests skip locally and fail when CI is
// set; make test installs it.
package web
