package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/audit"
	"github.com/visitarchive/visitarchive/backup"
	"github.com/visitarchive/visitarchive/index"
	"github.com/visitarchive/visitarchive/policy"
	"github.com/visitarchive/visitarchive/retention"
	"github.com/visitarchive/visitarchive/scan"
	"github.com/visitarchive/visitarchive/server"
	"github.com/visitarchive/visitarchive/smtpmail"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/filecrypt"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/keyring"
	"github.com/visitarchive/visitarchive/storage/s3"
)

// storeFlags are the flags every command takes to find the store and the
// index. Each defaults to its environment variable, then to the embedded
// default.
type storeFlags struct {
	// retention are the settings of the disposition jobs (retention.go).
	retention retentionFlags
	// backup are the backup target and schedule (backup.go).
	backup backupFlags

	data      string
	storage   string
	index     string
	s3        s3.Config
	logFormat string
	logLevel  string
	keyFile   string
	sensitive string

	// configFile is the optional configuration file; the flags after it
	// override single values of it (see settings).
	configFile   string
	filingPeriod string
	timezone     string
	smtpAddr     string
	smtpFrom     string
	smtpUsername string

	// The attachment limits (serve), over those of the config file.
	maxFile, maxRequest, transferTimeout string

	// passwordChecks bounds the password checks that run at once.
	passwordChecks int

	// indexOptional lets a command go on without the index when another
	// process (a running server) holds it.
	indexOptional bool
	// bulkIndex opens the index for bulk indexing (index.OpenForBulk):
	// import and reindex set it.
	bulkIndex bool
	// importDeadline is Config.ImportDeadline; import sets it.
	importDeadline time.Duration

	// extract are the flags of the extraction of attachments' text
	// (serve), over those of the config file.
	extract extractFlags
}

