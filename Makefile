# visitarchive: `make run` starts the server on its embedded defaults,
# `make test` runs every test (building the MinIO test server first),
# `make bench` runs the benchmark harness.

# The MinIO server the storage tests run against: built from a pinned
# version into ./bin the first time (5 to 15 minutes), reused after.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c

.PHONY: run test build vet

run:
	go run ./cmd/visitarchive serve --data ./data

build:
	CGO_ENABLED=0 go build -o bin/visitarchive ./cmd/visitarchive

vet:
	gofmt -l . | (! grep .) || (echo "gofmt: the files above are not formatted" && exit 1)
	go vet ./...

test: bin/minio vet
	go test -race -timeout 30m ./...

bin/minio:
	GOBIN=$(CURDIR)/bin CGO_ENABLED=0 go install github.com/minio/minio@$(MINIO_VERSION)
