package s3

import (
	"context"
	"errors"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage"
)

// WORM: on a bucket with object lock (Config.ObjectLocking) the Store is a
// visitarchive.LockingStore. The Archive gives each object of an archived
// record a retention until the end of its period, in Config.RetentionMode
// (GOVERNANCE unless set to COMPLIANCE), and a legal hold while a hold
// covers the record; MinIO itself then refuses to delete it, and Delete
// answers Forbidden. GOVERNANCE can be bypassed by a user with the
// s3:BypassGovernanceRetention permission (this Store never does);
// COMPLIANCE by nobody, not even the root user, until the date.

var _ visitarchive.LockingStore = (*Store)(nil)

// retentionMode returns the mode of cfg: GOVERNANCE by default.
func retentionMode(mode string) (minio.RetentionMode, error) {
	switch mode {
	case "", string(minio.Governance):
		return minio.Governance, nil
	case string(minio.Compliance):
		return minio.Compliance, nil
	}
	return "", visitarchive.E("s3.open", visitarchive.Invalid, nil, "bad S3 retention mode %q: GOVERNANCE or COMPLIANCE", mode)
}

// notLocking is the error of a lock asked of a bucket without object lock.
func (s *Store) notLocking(op string) error {
	return visitarchive.E(op, visitarchive.Invalid, nil, "bucket %s has no object lock: configure s3.object_lock on a new bucket", s.bucket)
}

// SetRetention implements visitarchive.LockingStore.
func (s *Store) SetRetention(ctx context.Context, key string, until time.Time) error {
	const op = "s3.retention"
	if !s.locking {
		return s.notLocking(op)
	}
	cur, err := s.Lock(ctx, key)
	if err != nil {
		return err
	}
	if !until.After(cur.Until) {
		return nil // never shortened
	}
	mode := s.mode
	until = until.UTC()
	err = s.c.PutObjectRetention(ctx, s.bucket, s.ObjectName(key), minio.PutObjectRetentionOptions{Mode: &mode, RetainUntilDate: &until})
	return translate(op, key, err)
}

// SetLegalHold implements visitarchive.LockingStore.
func (s *Store) SetLegalHold(ctx context.Context, key string, on bool) error {
	const op = "s3.legalhold"
	if !s.locking {
		return s.notLocking(op)
	}
	if err := storage.ValidKey(key); err != nil {
		return err
	}
	st := minio.LegalHoldDisabled
	if on {
		st = minio.LegalHoldEnabled
	}
	err := s.c.PutObjectLegalHold(ctx, s.bucket, s.ObjectName(key), minio.PutObjectLegalHoldOptions{Status: &st})
	return translate(op, key, err)
}

// Lock implements visitarchive.LockingStore. On a bucket without object
// lock nothing is ever locked.
func (s *Store) Lock(ctx context.Context, key string) (visitarchive.ObjectLock, error) {
	const op = "s3.lock"
	var l visitarchive.ObjectLock
	if err := storage.ValidKey(key); err != nil || !s.locking {
		return l, err
	}
	mode, until, err := s.c.GetObjectRetention(ctx, s.bucket, s.ObjectName(key), "")
	switch {
	case noLock(err):
	case err != nil:
		return l, translate(op, key, err)
	default:
		if mode != nil {
			l.Mode = string(*mode)
		}
		if until != nil {
			l.Until = *until
		}
	}
	hold, err := s.c.GetObjectLegalHold(ctx, s.bucket, s.ObjectName(key), minio.GetObjectLegalHoldOptions{})
	switch {
	case noLock(err):
	case err != nil:
		return l, translate(op, key, err)
	default:
		l.LegalHold = hold != nil && *hold == minio.LegalHoldEnabled
	}
	return l, nil
}

// noLock reports whether err says the object has no retention or legal
// hold.
func noLock(err error) bool {
	var resp minio.ErrorResponse
	return errors.As(err, &resp) && (resp.Code == "NoSuchObjectLockConfiguration" || resp.Code == "ObjectLockConfigurationNotFoundError")
}
