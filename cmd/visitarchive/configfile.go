package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
	"github.com/visitarchive/visitarchive/server"
	"github.com/visitarchive/visitarchive/smtpmail"
)

// fileConfig is the configuration file (--config): what a company sets
// once about its workflow and its mail server. Every key is optional; an
// unknown key is an error, so that a misspelt one is not silently ignored.
type fileConfig struct {
	// Timezone is the company's time zone, an IANA name such as
	// Asia/Shanghai (WorkflowConfig.Location).
	Timezone    string           `json:"timezone"`
	Workflow    *workflowFile    `json:"workflow"`
	SMTP        *smtpFile        `json:"smtp"`
	Attachments *attachmentsFile `json:"attachments"`
	// Extract is the extraction of attachments' text (extract.go).
	Extract *extractFile `json:"extract"`
	// Backup is the backup target and schedule of serve (backup.go).
	Backup *backupFile `json:"backup"`
}

// attachmentsFile bounds the files the server takes (serve).
type attachmentsFile struct {
	MaxFile         string `json:"max_file"`         // a size: "256MiB", "1GiB", "500MB", "1048576"
	MaxRequest      string `json:"max_request"`      // the same, for one upload request
	TransferTimeout string `json:"transfer_timeout"` // a Go duration: "30m"
}

type workflowFile struct {
	FilingPeriod      string              `json:"filing_period"` // a Go duration: "24h", "36h30m"
	Forms             map[string][]string `json:"forms"`
	RetentionSchedule *retention.Schedule `json:"retention_schedule"`
	Fonds             string              `json:"fonds"`
	AreaCodes         map[string]string   `json:"area_codes"`
	PlanLeadTime      string              `json:"plan_lead_time"` // a Go duration; "0s" allowed
	PlanTolerance     string              `json:"plan_tolerance"`
	ReviewPeriod      string              `json:"review_period"`
	ArchivingTimeout  string              `json:"archiving_timeout"`
}

type smtpFile struct {
	Addr     string `json:"addr"`
	From     string `json:"from"`
	Username string `json:"username"`
	Timeout  string `json:"timeout"`
	// Password is here only to refuse it with a message that says where
	// the password goes: a file is copied, backed up and read by more
	// people than the server's environment.
	Password json.RawMessage `json:"password"`
}

// smtpPasswordEnv holds the SMTP password; it is read from nowhere else.
const smtpPasswordEnv = "VISITARCHIVE_SMTP_PASSWORD"

// settings are the workflow and mail settings resolved from the file,
// the flags and the environment.
type settings struct {
	workflow    va.WorkflowConfig
	mailer      *smtpmail.Mailer // nil when mail is not configured
	attachments server.AttachmentLimits
	extraction  extraction
	backup      backupSettings
}

// settings reads the configuration file, if one is given, and applies the
// flags over it. Errors about the file name it.
func (f *storeFlags) settings() (*settings, error) {
	var fc fileConfig
	if f.configFile != "" {
		if err := readConfigFile(f.configFile, &fc); err != nil {
			return nil, err
		}
	}
	inFile := func(err error) error {
		if err != nil && f.configFile != "" {
			return fmt.Errorf("config file %s: %w", f.configFile, err)
		}
		return err
	}
	wf, err := fc.Workflow.config()
	if err != nil {
		return nil, inFile(err)
	}
	if f.filingPeriod != "" {
		if wf.FilingPeriod, err = positiveDuration(f.filingPeriod); err != nil {
			return nil, fmt.Errorf("--filing-period: %w", err)
		}
	}
	if wf.Location, err = timeZone(fc.Timezone, f.timezone); err != nil {
		if f.timezone != "" {
			return nil, fmt.Errorf("--timezone: %w", err)
		}
		return nil, inFile(fmt.Errorf("timezone: %w", err))
	}
	s := &settings{workflow: wf}
	if s.attachments, err = fc.Attachments.limits(); err != nil {
		return nil, inFile(err)
	}
	if err := f.attachmentFlags(&s.attachments); err != nil {
		return nil, err
	}
	if s.extraction, err = fc.Extract.extraction(&f.extract); err != nil {
		return nil, inFile(err)
	}
	if s.backup, err = fc.Backup.settings(&f.backup); err != nil {
		return nil, inFile(err)
	}
	if s.mailer, err = fc.SMTP.mailer(f); err != nil {
		if f.smtpAddr+f.smtpFrom+f.smtpUsername != "" {
			return nil, fmt.Errorf("mail settings of the --smtp flags and %s: %w", orNone(f.configFile), err)
		}
		return nil, inFile(err)
	}
	return s, nil
}