// newFlags returns the flag set of a command with the storage flags on it.
func newFlags(command string, stderr io.Writer) (*flag.FlagSet, *storeFlags) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &storeFlags{}
	f.register(fs)
	return fs, f
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", env("VISITARCHIVE_DATA", "./data"), "data directory: the disk store and the index (VISITARCHIVE_DATA)")
	fs.StringVar(&f.storage, "storage", env("VISITARCHIVE_STORAGE", "disk"), "storage backend: disk or s3 (VISITARCHIVE_STORAGE)")
	fs.StringVar(&f.index, "index", env("VISITARCHIVE_INDEX", ""), "index directory (VISITARCHIVE_INDEX; default DATA/index)")
	registerS3Access(fs, &f.s3, "s3", "VISITARCHIVE_S3", "")
	fs.StringVar(&f.s3.Bucket, "s3-bucket", env("VISITARCHIVE_S3_BUCKET", "visitarchive"), "bucket (VISITARCHIVE_S3_BUCKET)")
	fs.BoolVar(&f.s3.CreateBucket, "s3-create-bucket", envBool("VISITARCHIVE_S3_CREATE_BUCKET", false), "create the bucket, with object locking, when it does not exist (VISITARCHIVE_S3_CREATE_BUCKET)")
	// WORM (issue 19): the bucket's object lock and the mode of the
	// retentions given to archived records.
	fs.BoolVar(&f.s3.ObjectLocking, "s3-object-lock", envBool("VISITARCHIVE_S3_OBJECT_LOCK", false), "require the bucket to have S3 object lock, and keep archived records from deletion until the end of their period (VISITARCHIVE_S3_OBJECT_LOCK; on with --s3-create-bucket)")
	fs.StringVar(&f.s3.RetentionMode, "s3-retention-mode", env("VISITARCHIVE_S3_RETENTION_MODE", "GOVERNANCE"), "mode of the retentions on an object-lock bucket: GOVERNANCE (may be bypassed by a user with s3:BypassGovernanceRetention) or COMPLIANCE (by nobody) (VISITARCHIVE_S3_RETENTION_MODE)")
	fs.StringVar(&f.keyFile, "key-file", env("VISITARCHIVE_KEY_FILE", ""), "key file of the master keys (VISITARCHIVE_KEY_FILE; default DATA/keyring.json); create one with 'visitarchive keys init'")
	fs.StringVar(&f.sensitive, "sensitive-fields", env("VISITARCHIVE_SENSITIVE_FIELDS", ""), "record fields to encrypt at rest besides contact phone, e-mail and the decision chain, comma-separated, such as onsite_notes,competitor_info (VISITARCHIVE_SENSITIVE_FIELDS)")
	fs.StringVar(&f.configFile, "config", env("VISITARCHIVE_CONFIG", ""), "JSON configuration file: timezone, workflow (filing period, plan lead time and tolerance, review period, forms, retention schedule, fonds, area codes), smtp, attachments (max_file, max_request, transfer_timeout) and extract (workers, timeout, memory, max_pages, temp_dir) (VISITARCHIVE_CONFIG)")
	fs.StringVar(&f.filingPeriod, "filing-period", env("VISITARCHIVE_FILING_PERIOD", ""), "how long after a visit its record is due, such as 24h; overrides the config file (VISITARCHIVE_FILING_PERIOD; default 24h)")
	fs.StringVar(&f.timezone, "timezone", env("VISITARCHIVE_TIMEZONE", ""), "the company's time zone, an IANA name: dates without a time, the year of a reference code and the dates of notifications are read in it; overrides the config file (VISITARCHIVE_TIMEZONE; default "+va.DefaultTimeZone+")")
	fs.StringVar(&f.smtpAddr, "smtp-addr", env("VISITARCHIVE_SMTP_ADDR", ""), "SMTP server host:port for mail notifications; overrides the config file (VISITARCHIVE_SMTP_ADDR; default: no mail)")
	fs.StringVar(&f.smtpFrom, "smtp-from", env("VISITARCHIVE_SMTP_FROM", ""), "sender address of mail notifications; overrides the config file (VISITARCHIVE_SMTP_FROM)")
	// The password has no flag: it would show in the process list.
	fs.StringVar(&f.smtpUsername, "smtp-username", env("VISITARCHIVE_SMTP_USERNAME", ""), "SMTP user name; overrides the config file (VISITARCHIVE_SMTP_USERNAME); the password comes only from "+smtpPasswordEnv)
	fs.StringVar(&f.maxFile, "attachments-max-file", env("VISITARCHIVE_ATTACHMENTS_MAX_FILE", ""), "largest file an upload may attach, such as 256MiB; overrides the config file (VISITARCHIVE_ATTACHMENTS_MAX_FILE; default 256MiB)")
	fs.StringVar(&f.maxRequest, "attachments-max-request", env("VISITARCHIVE_ATTACHMENTS_MAX_REQUEST", ""), "largest upload request, all its files together, such as 1GiB; overrides the config file (VISITARCHIVE_ATTACHMENTS_MAX_REQUEST; default 1GiB)")
	fs.StringVar(&f.transferTimeout, "attachments-timeout", env("VISITARCHIVE_ATTACHMENTS_TIMEOUT", ""), "longest upload or download of attachments, such as 30m; overrides the config file (VISITARCHIVE_ATTACHMENTS_TIMEOUT; default 30m)")
	fs.IntVar(&f.passwordChecks, "password-checks", envInt("VISITARCHIVE_PASSWORD_CHECKS", 0), "password checks that may run at once, each taking 64 MiB; more sign-ins at once wait up to 2s, then get 429 (VISITARCHIVE_PASSWORD_CHECKS; default twice the cores)")
	f.retention.register(fs)
	f.backup.register(fs)
	fs.StringVar(&f.logFormat, "log-format", env("VISITARCHIVE_LOG_FORMAT", "text"), "log format: text or json (VISITARCHIVE_LOG_FORMAT)")
	fs.StringVar(&f.logLevel, "log-level", env("VISITARCHIVE_LOG_LEVEL", "info"), "log level: debug, info, warn, error (VISITARCHIVE_LOG_LEVEL)")
	f.extract.register(fs)
}

