// Package audit checks the archive for the four properties of DA/T
// 70-2018 (四性检测: 真实性 authenticity, 完整性 completeness, 可用性
// usability, 安全性 security) and keeps the scheduled fixity check.
//
// Run runs every check over the Sources (the Archive for the domain, the
// raw store, the search index, the index directory and the key file) and
// returns a Report: each Check with its property, the item of the
// standard it answers, its result (pass, warn, fail) and the exact
// objects or records at fault. WriteJSON, WriteHTML (a printable page)
// and WriteXLSX render it; `visitarchive audit` and
// GET /api/v1/audit/report serve it.
//
// The checks, in the order of the report:
//
//	authenticity.chain        the journal's hash chain (journal verify)
//	authenticity.hashes       every object's SHA-256 against the journal
//	authenticity.refcodes     reference codes well formed, of their class
//	authenticity.dates        visit end after start, archived after
//	                          approved, approved after submitted, late
//	                          flags true to submission and deadline
//	completeness.fields       archived records have their form's fields
//	completeness.attachments  each attachment's content is in the store
//	completeness.series       each 档号 series holds 1..N once each
//	completeness.plans        approved plans past their filing deadline
//	                          without a record (a warning: listed)
//	completeness.objects      every object the journal records exists
//	completeness.index_counts records per status: index against store
//	usability.decode          JSON parses; attachments open as their type
//	usability.index           the index finds every archived record
//	security.plaintext        no contact phone, e-mail or decision-chain
//	                          text in clear in any object or index file
//	security.keyfile          the key file is 0600
//	security.access_log       the reads of the period are all attributed
//	security.untracked        no object that no journal entry records
//
// Fixity is the scheduled form of `visitarchive verify`: its RunOnce
// verifies the journal and every object through the Archive's
// ChainVerifier (storage/journal: there is one verifier), keeps the
// result as an object journaled as fixity.done, and updates its metrics
// (visitarchive_fixity_*), which serve exports on /metrics.
package audit
