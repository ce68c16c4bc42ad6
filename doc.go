// Package visitarchive is the domain of the customer-visit archive
// (客户拜访档案库): customers, visit records on the unified form, users and
// departments, their validation, the errors every layer shares, and the
// small interfaces that storage, index, policy and retention implement.
// Archive ties them together: it asks the policy (Authorizer) before every
// read and write, seals sensitive fields with per-object data keys
// (Keyring), writes every change as an immutable object, journals it, logs
// every read, and keeps the search index in step.
//
// Where things are: record.go, customer.go and user.go hold the types;
// catalog.go what the journal recorded, through which every reader finds
// objects (never through a listing of the store); unrecorded.go and
// intents.go the removal of objects no journal entry records;
// archive_*.go the Archive's methods per kind; authz.go how a caller is
// checked (a Principal from the server, or a trusted CLI actor); seal.go
// and datakeys.go encryption at rest; auth.go and credentials.go sign-in,
// sessions and API tokens; access.go the access log and export; import.go
// bulk import; archive_index.go how the index follows the journal.
//
// The visit workflow: plan.go and archive_plans.go (plans: draft,
// submitted, approved or rejected); workflow.go (the states and moves of a
// record, its Workflow fields) and archive_workflow.go (submit, return,
// approve, the review checks, overdue notices); workflow_config.go (the
// filing period, forms per customer type, fonds and area codes);
// archiving.go (classification, retention from the Schedule, gap-free
// reference codes); annotations.go (corrections of archived records);
// inbox.go (notifications, and who gets them by mail) and mail.go (the
// Mailer they are sent with; smtpmail sends them over SMTP).
//
// This package imports only the standard library and does no I/O (no
// network, file or process); infrastructure lives in the sub-packages and
// is wired together in cmd/visitarchive.
package visitarchive