// registerS3Access registers the flags that reach an S3 endpoint into
// cfg, named <name>-endpoint and so on, each defaulting to the variable
// <envName>_ENDPOINT and so on; what says whose they are.
func registerS3Access(fs *flag.FlagSet, cfg *s3.Config, name, envName, what string) {
	fs.StringVar(&cfg.Endpoint, name+"-endpoint", env(envName+"_ENDPOINT", ""), what+"S3 or MinIO endpoint host:port ("+envName+"_ENDPOINT)")
	fs.StringVar(&cfg.Region, name+"-region", env(envName+"_REGION", ""), what+"region ("+envName+"_REGION)")
	fs.StringVar(&cfg.AccessKey, name+"-access-key", env(envName+"_ACCESS_KEY", ""), what+"access key ("+envName+"_ACCESS_KEY)")
	// No default from the environment here: -h prints defaults.
	fs.StringVar(&cfg.SecretKey, name+"-secret-key", "", what+"secret key ("+envName+"_SECRET_KEY; prefer the environment: a flag shows in the process list)")
	fs.BoolVar(&cfg.UseSSL, name+"-tls", envBool(envName+"_TLS", false), what+"use HTTPS for S3 ("+envName+"_TLS)")
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func envBool(name string, def bool) bool {
	if b, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return b
	}
	return def
}

func (f *storeFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", f.logFormat)
}

// openStore opens the configured backend.
func (f *storeFlags) openStore(ctx context.Context) (va.Store, error) {
	switch f.storage {
	case "disk":
		return disk.Open(filepath.Join(f.data, "store"))
	case "s3":
		if f.s3.Endpoint == "" {
			return nil, fmt.Errorf("--storage s3 needs --s3-endpoint (or VISITARCHIVE_S3_ENDPOINT)")
		}
		if f.s3.SecretKey == "" {
			f.s3.SecretKey = os.Getenv("VISITARCHIVE_S3_SECRET_KEY")
		}
		if f.s3.CreateBucket {
			f.s3.ObjectLocking = true
		}
		return s3.Open(ctx, f.s3)
	}
	return nil, fmt.Errorf("--storage must be disk or s3, not %q", f.storage)
}

func (f *storeFlags) keyPath() string {
	if f.keyFile != "" {
		return f.keyFile
	}
	return filepath.Join(f.data, "keyring.json")
}

// keyring loads the key file, to follow it while the command runs; a
// missing one says how to make it.
func (f *storeFlags) keyring() (*keyring.Live, error) {
	kr, err := keyring.Open(f.keyPath())
	if va.IsKind(err, va.NotFound) {
		return nil, fmt.Errorf("no key file at %s: create one with 'visitarchive keys init --key-file %s' and keep a copy apart from the data (without it the encrypted fields cannot be read)", f.keyPath(), f.keyPath())
	}
	return kr, err
}

