package extract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/ledongthuc/pdf"
)

// ChildCommand is the hidden subcommand of the visitarchive binary that
// runs ChildMain; Extractor.Args names it.
const ChildCommand = "extract-child"

// childMaxStack bounds the child's goroutine stacks, so that a PDF whose
// objects nest without end ends the child at once instead of after a
// gigabyte of stack.
const childMaxStack = 64 << 20

// A childMsg is one line of the child's output: JSON, one object a line.
//
//	{"k":"start","pages":N,"claimed":C}  N pages follow; the PDF claims C
//	{"k":"page","page":I,"text":"…"}     the text layer of page I (1-based)
//	{"k":"page","page":I,"error":"…"}    page I could not be read
//	{"k":"end","pages":N}                the last page was N
//	{"k":"error","error":"…"}            the PDF could not be read
type childMsg struct {
	Kind    string `json:"k"`
	Pages   int    `json:"pages,omitempty"`
	Claimed int    `json:"claimed,omitempty"`
	Page    int    `json:"page,omitempty"`
	Text    string `json:"text,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ChildMain is the body of the hidden subcommand: it reads the text layer
// of the PDF on its standard input with ledongthuc/pdf and writes each
// page to its standard output as it goes (one JSON object a line). Before
// it reads a byte it limits its own address space to what it has mapped
// so far plus -memory bytes, and sets the Go runtime's soft memory limit
// to three quarters of that, so that a hostile PDF ends the child with
// "fatal error: out of memory" instead of taking the machine's memory.
// It returns the exit code: 0 when it wrote its output, 2 for bad usage.
//
//	visitarchive extract-child [-memory BYTES] [-pages N] pdf
func ChildMain(args []string) int {
	return childMain(args, os.Stdin, os.Stdout, os.Stderr)
}

func childMain(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(ChildCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	memory := fs.Uint64("memory", DefaultLimits.MemoryBytes, "address space the child may add, in bytes")
	pages := fs.Int("pages", DefaultLimits.MaxPages, "the most pages to read")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || fs.Arg(0) != "pdf" {
		fmt.Fprintf(stderr, "usage: %s [-memory BYTES] [-pages N] pdf < FILE.pdf\n", ChildCommand)
		return 2
	}
	if err := limitAddressSpace(*memory); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", ChildCommand, err)
		return 1
	}
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	emit := func(m childMsg) {
		enc.Encode(m)
		out.Flush()
	}
	readPDF(stdin, *pages, emit)
	return 0
}

// limitAddressSpace sets RLIMIT_AS to the address space mapped now plus
// extra. A Go program has mapped about 1.2 GB before main runs, nearly all
// of it reservations without memory behind them (the heap arena index and
// the page allocator's summaries), and a limit below that kills it at its
// next allocation: so the limit is relative.
func limitAddressSpace(extra uint64) error {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	now, err := statusKB(status, "VmSize:")
	if err != nil {
		return err
	}
	limit := now<<10 + extra
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		return fmt.Errorf("limit the address space: %w", err)
	}
	debug.SetMemoryLimit(int64(extra / 4 * 3))
	debug.SetMaxStack(childMaxStack)
	return nil
}

// statusKB reads a field of /proc/self/status, in kB.
func statusKB(status []byte, field string) (uint64, error) {
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte(field)); ok {
			f := strings.Fields(string(rest))
			if len(f) > 0 {
				return strconv.ParseUint(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}

// readPDF emits the text layer of the PDF in f, page by page, up to
// maxPages pages. It stops at the first page the page tree does not hold,
// so that a PDF claiming a million pages and holding one gives one.
func readPDF(f *os.File, maxPages int, emit func(childMsg)) {
	defer func() {
		if r := recover(); r != nil {
			emit(childMsg{Kind: "error", Error: fmt.Sprintf("the PDF reader stopped: %v", r)})
		}
	}()
	ra, size, err := readerAt(f)
	if err != nil {
		emit(childMsg{Kind: "error", Error: err.Error()})
		return
	}
	r, err := pdf.NewReader(ra, size)
	if err != nil {
		emit(childMsg{Kind: "error", Error: err.Error()})
		return
	}
	claimed := r.NumPage()
	n := max(min(claimed, maxPages), 0)
	emit(childMsg{Kind: "start", Pages: n, Claimed: claimed})
	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			emit(childMsg{Kind: "end", Pages: i - 1})
			return
		}
		text, err := pageText(p)
		m := childMsg{Kind: "page", Page: i, Text: text}
		if err != nil {
			m.Error = err.Error()
		}
		emit(m)
	}
	emit(childMsg{Kind: "end", Pages: n})
}

// readerAt returns f itself when it is a file that can be read at any
// offset (the spooled PDF), and otherwise its bytes, read whole.
func readerAt(f *os.File) (io.ReaderAt, int64, error) {
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		return f, st.Size(), nil
	}
	b, err := io.ReadAll(f)
	return bytes.NewReader(b), int64(len(b)), err
}
