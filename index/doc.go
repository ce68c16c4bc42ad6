// Package index is the full-text and facet index of visit records, on
// Bleve (scorch, on disk). It is a projection of the store: it records the
// last journal sequence it applied, and it can always be deleted and
// rebuilt from the store.
//
// # Shards
//
// The records are split over two Bleve indexes (shards) and searched
// together through a Bleve index alias, which merges hits, totals and
// facets exactly: one search, and one bulk Apply, then use both cores.
// Shard 0 is the index directory itself and also keeps the schema version
// and the last sequence applied; shard 1 is its subdirectory shard1.
// Apply writes every shard's batch at once and records the sequence last,
// so that a crash in between leaves the sequence behind and the entries
// are applied again. Against one index on the same corpus of 100,000
// records (Bleve alone, 2 cores), two shards indexed 19% faster, cut the
// search p95 from 275 to 185 ms and the peak memory from 842 to 685 MB.
//
// A record stays in the shard that first took it: replacing it is one
// change of one shard, which a search sees whole. A new record goes, in
// an Apply of many documents (an import, a rebuild), to the shard a hash
// of its ID names; in one of a few (up to groupDocs: a group of
// interactive writes), to the shard of the group, the shards taking
// turns, because Bleve's cost per batch is mostly fixed, whatever its
// size. Apply looks each record up in the shards to find it, and deletes
// a deleted record from both.
//
// # Documents
//
// One Bleve document per visit record; the document ID is the record ID.
// Document builds it from a visitarchive.IndexDoc. The mapping (NewMapping)
// is static: no dynamic fields, nothing copied into _all, so every query
// names its field. SchemaVersion names the mapping below; an index written
// under another version is deleted and recreated by Open, which logs
// "index schema changed; rebuilding" with the old and new versions.
//
//	field               kind       analyzer           store  term vectors  doc values
//	text                text       visitarchive_text  yes    yes           no
//	grams               text       visitarchive_grams no     no            no
//	files               text       visitarchive_text  no     yes           no   (one value per page)
//	files_grams         text       visitarchive_grams no     no            no   (one value per page)
//	customer_id         keyword    keyword            yes    no            yes
//	customer_type       keyword    keyword            no     no            yes
//	business_area       keyword    keyword            no     no            yes
//	country             keyword    keyword            no     no            yes
//	department          keyword    keyword            no     no            yes
//	visitors            keyword    keyword            no     no            yes  (one value per visitor)
//	status              keyword    keyword            no     no            yes
//	cooperation_intent  keyword    keyword            no     no            yes
//	plan_id             keyword    keyword            no     no            yes
//	created_by          keyword    keyword            no     no            yes
//	late                keyword    keyword            no     no            yes  ("true" or "false")
//	reviewer            keyword    keyword            no     no            yes
//	reference_code      keyword    keyword            no     no            yes
//	retention           keyword    keyword            no     no            yes
//	blind               keyword    keyword            no     no            no   (one value per hash)
//	customer_name       keyword    keyword            yes    no            no
//	visit_start         datetime   -                  no     no            yes
//	open_due            datetime   -                  no     no            yes  (drafts only)
//	retain_until        datetime   -                  no     no            yes  (archived, not Y)
//	visit_start_text    stored     (not indexed)      yes    no            no
//	topic               stored     (not indexed)      yes    no            no
//
// Why each choice:
//
//   - text is the record's free text, Record.Text() one field a line, plus
//     the customer's current name when it differs from the name on the
//     record. Contact details and the decision chain are not in Text() and
//     so never reach the index. Full-width letters and digits (ＬＸ３０２１Ｂ)
//     are folded to ASCII first, because the tokenizer drops full-width
//     digits. It is, with grams, the only searched field: customer names,
//     topics and model numbers are all found through it. Term vectors hold the positions that phrase
//     queries need (without them a phrase silently matches nothing) and
//     the offsets the highlighter marks; the highlighter also reads the
//     stored text. No doc values: text is never sorted or faceted, and they
//     would make the index half as large again.
//   - grams is the same text again, analysed by visitarchive_grams: every
//     run of three and of four Han characters that stand together in the
//     text is one term (visitarchive_han_grams), and so is every pair of
//     other tokens with no token between them, as "first second" (T/T is
//     "t t", LX-3021B "lx 3021b"; schema 6), and nothing else. A Chinese
//     word of that length, or two words side by side, is then one term
//     query, not a phrase whose positions are read for each record that
//     has all of its tokens: on 100,000 records the phrases were half of
//     all search time, and T/T alone, a phrase of the term t, took 85 ms.
//     Only postings are kept (no positions, no stored value); even so it
//     is about as large as text's term vectors. At 100,000 records it made
//     the index a third larger (735 to 994 MB) and indexing half as fast,
//     and took the search p95 from 131 to 26 ms.
//   - files and files_grams are the text extracted from the record's
//     attachments (IndexDoc.Files: the text of scanned forms, PDFs and
//     images, phone numbers and e-mail addresses taken out by the Archive,
//     their blind hashes in blind), analysed as text and grams are, one
//     value per page, so that no phrase or pair of words spans two pages
//     (Bleve matches a phrase within one value). files keeps the positions
//     that phrase queries need; neither is stored, so that the text of a
//     file never sits in the index in clear: only its terms do, single
//     words, bigrams and runs of up to four Han characters, never a longer
//     run or words in a row. Nothing highlights them: a hit's fragment of
//     a file is built at query time from the sealed text by Mark. The
//     Archive indexes at most 2 MiB of a record's files, and Apply puts at
//     most MaxBatchText of it in one batch.
//   - The keyword fields are exact, case-sensitive values, for filters
//     (term queries) and facets (which read doc values). customer_type,
//     business_area and country come from the customer (IndexDoc.Customer)
//     and are absent when it is unknown; empty values are left out so that
//     no facet counts "". customer_id is stored because every hit shows it.
//   - created_by is the record's owner (Record.CreatedBy), for the Owner
//     of a scope clause (see Queries); it is not a facet.
//   - plan_id is the visit plan the record carries out (Record.PlanID),
//     for the PlanID filter and PlansWithRecords; it is not a facet.
//   - The workflow fields: late is Record.Late as "true" or "false" on
//     every record that has been submitted, and absent on one that never
//     was (neither on time nor late yet; open_due tells whether it is
//     overdue). reviewer is
//     the supervisor who approved (Record.Reviewer); reference_code (档号)
//     and retention (保管期限, D10 D30 Y) come from archiving. late,
//     reviewer and retention are facets; reference_code is only a filter:
//     every archived record has its own.
//   - blind holds IndexDoc.Blind, the keyed hashes of sensitive values as
//     "field:hash" (contact_phone:3f9a…), so that a record is found by an
//     exact phone number or e-mail address that is itself never indexed.
//     Only term filters read it: it is not stored, has no term vectors or
//     doc values, is not in the text and so never in a highlight, and is
//     not a facet. Each copy of a hash would be one more place to test a
//     guess against.
//   - visit_start is a date for [from, to) ranges and for sorting (doc
//     values). A stored date comes back in UTC, so visit_start_text keeps
//     the RFC 3339 text with the visitor's offset for hits.
//   - open_due is Record.DueAt while the record is a draft (never
//     submitted) and has a due time, and absent otherwise. Whether a
//     record is overdue depends on when one asks, so the index keeps the
//     open deadline and each query compares it with SearchQuery.Now: a
//     range on open_due before Now is exactly the drafts past due. A
//     submitted or returned record has no open_due and is never overdue,
//     however late it came (late says that). Its doc values serve the
//     overdue facet.
//   - retain_until is IndexDoc.RetainUntil: when an archived record falls
//     due for appraisal (visitarchive's disposition.go), absent for a
//     record not archived or kept permanently (Y). retention is the
//     period in force (IndexDoc.Retention, which an approved appraisal or
//     a longer schedule may have lengthened), not only the one archiving
//     gave. Like open_due, the index keeps the date and each query
//     compares it with SearchQuery.Now: Due is a range on retain_until at
//     or before Now (a record due exactly at Now is due); RetainFrom and
//     RetainTo a range [from, to). Its doc values serve the due facet
//     (visitarchive.FacetDue, reported as the overdue facet is, whenever
//     Now is set). An Archive journals a retention change or a new
//     schedule, and indexes the records whose retain_until it moves.
//   - customer_name is the name on the record (the customer's when the
//     record has none), stored for hits and a keyword for the exact
//     CustomerName filter; its words are found through text. topic is
//     stored only: hits show it, and searching it goes through text.
//
// # Analysis
//
// visitarchive_text: the unicode tokenizer (Unicode word boundaries, each
// Han character its own token), then cjk_width (half-width kana), to_lower,
// visitarchive_possessive, cjk_bigram, and visitarchive_han_gap.
//
//   - cjk_bigram turns a run of Han characters into overlapping bigrams:
//     数据中心 is 数据 据中 中心. A lone Han character stays a unigram. Latin
//     words, numbers and model numbers pass through whole: LX-3021B is the
//     two tokens lx and 3021b, ISO9001 is one token iso9001.
//   - visitarchive_han_gap leaves a position empty between two Han tokens
//     that do not overlap in the text. cjk_bigram numbers bigrams across a
//     break in a run, so without the gap "大数据。据中心" holds the phrase
//     数据 据中 中心 and would match the query 数据中心.
//   - visitarchive_possessive drops a final 's or ’s, which the tokenizer
//     keeps on the word: "Müller's" is found by Müller, "the customer's"
//     by customer. Other apostrophes stay: O'Brien is one word.
//   - No stop words: "IT", "A" and "ON" are department names, grades and
//     model-number parts, and a stop list would drop them from queries (a
//     query of only "IT" would match everything).
//   - No stemming: Porter maps general, generator and generation to one
//     stem, and organic to the stem of organization; a search for
//     "generator" must not find General Machinery. Singular and plural are
//     therefore different words (battery, batteries).
//
// visitarchive_grams: the same tokenizer and filters up to cjk_bigram,
// then visitarchive_han_grams, which gives the runs of three and four Han
// characters and the pairs of other tokens described under grams above.
//
// # Queries
//
// Query builds the Bleve query of a visitarchive.SearchQuery; Request adds
// paging, sort, stored fields, facets and highlighting: one plain Bleve
// request that answers as Search does (see Searching). The text is cut into terms at white space ("quoted phrases" stay
// whole); all terms must match. Each term is analysed like the text, and
// each stretch of its tokens at consecutive positions is a phrase: a run
// of Han characters matches only where those characters stand together
// (数据中心 does not match 中心数据 or 数据…中心), and a model number only
// where its parts stand together (LX-3021B does not match a record with
// LX-1000 and 3021B). Searching 3021B alone finds LX-3021B: it is a word
// of it. A model number written another way (LX3021B, ISO 9001) is another
// token and is not found by LX-3021B or ISO9001. A single Han character
// matches every record containing it, through a regular expression over
// the terms that contain it (its bigrams, or itself when it stood alone).
// A run of three or four Han characters is the one term of grams that
// equals it, which the same records hold; a longer run is its phrase
// ANDed with the grams that cover it, so that Bleve reads positions only
// in the records that hold every one of them. Likewise two other tokens
// side by side (LX-3021B, T/T, "Müller Logistics") are the one pair of
// grams, and three or more their phrase ANDed with their pairs.
//
// Each term matches in the record's text or in its files' text: its
// clauses on text and grams, or the same clauses on files and
// files_grams (a disjunction of the two conjunctions). A query of two
// terms may thus find one in the form and one in a scanned page. The
// disjunction costs bookkeeping for every hit: on the benchmark's 20,000
// records a two-word English term of 2,000 hits took about twice as long,
// a Chinese word of 7,000 hits a tenth longer (2 shared cores, noisy).
// So Search adds the files side only once the index holds text of files
// (Open looks for terms of files in each shard; Apply notes a document
// with files); Query and Request always add it.
//
// Filters are term queries on the keyword fields (CustomerName,
// Reviewer, ReferenceCode, Retention, Late and PlanID among them), one
// term on blind for each of SearchQuery.Blind (all must match; an empty
// value matches nothing), a range on visit_start, for Overdue a range on
// open_due strictly before SearchQuery.Now (a draft due exactly at Now is
// not overdue yet; Query given Overdue without Now, which Normalize
// refuses, matches nothing), and the scope; they narrow the matches
// without changing scores.
//
// The scope (SearchQuery.Scope) is the caller's permission as a filter,
// so that a search never checks hits one by one and hits, totals, facets
// and highlights all come from records the caller may read. For every
// record r it matches exactly when Scope.Match(RecordResource(r)) holds:
// nil or All adds no filter; no clauses matches nothing; otherwise it is
// the disjunction of the clauses, each the conjunction of a term on
// department for one of Departments, on created_by for Owner, on visitors
// for Participant, and on status for one of Statuses, leaving out the
// fields the clause leaves empty (nil lists). An empty, non-nil list
// matches nothing, and "" in Departments or Statuses matches the records
// without that field, as Match has them.
//
// Sorts: relevance (score, then ID), visit_start and -visit_start (then ID).
// Facets count up to 50 values of each of visitarchive.FacetFields, each
// an empty list when no match has a value. When SearchQuery.Now is set,
// the facet visitarchive.FacetOverdue counts the matches whose open_due
// is before Now, a date-range facet reported as [{"value":"true",
// "count":N}], or [] when N is 0, so that clients always see it; without
// Now it is left out. NoFacets skips them all.
//
// PlansWithRecords asks, for up to 1,000 plan ids per query, which occur
// in plan_id: a disjunction of terms on plan_id that counts no hits but
// facets plan_id with one slot per id asked, so the answer is one walk
// of the matching documents, not a look at each. It takes no scope.
// Highlights are HTML fragments of the text with <mark> around matches;
// overlapping bigrams and the parts of a model number are one mark. A
// hit found only through its files has no fragment of text (Bleve's
// unmarked one is left out).
//
// Mark (mark.go) finds the words of a query in pages of text that the
// index does not hold, the sealed text of a hit's files that the Archive
// reads at query time: each run of tokens where it stands together, a
// lone Han character in any term that holds it, as the query matches
// files. It returns the page holding the most of them and a fragment of
// it, from a little before the first match, marked as highlights are.
//
// # Searching
//
// Search runs in two passes (collect.go). First each shard runs the query
// with Bleve's own searcher, which only scores: a collector of ours,
// handed to Bleve through the search context, takes every match, counts
// the facets and keeps the hits up to the end of the page in the asked
// order. It reads each match's values from tables (tables.go) that hold,
// for each segment of the shard, the facet values, visit_start and
// open_due of every document, decoded from the doc values once, and its
// record ID, read from the terms of _id (not from the stored fields, which
// would map the whole stored text into memory): a segment never changes, and the table is built when a search first meets
// the segment, or in the background once writes pause for two seconds,
// and dropped when a merge has replaced the segment. Bleve's own facets
// decode every field's doc values again on every search, which was half
// of the search time at 100,000 records. Then the page's hits, a handful
// of documents, are fetched through the alias with their stored fields
// and highlights: the text query again, with every Han word as a phrase
// on text (which has the positions to mark), ANDed with their IDs. Just
// before, SearchQuery.OnPage gets the IDs, so that the Archive writes its
// access-log entry while this second pass runs.
//
// Searches go before small writes: an Apply of a few documents (a group
// of interactive writes) waits until no search has run for 2 ms, up to
// 200 ms (yield.go), so that people writing at full speed do not keep a
// search waiting for the cores.
//
// TestSearchAnswersAsBleveDoes holds Search to Request: the same totals,
// hits in the same order with the same scores, and the same facets. Where
// they differ, Search is right: the alias merges each shard's 50 most
// frequent values of a facet, where Search counts every value, and
// Bleve does not mark the words matched through grams, which Search does.
// TestSearchAgreesWithScan holds Search to a plain scan of the text, on
// generated corpora whose Chinese runs share nearly every character pair:
// a Chinese word as a substring, words and model numbers as whole words
// in a row.
//
// # Memory
//
// Analysing a record makes about 150 KB of garbage (the tokens and
// positions of text and grams), and Bleve analyses a whole batch before it
// builds the batch's segment, so its memory grows with the batch: Apply
// hands each shard at most MaxBatch changes at a time. Merges add their
// own. At 100,000 records a rebuild holds up to about 360 MB live for
// moments, and with Go's default pacing the heap then grows to twice that;
// every visitarchive command first sets a soft limit of the heap
// (cmd/internal/memlimit), under which the collector works harder instead.
// The rest of a process's resident memory is Bleve's memory-mapped segment
// files: the pages a search or a merge has read.
//
// Bleve sizes the buffer of each new segment for a hundred records more
// than its batch, which for a group of a few interactive writes is a
// hundred times too much and was most of a writing server's garbage;
// Open makes it size them by the batch (segbuf.go).
//
// Each Apply is also counted on /metrics (metrics.go): the records it held
// (visitarchive_index_apply_documents, the size of a group of writes that
// arrived together) and its time.
//
// # Internal keys
//
// Bleve keeps two values beside the documents: visitarchive_schema_version
// (decimal text) and visitarchive_last_seq (8 bytes, big-endian). The last
// sequence is written in the same batch as the documents it covers.
package index
