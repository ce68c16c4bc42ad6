// Package extract gets the text out of attachments and scans, for the
// search index: the text layers of PDFs, OCR of images and of scanned
// pages in Chinese and English, and plain text. A hostile file cannot
// hang or exhaust the process that asks: every parser of PDF content runs
// in a child process under a time limit and an address-space limit.
//
// # API
//
//	x := &extract.Extractor{Exe: exe, Args: []string{extract.ChildCommand}}
//	res, err := x.Extract(ctx, "application/pdf", r, func(done, total int) {…})
//
// Exe is the visitarchive binary (os.Executable()); ChildCommand is its
// hidden subcommand "extract-child", whose body is ChildMain. Result holds
// the text of each page, the State (done, failed, unavailable), the
// Method (text-layer, pdftotext, ocr, plain) and a Reason a person can
// read: "text not extracted: the PDF's text layer did not finish within
// 60 s; pdftotext failed: Syntax Error: Couldn't read xref table". Extract
// returns an error only when ctx ends or this machine fails (a temporary
// file cannot be written); a file it cannot read is a Failed Result.
// Available says which tools are installed and, in Tools.Detail, what is
// off and why ("OCR is off: tesseract not found (Debian: …)"), for the
// detail of /readyz.
//
// # What each type goes through
//
// A PDF is spooled to an unnamed temporary file and each page goes
// through these steps until it has text that Judge finds Good:
//
//  1. the text layer, read with github.com/ledongthuc/pdf in the child.
//     Fonts are decoded through their ToUnicode maps where they have one
//     (the library reads those only for fonts without an Encoding, and
//     so misread every CJK font that Chromium embeds); radicals that
//     Chromium's maps give for glyphs shared with ideographs (⼾ for 户,
//     ⻓ for 长) are mapped back (radicals.go, made from Noto Sans CJK SC);
//  2. pdftotext -enc UTF-8 over the whole PDF (Debian poppler-utils),
//     which reads GBK-EUC-H and other CJK encodings without ToUnicode
//     maps, AES-256 with an empty password, and page trees that
//     ledongthuc/pdf cannot follow; when the text layer failed or found
//     no pages, poppler's page count is the count;
//  3. OCR: pdftoppm renders the page at 300 dpi, tesseract reads it
//     with chi_sim+eng.
//
// A page is Good when it holds at least 4 letters or digits and fewer
// than 5% of its characters that are not white space are bad: U+FFFD,
// control characters other than tab, line feed, carriage return and form
// feed, and private-use characters. That is what a glyph without a
// Unicode mapping turns into (GBK-EUC-H bytes taken for UTF-8 are half
// U+FFFD; two-byte glyph ids taken for bytes are mostly control
// characters), while real text has none or a stray one, which is then
// replaced by a space. Fewer than 4 letters or digits is a scanned page
// with a stamped number ("- 12 -"): on to the next step.
//
// The text of every page then goes through CleanHan, which removes the
// white space that OCR puts between Chinese characters and that line
// wrapping puts inside Chinese words ("数 据\n中心" is "数据中心"), keeping a
// blank line between paragraphs and every space next to other
// characters, so that English keeps its spaces.
//
// PNG, JPEG and TIFF images are streamed to tesseract (a multi-page TIFF
// gives a page each) once their first bytes show that they are one:
// tesseract takes any other input for a list of image files to read, one
// path a line, and a text file sent as an image would have it read
// images anywhere on this machine. text/plain is taken as it is when it is UTF-8; a
// charset parameter, a byte order mark (UTF-8, UTF-16, UTF-32) or, for
// text that is not UTF-8, a clean GB18030 decoding with Han characters
// chooses another encoding; otherwise invalid bytes become U+FFFD. Word,
// Excel and every other type are Unavailable: "no text extraction for
// this type". Without tesseract an image, and a PDF none of whose pages
// has text, is Unavailable: "OCR unavailable"; a PDF with some pages of
// text is Done, and Reason names the pages OCR could not read.
//
// # Limits
//
// Limits bound every process: Timeout (60 s) each, MemoryBytes (1 GiB)
// of address space each, MaxPages (500) and MaxBytes (200 MiB) for the
// file. Each process runs in a process group of its own, killed whole
// with SIGKILL at its time limit or when ctx ends; standard output is
// read into bounded buffers, and a file keeps at most 1 MiB of text a
// page and 32 MiB in all (Reason says what was left out), so that the
// parent's memory stays small whatever the file (the hostile tests check
// its heap). How the address space is limited, as measured on Linux, Go
// 1.26.8, 2 cores:
//
//   - The Go child limits itself. A Go program has mapped about 1.2 GB
//     (VmSize 1,227,184 kB) before main runs, nearly all of it
//     reservations without memory behind them (the heap arena index, the
//     page allocator's summaries). An RLIMIT_AS of 1,300 MiB let a Go
//     program allocate about 100 MB and one of 2 GiB about 800 MB before
//     "fatal error: out of memory"; a limit below 1.2 GB kills it at its
//     first allocation. So ChildMain reads its VmSize from
//     /proc/self/status and sets RLIMIT_AS (setrlimit, soft and hard) to
//     that plus MemoryBytes before it reads a byte of the PDF, sets the
//     runtime's soft limit (debug.SetMemoryLimit) to three quarters of
//     MemoryBytes so that the collector works hard before the hard limit,
//     and caps goroutine stacks at 64 MiB. prlimit from the parent would
//     need the same reading of /proc/PID/status, racing the child's start.
//   - A tool (pdftotext, pdftoppm, tesseract) gets RLIMIT_AS =
//     MemoryBytes through prlimit(2) on its pid right after it started,
//     while its standard input is an empty pipe: the parent writes the
//     file into the pipe only after the limit is set, so a tool has read
//     nothing of a hostile file before it is limited. (os/exec cannot set
//     a limit between fork and exec.)
//
// Measured on a PDF of 5 MB whose content stream inflates to a 4 GiB
// string, which ledongthuc/pdf reads whole: the child ended with "fatal
// error: out of memory" (exit status 2) after 1.2 s and 122 MB resident
// under a 256 MiB limit, after 8.5 s and 767 MB under 1 GiB; without a
// limit it was still running after 60 s at 8.0 GB resident. pdftotext on
// the same file under 1 GiB ended with std::bad_alloc (SIGABRT) after
// 11.3 s at 521 MB. A page tree whose Pages node lists itself sends
// ledongthuc/pdf round a loop that allocates nothing (23 MB resident
// after 60 s), which the time limit ends; pdftotext sees "Loop in Pages
// tree" in 10 ms and reads the page the tree also holds. Tesseract needs
// 200 to 300 MiB for a letter page at 300 dpi (at 200 MiB it crashed, at
// 150 MiB Leptonica said "pixdata_malloc fail"). A process that runs out
// of memory says so in many ways (the Go runtime, poppler's "Out of
// memory", std::bad_alloc, Leptonica's malloc failures); the first and
// last 2 KB of its standard error are read for them, and the Reason says
// "… needed more than 1 GiB of memory".
//
// A PDF that fails the text layer for time or memory goes on to
// pdftotext, which is faster and sturdier; if pdftotext fails too the PDF
// fails, without OCR, since pdftoppm parses it the same way. So a hostile
// PDF costs at most 2·Timeout; a PDF of N pages that all need OCR up to
// (2+2N)·Timeout, each step stopped at its own limit. How many
// extractions run at once is the caller's choice (a worker pool);
// tesseract runs with OMP_THREAD_LIMIT=1, since on two shared cores its
// own threads made it three times slower (see Speed).
//
// # Secrecy
//
// Content reaches the child on its standard input and the tools through
// pipes; results come back on standard output. A PDF, needed by several
// steps, is spooled to a file created in a fresh directory of mode 0700
// under Extractor.TempDir (os.TempDir() by default, which must not be
// under the archive's data directory) and unlinked, with its directory,
// before a byte is written: only the open descriptor refers to it, and
// nothing is left when the process dies; a TempDir on a tmpfs (/dev/shm)
// keeps the bytes off disk altogether. Rendered pages pass through
// memory. The child and the tools run as the server's user: a parser
// that a hostile file takes over has that user's rights, which only a
// sandbox (namespaces, seccomp) would take away. TestNothingLeftOnDisk checks the directory during and after.
//
// # Speed
//
// TestSpeed, run with -speed N, extracts each file with Extract and with
// the bare tool, alternating in each of N rounds so that both meet the
// same load on a shared machine, and logs the median time of each:
//
//	go test ./index/extract/ -run TestSpeed -v -speed 10
//
// The files: testdata/bilingual.pdf (2 pages) and a 100-page text-layer
// PDF printed by Chromium from the same HTML, against pdftotext -enc
// UTF-8; testdata/paragraph.png (1800×600, Chinese and English) against
// tesseract with one thread, as Extract runs it, and with its own
// threads; and a scanned PDF of that image (200 dpi, gray, no text
// layer) against pdftoppm -r 300 and tesseract. Extract's figures include
// starting the child and the tools, spooling, and the steps that find
// nothing (a scanned PDF runs the text layer and pdftotext before OCR).
// Measured with 10 rounds on 2 cores shared with other work (load average
// 4 to 6), in pages per second (and seconds a file):
//
//	file                                   Extract          bare tool
//	text layer, 2 pages                    153 (0.013 s)    116 (0.017 s)  pdftotext
//	text layer, 100 pages                  259 (0.386 s)    265 (0.378 s)  pdftotext
//	OCR, PNG                               1.46 (0.684 s)   1.46 (0.685 s) tesseract, 1 thread
//	OCR, PNG                               1.46 (0.684 s)   0.43 (2.321 s) tesseract, own threads
//	OCR, scanned PDF                       0.84 (1.193 s)   0.87 (1.148 s) pdftoppm + tesseract
//
// The text layer reads as fast as pdftotext (ledongthuc/pdf costs about
// as much as poppler; the child starts in a few milliseconds, and a
// small PDF is read faster than pdftotext starts). OCR costs what
// tesseract costs: Extract adds nothing measurable to a page of about
// 0.7 s. A scanned PDF's page takes about 1.2 s either way: rendering at
// 300 dpi and reading the larger image add about 0.5 s to the PNG's,
// the text layer and pdftotext that find nothing a few milliseconds.
// Tesseract's own OpenMP threads made it three times slower on the
// shared cores. The tests' child is ChildMain alone; the server's child,
// the whole visitarchive binary, starts in 20 ms instead of 10 (27 MB
// resident instead of 7), once for each PDF.
//
// # Files
//
//	doc.go         this description
//	extract.go     Extractor, Limits, Result, Extract; plain text; spooling
//	pdf.go         the steps of a PDF and their Result
//	child.go       ChildMain: the child, its limits and its output
//	textlayer.go   a page's text through ledongthuc/pdf
//	cmap.go        ToUnicode maps
//	radicals.go    radicals to ideographs (generated by testdata/radicalgen)
//	ocr.go         pdftoppm and tesseract; images
//	run.go         running a limited process; failures and their reasons
//	text.go        Judge, CleanHan, decoding plain text
//	tools.go       Available: the tools and what is off
//	archive.go     ForArchive: the Extractor as the Archive's TextExtractor
//	internal/extractchild   ChildMain as a program of its own, for the tests
//
// The tests build internal/extractchild, ChildMain alone, without the
// race detector, and run it as the child on real files: testdata holds
// Chromium's print and screenshot of the HTML files beside them
// (TestMakeTestdata -update makes them again); scanned, GBK and hostile
// PDFs are written by the tests (buildPDF). When a tool is missing the
// tests skip, and fail when CI is set.
package extract
