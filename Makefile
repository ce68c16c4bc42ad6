# The MinIO server the storage tests run against: built from a pinned
# version into ./bin the first time (about 15 minutes), reused after.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c

bin/minio:
	GOBIN=$(CURDIR)/bin CGO_ENABLED=0 go install github.com/minio/minio@$(MINIO_VERSION)