// readConfigFile decodes the JSON file at path into fc, refusing unknown
// keys. Decoding into a tree first checks the syntax of the whole file,
// data after the object included.
func readConfigFile(path string, fc *fileConfig) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	fail := func(err error) error { return fmt.Errorf("config file %s: %w", path, err) }
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return fail(jsonError(b, err))
	}
	if keys := unknownKeys(tree, reflect.TypeFor[fileConfig](), ""); len(keys) > 0 {
		what := "unknown key"
		if len(keys) > 1 {
			what += "s"
		}
		return fail(fmt.Errorf("%s %s", what, strings.Join(keys, ", ")))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // unknownKeys found them all; this keeps it so
	if err := dec.Decode(fc); err != nil {
		return fail(jsonError(b, err))
	}
	return nil
}

// config returns the workflow configuration of the file, or the defaults
// when w is nil.
func (w *workflowFile) config() (va.WorkflowConfig, error) {
	cfg := va.WorkflowConfig{FilingPeriod: va.DefaultFilingPeriod, Fonds: va.DefaultFonds}
	var sched *retention.Schedule
	if w != nil {
		if err := w.durations(&cfg); err != nil {
			return cfg, err
		}
		if w.Fonds != "" {
			cfg.Fonds = w.Fonds
		}
		cfg.Forms, cfg.AreaCodes, sched = w.Forms, w.AreaCodes, w.RetentionSchedule
	}
	if sched == nil {
		sched = retention.DefaultSchedule()
	}
	if err := sched.Validate(); err != nil {
		return cfg, fieldsError("workflow.retention_schedule", err)
	}
	cfg.Schedule = sched
	return cfg, nil
}

// durations sets the durations of the file's workflow settings in cfg.
func (w *workflowFile) durations(cfg *va.WorkflowConfig) error {
	for _, d := range []struct {
		key, value string
		dst        *time.Duration
		zeroOK     bool
	}{
		{"filing_period", w.FilingPeriod, &cfg.FilingPeriod, false},
		{"plan_lead_time", w.PlanLeadTime, &cfg.PlanLeadTime, true},
		{"plan_tolerance", w.PlanTolerance, &cfg.PlanTolerance, false},
		{"review_period", w.ReviewPeriod, &cfg.ReviewPeriod, false},
		{"archiving_timeout", w.ArchivingTimeout, &cfg.ArchivingTimeout, false},
	} {
		if d.value == "" {
			continue
		}
		v, err := duration(d.value, d.zeroOK)
		if err != nil {
			return fmt.Errorf("workflow.%s: %w", d.key, err)
		}
		*d.dst = v
	}
	return nil
}

// limits returns the attachment limits of the file; zero values are the
// server's defaults.
func (a *attachmentsFile) limits() (server.AttachmentLimits, error) {
	var l server.AttachmentLimits
	if a == nil {
		return l, nil
	}
	var err error
	for _, v := range []struct {
		key, value string
		dst        *int64
	}{{"max_file", a.MaxFile, &l.MaxFile}, {"max_request", a.MaxRequest, &l.MaxRequest}} {
		if v.value == "" {
			continue
		}
		if *v.dst, err = size(v.value); err != nil {
			return l, fmt.Errorf("attachments.%s: %w", v.key, err)
		}
	}
	if a.TransferTimeout != "" {
		if l.TransferTimeout, err = positiveDuration(a.TransferTimeout); err != nil {
			return l, fmt.Errorf("attachments.transfer_timeout: %w", err)
		}
	}
	return l, checkLimits(l)
}

// attachmentFlags applies the attachment flags over l.
func (f *storeFlags) attachmentFlags(l *server.AttachmentLimits) error {
	var err error
	for _, v := range []struct {
		flag, value string
		dst         *int64
	}{{"--attachments-max-file", f.maxFile, &l.MaxFile}, {"--attachments-max-request", f.maxRequest, &l.MaxRequest}} {
		if v.value == "" {
			continue
		}
		if *v.dst, err = size(v.value); err != nil {
			return fmt.Errorf("%s: %w", v.flag, err)
		}
	}
	if f.transferTimeout != "" {
		if l.TransferTimeout, err = positiveDuration(f.transferTimeout); err != nil {
			return fmt.Errorf("--attachments-timeout: %w", err)
		}
	}
	if err := checkLimits(*l); err != nil {
		return fmt.Errorf("the attachment limits of the flags and %s: %w", orNone(f.configFile), err)
	}
	return nil
}

// checkLimits refuses a file limit over the request limit, which a file
// could never reach.
func checkLimits(l server.AttachmentLimits) error {
	file, req := cmp.Or(l.MaxFile, server.DefaultMaxFile), cmp.Or(l.MaxRequest, server.DefaultMaxRequest)
	if file > req {
		return fmt.Errorf("the limit of a file (%d bytes) is over the limit of a request (%d bytes)", file, req)
	}
	return nil
}

