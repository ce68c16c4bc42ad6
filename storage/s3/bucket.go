package s3

import (
	"context"
	"errors"

	"github.com/minio/minio-go/v7"
	"github.com/visitarchive/visitarchive"
)

// ensureBucket checks that the bucket exists, creating it when allowed,
// and that it has object lock when cfg asks for it.
func (s *Store) ensureBucket(ctx context.Context, cfg Config) error {
	const op = "s3.open"
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return translate(op, "", err)
	}
	if !ok && !cfg.CreateBucket {
		return visitarchive.E(op, visitarchive.Unavailable, nil, "storage bucket %s does not exist", s.bucket)
	}
	if !ok {
		if err := s.makeBucket(ctx, cfg); err != nil {
			return err
		}
	}
	if cfg.ObjectLocking {
		return s.checkLocking(ctx)
	}
	return nil
}

func (s *Store) makeBucket(ctx context.Context, cfg Config) error {
	err := s.c.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{
		Region:        cfg.Region,
		ObjectLocking: cfg.ObjectLocking, // versioning comes with it
	})
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && resp.Code == "BucketAlreadyOwnedByYou" {
		return nil // another process created it first
	}
	if err != nil {
		return translate("s3.open", "", err)
	}
	return nil
}

// checkLocking fails when the bucket has no object lock, which S3 allows
// only at creation: a store that promises WORM must not silently lack it.
func (s *Store) checkLocking(ctx context.Context) error {
	enabled, _, _, _, err := s.c.GetObjectLockConfig(ctx, s.bucket)
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && resp.Code == "ObjectLockConfigurationNotFoundError" {
		enabled, err = "", nil
	}
	if err != nil {
		return translate("s3.open", "", err)
	}
	if enabled != "Enabled" {
		return visitarchive.E("s3.open", visitarchive.Invalid, nil,
			"bucket %s has no object lock; S3 can enable it only when a bucket is created", s.bucket)
	}
	return nil
}
