package i18n

import (
	"errors"
	"strings"

	"github.com/visitarchive/visitarchive"
)

// MechanicsKeys are the keys Say and MessageOf use themselves: the
// separator of a list of messages and the message of an Internal error.
var MechanicsKeys = []string{listSeparator, internalError}

const (
	listSeparator = "; "
	internalError = "internal error"
)

// The messages of the Archive's errors keep their English format and its
// arguments (visitarchive.Error.Format, Args); these say them in a
// language. The API's error handler and the pages both use them.

// MessageOf returns what a client is told of e: its message, or "internal
// error" when e is Internal, whose message is for the log.
func MessageOf(e *visitarchive.Error) visitarchive.Message {
	switch {
	case e.Kind == visitarchive.Internal:
		return visitarchive.Msgf(internalError)
	case e.Format == "":
		return visitarchive.Message{Format: e.Msg}
	}
	return visitarchive.Msgf(e.Format, e.Args...)
}

// Fields returns fs with their messages in l.
func Fields(l Lang, fs []visitarchive.FieldError) []visitarchive.FieldError {
	if l == English || len(fs) == 0 {
		return fs
	}
	out := make([]visitarchive.FieldError, len(fs))
	for i, f := range fs {
		m := visitarchive.Message{Format: f.Format, Args: f.Args}
		if f.Format == "" {
			m = visitarchive.Message{Format: f.Message}
		}
		out[i] = visitarchive.FieldError{Field: f.Field, Message: Say(l, m)}
	}
	return out
}

// Say returns m in l: its format looked up in the catalogue and formatted
// with m's arguments, of which those that are Words, Messages or
// Messages are said in l too.
func Say(l Lang, m visitarchive.Message) string {
	if l == English {
		return m.String()
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch a := a.(type) {
		case visitarchive.Word:
			args[i] = Text(l, string(a))
		case visitarchive.Message:
			args[i] = Say(l, a)
		case visitarchive.Messages:
			s := make([]string, len(a))
			for j, m := range a {
				s[j] = Say(l, m)
			}
			args[i] = strings.Join(s, Text(l, listSeparator))
		default:
			args[i] = a
		}
	}
	return Sprintf(l, m.Format, args...)
}

// ErrorText returns what a person is told of err in l: an Archive error's
// message in l ("internal error" for an Internal one), or the error's
// text.
func ErrorText(l Lang, err error) string {
	var e *visitarchive.Error
	if !errors.As(err, &e) {
		return Text(l, visitarchive.ErrorMessage(err))
	}
	return Say(l, MessageOf(e))
}