// sizePattern is a size: a number of bytes, or of kB, MB, GB (powers of
// 1000) or KiB, MiB, GiB (powers of 1024).
var sizePattern = regexp.MustCompile(`^([0-9]+) ?(B|kB|KB|MB|GB|KiB|MiB|GiB)?$`)

// size reads a size such as "256MiB" or "1048576".
func size(s string) (int64, error) {
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size: write it like 256MiB, 1GiB, 500MB or a number of bytes", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := map[string]int64{"": 1, "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[m[2]]
	if err != nil || n <= 0 || n > (1<<50)/unit {
		return 0, fmt.Errorf("%q must be more than zero and at most 1 PiB", s)
	}
	return n * unit, nil
}

// mailer returns the SMTP mailer of the file and the flags, or nil when
// neither names a server.
func (s *smtpFile) mailer(f *storeFlags) (*smtpmail.Mailer, error) {
	if s == nil {
		s = &smtpFile{}
	}
	if s.Password != nil {
		return nil, fmt.Errorf("smtp.password: the password is not read from the file; set %s in the server's environment", smtpPasswordEnv)
	}
	m := &smtpmail.Mailer{Addr: s.Addr, From: s.From, Username: s.Username, Password: os.Getenv(smtpPasswordEnv)}
	for _, o := range []struct{ flag, dst *string }{
		{&f.smtpAddr, &m.Addr}, {&f.smtpFrom, &m.From}, {&f.smtpUsername, &m.Username},
	} {
		if *o.flag != "" {
			*o.dst = *o.flag
		}
	}
	if m.Addr == "" {
		if m.From != "" || m.Username != "" || s.Timeout != "" {
			return nil, errors.New("smtp.addr (or --smtp-addr) is required to send mail")
		}
		return nil, nil
	}
	if s.Timeout != "" {
		d, err := positiveDuration(s.Timeout)
		if err != nil {
			return nil, fmt.Errorf("smtp.timeout: %w", err)
		}
		m.Timeout = d
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("smtp: %s", va.ErrorMessage(err))
	}
	return m, nil
}

// timeZone loads the zone the flag names, else the one the file names,
// else the default. The zone database is compiled into the binary
// (time/tzdata), so that a machine without one finds the zone too.
func timeZone(inFile, flag string) (*time.Location, error) {
	name := cmp.Or(flag, inFile, va.DefaultTimeZone)
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("%q is not a time zone: give an IANA name such as Asia/Shanghai or UTC", name)
	}
	return loc, nil
}

func orNone(configFile string) string {
	if configFile == "" {
		return "no config file"
	}
	return "config file " + configFile
}

func positiveDuration(s string) (time.Duration, error) { return duration(s, false) }

// duration reads s, a Go duration longer than zero (or zero, when
// zeroOK).
func duration(s string, zeroOK bool) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration: write it like 24h, 36h or 90m", s)
	case d < 0 && zeroOK:
		return 0, fmt.Errorf("%q must not be negative", s)
	case d <= 0 && !zeroOK:
		return 0, fmt.Errorf("%q must be longer than zero", s)
	}
	return d, nil
}

// fieldsError lists the field errors of err under the JSON path prefix.
func fieldsError(prefix string, err error) error {
	fields := va.ErrorFields(err)
	if len(fields) == 0 {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	msgs := make([]string, len(fields))
	for i, fe := range fields {
		msgs[i] = prefix + "." + fe.Field + ": " + fe.Message
	}
	return errors.New(strings.Join(msgs, "; "))
}

// unknownKeys returns the JSON paths of the keys in tree (a decoded JSON
// value) that type t has no field for. Unlike encoding/json it matches
// names exactly, and it finds every unknown key rather than the first.
func unknownKeys(tree any, t reflect.Type, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	switch v := tree.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for k, e := range v {
				out = append(out, unknownKeys(e, t.Elem(), jsonPath(path, k))...)
			}
		case reflect.Struct:
			fields := jsonFields(t)
			for k, e := range v {
				ft, ok := fields[k]
				if !ok {
					out = append(out, strconv.Quote(jsonPath(path, k)))
					continue
				}
				out = append(out, unknownKeys(e, ft, jsonPath(path, k))...)
			}
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range v {
				out = append(out, unknownKeys(e, t.Elem(), path+"["+strconv.Itoa(i)+"]")...)
			}
		}
	}
	slices.Sort(out)
	return out
}

// jsonFields maps the JSON names of struct t to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, sf := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		m[name] = sf.Type
	}
	return m
}

func jsonPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonError says where in b a decoding error is, by line and column, and
// which key had a value of the wrong type.
func jsonError(b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%s: %s", position(b, syn.Offset), strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		return fmt.Errorf("%s: %s must be %s, not a JSON %s", position(b, typ.Offset), typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errors.New("the file ends before its JSON object does")
	}
	return err
}

func position(b []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(b)))
	before := b[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// jsonKind names the JSON value that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a number"
}
