// Package scan makes the cover sheets of records and splits scanned
// batches at them.
//
// A cover sheet is one printed A4 page per record (WriteCover) with the
// record's id, customer, visit date, reference code (档号), department
// and visitor as text, and a large QR code of Payload(id) at the highest
// error correction, which a scan at 150 to 300 dpi decodes. The
// administration staff put each record's sheet in front of its paper
// form and scan the pile in one go; SplitPDF (one PDF) or SplitImages (a
// folder of page images, see ImageFiles) finds the sheets again and cuts
// the batch into parts:
//
//	page 1     a form page          part: no record; inbox, "pages before the first cover sheet"
//	page 2     cover sheet of R1
//	pages 3–4  form pages           part: R1, pages 3 and 4; filed
//	page 5     cover sheet of R9
//	page 6     a form page          part: R9, page 6; inbox, "cover sheet names record R9,
//	                                which does not exist" (Options.Exists said so)
//	page 7     cover sheet of R2
//	page 8     a form page          part: R2, page 8; filed
//
// The caller files each part whose Reason is empty to its Record and
// puts the others into the scan inbox with their Reason (Part.Inbox), a
// visitarchive.Message that the edges translate. Whether a record exists
// is the caller's to say (Options.Exists, or a check of each part's
// Record afterwards); the cover sheet itself is in no part: a part is
// the form pages only. A page with something like a QR code that
// cannot be read starts a part of its own for the inbox rather than
// letting its pages join the record before it: a torn cover sheet must
// not file a form to the wrong record.
//
// # QR payload
//
// "visitarchive:v1:record:" followed by the record id. ParseQR takes
// nothing else: another QR code on a form is no cover sheet.
//
// # Serving the cover sheet
//
// WriteCover writes a whole page, not a template inside the site's
// layout: the sheet is for printing. Under the pages' Content-Security-Policy
// (no inline style, images only from 'self') the server answers
// three URLs: the page (WriteCover with CoverOptions.QRURL and
// StylesheetURL set), the PNG (QRPNG(id, DefaultQRSize), image/png)
// and the style sheet (CoverCSS, text/css). Without those options the
// page is one self-contained file, with the style inline and the PNG as
// a data: URI, for a folder of sheets to print from the command line.
//
// # Scanned pages are secret
//
// A scanned form shows a contact's phone number in plain sight. SplitPDF
// keeps its files (the copy of the batch, the parts' PDFs) in a private
// folder (os.MkdirTemp, mode 0700) under Options.TempDir, never in the
// archive's data folder, and Batch.Close removes it; pages are rendered
// to memory, not to files. SplitImages writes nothing.
//
// # Limits
//
// A batch comes from outside and may be hostile or huge. The poppler
// tools (pdfinfo, pdftoppm, pdfseparate, pdfunite; Debian poppler-utils)
// run with a time limit per run and, with prlimit(1), an address-space
// limit; a page renders into an A4-sized square at most; a batch has at
// most Options.MaxPages pages and a PDF at most Options.MaxBytes; more
// than three pages that cannot be rendered end the split. Each page is
// reported to Options.Progress.
//
// # Files
//
//	payload.go  the QR code's text (Payload, ParseQR) and its PNG (QRPNG)
//	cover.go    CoverSheet, WriteCover, CoverCSS; cover.html, cover.css
//	split.go    Options, Batch, Part; reading pages, cutting at cover sheets
//	pdf.go      SplitPDF: poppler's tools on a copy in a private folder
//	images.go   SplitImages and ImageFiles: folders of page images
//	decode.go   finding a cover sheet's QR code on a page image (gozxing)
//	pgm.go      the gray images that pdftoppm writes
//	tools.go    running a tool under a time and memory limit
//	splitter.go Splitter: the visitarchive.ScanSplitter of the Archive
package scan
