// Package visitarchive is the domain of the customer-visit archive
// (客户拜访档案库): customers, visit records on the unified form, their
// validation, the errors every layer shares, and the small interfaces that
// storage, index, policy and retention implement. Archive ties them together:
// it writes every change as an immutable object, journals it, and keeps the
// search index in step.
//
// This package imports only the standard library; infrastructure lives in
// the sub-packages and is wired together in cmd/visitarchive.
package visitarchive
