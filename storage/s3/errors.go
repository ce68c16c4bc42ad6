package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/minio/minio-go/v7"
	"github.com/visitarchive/visitarchive"
)

// errExists stands for the answer to a conditional write over an existing
// key, when Put learns of it before writing.
var errExists = minio.ErrorResponse{Code: "PreconditionFailed", StatusCode: 412}

// translate gives an error from minio-go its visitarchive kind. It looks
// at the S3 error code and HTTP status with errors.As, never at message
// text.
func translate(op, key string, err error) error {
	var e *visitarchive.Error
	var resp minio.ErrorResponse
	var netErr net.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.As(err, &resp):
		return fromResponse(op, key, resp, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return visitarchive.E(op, visitarchive.Unavailable, err, "storage request ended early")
	case errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF):
		return visitarchive.E(op, visitarchive.Unavailable, err, "storage is unreachable")
	default:
		return visitarchive.E(op, visitarchive.Internal, err, "storage failed")
	}
}

func fromResponse(op, key string, resp minio.ErrorResponse, err error) error {
	if key != "" {
		err = fmt.Errorf("%s: %w", key, err)
	}
	switch {
	case resp.Code == "NoSuchBucket":
		return visitarchive.E(op, visitarchive.Unavailable, err, "storage bucket %s does not exist", resp.BucketName)
	case resp.Code == "NoSuchKey" || resp.StatusCode == 404:
		return visitarchive.E(op, visitarchive.NotFound, err, "no object %s", key)
	case resp.Code == "PreconditionFailed" || resp.StatusCode == 412:
		return visitarchive.E(op, visitarchive.Conflict, err, "object %s already exists", key)
	case resp.Code == "EntityTooLarge":
		return visitarchive.E(op, visitarchive.TooLarge, err, "object %s is too large for storage", key)
	case resp.StatusCode == 401 || resp.StatusCode == 403:
		// Our own credentials were refused: a set-up fault, not the caller's.
		return visitarchive.E(op, visitarchive.Unavailable, err, "storage refused access")
	case resp.StatusCode >= 500 || resp.Code == "SlowDown" || resp.Code == "RequestTimeout":
		return visitarchive.E(op, visitarchive.Unavailable, err, "storage is unavailable")
	default:
		return visitarchive.E(op, visitarchive.Internal, err, "storage failed")
	}
}

// deleteError is translate for Delete, where a refusal means the object is
// locked: S3 answers AccessDenied, MinIO InvalidRequest ("Object is WORM
// protected").
func deleteError(op, key string, err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (resp.Code == "AccessDenied" || resp.Code == "InvalidRequest") {
		return visitarchive.E(op, visitarchive.Forbidden, fmt.Errorf("%s: %w", key, err),
			"object %s is locked and cannot be deleted", key)
	}
	return translate(op, key, err)
}
