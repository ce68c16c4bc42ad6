package visitarchive

import "context"

// Mailer sends notifications by e-mail. The Archive decides what to mail
// to whom (inbox.go); an adapter such as smtpmail delivers it.
type Mailer interface {
	// Send delivers m to the mail server. It returns nil once the server
	// has accepted the message for every recipient; an Invalid error when
	// m cannot be sent as it is (no recipient, a bad address, CR or LF in
	// a header); an Unavailable error when the server cannot be reached,
	// refuses the message or ctx ends first (the error then wraps
	// ctx.Err()).
	Send(ctx context.Context, m Mail) error
}

// Mail is one plain-text notification. Subject and Body are UTF-8 and may
// be Chinese.
type Mail struct {
	To      []string // addresses, "a@example.com" or "张三 <a@example.com>"
	Subject string
	Body    string
}
