# visitarchive: `make run` starts the server on its embedded defaults,
# `make test` runs every test (building the MinIO test server first),
# `make bench` runs the benchmark harness.

# The MinIO server the storage tests run against: built from a pinned
# version into ./bin the first time (5 to 15 minutes), reused after.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c

.PHONY: run test build vet chromium tools

# The first run creates the key file of the encrypted fields under ./data
# (keep a copy elsewhere) and prints the first administrator's password.
run: build
	@test -f data/keyring.json || ./bin/visitarchive keys init --data ./data
	./bin/visitarchive serve --data ./data

build:
	CGO_ENABLED=0 go build -o bin/visitarchive ./cmd/visitarchive

vet:
	gofmt -l . | (! grep .) || (echo "gofmt: the files above are not formatted" && exit 1)
	go vet ./...

test: bin/minio chromium tools vet
	go test -race -timeout 30m ./...

# The browser tests of the pages (server/web) drive Debian's chromium,
# headless, with the CJK fonts for their screenshots. Nothing to do when
# chromium is there; as root (CI) it is installed; anyone else is told how,
# and the browser tests skip (they fail when CI is set).
chromium:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y chromium fonts-noto-cjk; \
	else \
		echo "make: the browser tests need chromium: sudo apt-get install chromium fonts-noto-cjk" >&2; \
		echo "make: (or set VISITARCHIVE_CHROMIUM to a Chromium binary); without it they skip, and fail when CI is set" >&2; \
		if [ -n "$$CI" ]; then exit 1; fi; \
	fi

# Text extraction and scans (index/extract, scan) run poppler's pdftotext,
# pdftoppm, pdfseparate and pdfunite and tesseract with its Chinese and
# English models; their tests need them. Installed as root when missing;
# anyone else is told how, and those tests skip (they fail when CI is set).
TOOLS_PACKAGES := poppler-utils tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng fonts-noto-cjk
tools:
	@if command -v pdftotext >/dev/null 2>&1 && command -v pdfunite >/dev/null 2>&1 && \
		command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y $(TOOLS_PACKAGES); \
	else \
		echo "make: extraction and scan tests need: sudo apt-get install $(TOOLS_PACKAGES)" >&2; \
		if [ -n "$$CI" ]; then exit 1; fi; \
	fi

bin/minio:
	GOBIN=$(CURDIR)/bin CGO_ENABLED=0 go install github.com/minio/minio@$(MINIO_VERSION)

# The benchmark harness (not part of `make test`): import, search, reindex
# and memory against the budgets of issue 2 at 100,000 records, on disk and
# on MinIO, beside Bleve alone and the import into MinIO without our
# layers (the floor), and records created through the API by 1, 8 and 32
# clients (the write step). About an hour on 2 cores; the report is
# bench-out/report.md, the raw figures bench-out/results.json.
.PHONY: bench
bench: bin/minio
	go run ./cmd/visitarchive-bench -n 100000 -out bench-out