func (f *storeFlags) sensitiveFields() []string {
	var out []string
	for _, s := range strings.Split(f.sensitive, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (f *storeFlags) indexDir() string {
	if f.index != "" {
		return f.index
	}
	return filepath.Join(f.data, "index")
}

// components are the opened parts of an archive.
type components struct {
	keys    *keyring.Live
	store   va.Store
	journal *journal.Journal
	index   *index.Index
	archive *va.Archive
	// mailer is the mail server the archive sends through, or nil.
	mailer *smtpmail.Mailer
	// attachments are the limits of uploads and downloads (serve).
	attachments server.AttachmentLimits
	// retention configures the disposition jobs (serve).
	retention retentionSettings
	// extraction is how the text of attachments is extracted (serve).
	extraction extraction
	// backup are the backup settings; backups runs the passes of serve
	// to backupTarget (backup.go), nil when there is no target.
	backup       backupSettings
	backups      *backup.Backuper
	backupTarget va.Store
	// fixity is the scheduled fixity check (serve), made by jobs.
	fixity *audit.Fixity
}

// jobs returns the runner of the server's scheduled work.
func (c *components) jobs(log *slog.Logger) *retention.Runner {
	unrecorded := func(ctx context.Context) ([]va.ObjectInfo, error) { return journal.Unrecorded(ctx, c.store) }
	c.fixity = audit.NewFixity(c.archive, nil)
	jobs := []retention.Job{
		retention.OverdueNotices(c.archive),
		retention.PlanRecordReminders(c.archive),
		retention.ReviewReminders(c.archive),
		retention.OverdueLoans(c.archive.Papers()),
		retention.ExpiredSessions(c.archive.Accounts()),
		retention.UnrecordedObjects(c.archive, unrecorded),
		retention.JournalCheckpoints(c.journal),
		retention.Appraisals(c.archive.Disposition(), c.retention.AppraisalEvery),
		retention.Housekeeping(c.archive, c.retention.Housekeeping),
		retention.FixityCheck(c.fixity, c.retention.FixityEvery),
	}
	if c.backups != nil {
		jobs = append(jobs, retention.Backups(c.backups, c.backup.every), retention.BackupAfterDestruction(c.backups))
	}
	return retention.NewRunner(log, jobs...)
}

// Close pins the journal's head with a checkpoint, so that verify can
// tell if its end is cut later, and closes the index and the store.
func (c *components) Close() error {
	var err error
	if c.journal != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = c.journal.Checkpoint(ctx)
		cancel()
	}
	if c.index != nil {
		err = errors.Join(err, c.index.Close())
	}
	if cl, ok := c.store.(io.Closer); ok {
		err = errors.Join(err, cl.Close())
	}
	if cl, ok := c.backupTarget.(io.Closer); ok {
		err = errors.Join(err, cl.Close())
	}
	return err
}

// open opens store, journal and index and an Archive over them, without
// calling Archive.Open; progress reports a rebuild of the index by Open.
func (f *storeFlags) open(ctx context.Context, log *slog.Logger, progress func(done, total int)) (*components, error) {
	// The settings first: they touch nothing, and a mistake in them is
	// best told before anything else is done.
	set, err := f.settings()
	if err != nil {
		return nil, err
	}
	// The key file next: without it nothing may be written.
	keys, err := f.keyring()
	if err != nil {
		return nil, err
	}
	c := &components{keys: keys, mailer: set.mailer, attachments: set.attachments, extraction: set.extraction, backup: set.backup}
	if c.store, err = f.openStore(ctx); err != nil {
		return nil, err
	}
	if c.journal, err = journal.Open(ctx, c.store, log); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, err
	}
	cfg := va.Config{Store: c.store, Journal: c.journal, Logger: log, ReindexProgress: progress,
		Passwords: policy.DefaultArgon2id(), PasswordChecks: f.passwordChecks, SensitiveFields: f.sensitiveFields(), Keys: keys,
		Files:    filecrypt.Sealer{},
		Splitter: scan.Splitter{}, // its private folders in the system's temporary folder
		Workflow: set.workflow, ImportDeadline: f.importDeadline, Verifier: journal.Verifier{Store: c.store},
		WORM: f.s3.ObjectLocking, DestructionHook: destructionHook(), ArchivingHook: archivingCrashHook()}
	if set.mailer != nil {
		cfg.Mailer = set.mailer // not a nil *smtpmail.Mailer in the interface
	}
	if cfg.Policy, err = policy.New(); err != nil {
		return nil, err
	}
	openIndex := index.Open
	if f.bulkIndex {
		openIndex = index.OpenForBulk
	}
	c.index, err = openIndex(f.indexDir(), log)
	switch {
	case err == nil:
		cfg.Index = c.index
	case f.indexOptional && va.IsKind(err, va.Unavailable):
		log.Warn("working without the search index; a server's index catches up from the journal", "reason", va.ErrorMessage(err))
	default:
		return nil, err
	}
	c.archive = va.New(cfg)
	return c, nil
}

// openBeside opens the archive for an operator's command that may run
// beside a server holding the index: without the index then, since the
// server's index follows the journal.
func (f *storeFlags) openBeside(ctx context.Context, stderr io.Writer) (*components, error) {
	log, err := f.logger(stderr)
	if err != nil {
		return nil, err
	}
	f.indexOptional = true
	c, err := f.open(ctx, log, nil)
	if err != nil {
		return nil, err
	}
	if err := f.openArchive(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// openArchive calls Archive.Open, which checks the workflow settings the
// domain owns (fonds and area codes, the fields of the forms); an error
// in them then names the config file they came from.
func (f *storeFlags) openArchive(ctx context.Context, c *components) error {
	err := c.archive.Open(ctx)
	var e *va.Error
	if f.configFile != "" && errors.As(err, &e) && e.Kind == va.Invalid && e.Op == "open" {
		return fmt.Errorf("config file %s: %s", f.configFile, e.Msg)
	}
	return err
}
