package visitarchive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Each event that needs someone's action lands in that person's inbox as a
// Notification object (inbox/<user>/<id>.json), journaled with the change
// that caused it. Reading it writes a marker beside it
// (<id>.read.json), so that nothing is overwritten. When a Mailer is
// configured, the notification is also mailed to users with an e-mail
// address; the inbox stays the record of it.

// Notification events.
const (
	EventPlanSubmitted   = "plan.submitted"   // to the deciders
	EventPlanDecided     = "plan.decided"     // to the planner and visitors
	EventPlanEscalated   = "plan.escalated"   // to the managers, and the planner
	EventPlanApproved    = "plan.approved"    // to marketing and customer service
	EventPlanChanged     = "plan.changed"     // to marketing and customer service
	EventPlanCancelled   = "plan.cancelled"   // to everyone the plan concerns
	EventRecordSubmitted = "record.submitted" // to the reviewers
	EventRecordReturned  = "record.returned"  // to the author
	EventRecordApproved  = "record.approved"  // to the author and the archivists
	EventRecordOverdue   = "record.overdue"   // to the author and the supervisors
	// The reminders of the jobs (archive_reminders.go).
	EventPlanRecordDue       = "plan.record_due"       // to the planner and visitors
	EventPlanRecordMissing   = "plan.record_missing"   // to the supervisors, planner and visitors
	EventRecordReviewDue     = "record.review_due"     // to the reviewers
	EventRecordReviewOverdue = "record.review_overdue" // to the reviewers' supervisor, or the managers
	EventPasswordReset       = "user.password"         // to the user whose password someone else set
)

// Notification is one message in a user's inbox.
type Notification struct {
	ID      string       `json:"id"`
	To      UserName     `json:"to"`
	Time    time.Time    `json:"time"`
	Event   string       `json:"event"`
	Kind    ResourceKind `json:"kind"`   // record, plan or user
	Object  string       `json:"object"` // its id
	From    UserName     `json:"from,omitempty"`
	Message string       `json:"message"`
	// Read is whether the user has marked it read; never stored.
	Read bool `json:"read"`
}

// Inbox holds every user's notifications; the Archive holds one
// (Archive.Inbox) and delivers to it with the changes that cause them.
type Inbox struct{ a *Archive }

// Inbox returns the inboxes of a's users.
func (a *Archive) Inbox() *Inbox { return a.inbox }

// notice is a notification before it has recipients.
type notice struct {
	event   string
	kind    ResourceKind
	object  string
	message string
	to      []UserName
}

// deliver writes each notice to the inbox of each of its recipients
// except the caller, and returns the changes to journal with the write
// that caused them; the mail goes out once the caller has committed (see
// mail). On an error nothing is left behind.
func (in *Inbox) deliver(ctx context.Context, ns ...notice) ([]Change, []*Notification, error) {
	var changes []Change
	var sent []*Notification
	for _, n := range ns {
		c, s, err := in.deliverOne(ctx, n)
		changes, sent = append(changes, c...), append(sent, s...)
		if err != nil {
			for _, c := range changes {
				in.a.dropObject(ctx, c.Key)
			}
			return nil, nil, err
		}
	}
	return changes, sent, nil
}

func (in *Inbox) deliverOne(ctx context.Context, n notice) ([]Change, []*Notification, error) {
	from := ActorFrom(ctx)
	to := slices.Clone(n.to)
	slices.Sort(to)
	var changes []Change
	var sent []*Notification
	for _, to := range slices.Compact(to) {
		if to == from || to == "" {
			continue
		}
		now := in.a.now().UTC()
		m := &Notification{ID: NewID("N", now), To: to, Time: now, Event: n.event, Kind: n.kind,
			Object: n.object, From: from, Message: n.message}
		key := NotificationKey(to, m.ID)
		info, err := in.a.put(ctx, key, m)
		if err != nil {
			return changes, sent, err
		}
		changes = append(changes, Change{Action: "inbox.deliver", Key: key, SHA256: info.SHA256})
		sent = append(sent, m)
	}
	return changes, sent, nil
}

// mail sends notes by e-mail to those of their recipients who have an
// address, in the background: a mail server that is down delays nothing
// and loses nothing, since the inbox holds every notification.
func (in *Inbox) mail(notes []*Notification) {
	if in.a.mailer == nil {
		return
	}
	for _, n := range notes {
		u := in.a.accounts.user(n.To)
		if u == nil || u.Email == "" || u.Disabled {
			continue
		}
		m := Mail{To: []string{u.Email}, Subject: "[visitarchive] " + n.Message,
			Body: n.Message + "\n\n" + string(n.Kind) + " " + n.Object + " (" + n.Event + ")\n"}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := in.a.mailer.Send(ctx, m); err != nil {
				in.a.log.Warn("notification not mailed; it is in the inbox", "to", n.To, "event", n.Event, "err", err)
			}
		}()
	}
}

// InboxPage is one page of a user's notifications, newest first.
type InboxPage struct {
	Total         int             `json:"total"`
	Unread        int             `json:"unread"`
	Notifications []*Notification `json:"notifications"`
}

// List returns the caller's notifications, newest first; only the
// unread ones when unreadOnly. The read is logged, naming the
// notifications shown: they tell of customers, visits and people.
func (in *Inbox) List(ctx context.Context, unreadOnly bool, page, size int) (*InboxPage, error) {
	const op = "inbox.list"
	me, err := in.owner(ctx, op)
	if err != nil {
		return nil, err
	}
	var c checker
	c.pageSize(&page, &size)
	if err := c.result(op, "query"); err != nil {
		return nil, err
	}
	ids, read, err := in.ids(ctx, me)
	if err != nil {
		return nil, err
	}
	out := &InboxPage{Total: len(ids), Notifications: []*Notification{}}
	var show []string
	for _, id := range slices.Backward(ids) {
		if !read[id] {
			out.Unread++
		}
		if !unreadOnly || !read[id] {
			show = append(show, id)
		}
	}
	if unreadOnly {
		out.Total = len(show)
	}
	lo := min((page-1)*size, len(show))
	show = show[lo:min(lo+size, len(show))]
	out.Notifications = make([]*Notification, len(show))
	err = parallel(ctx, len(show), func(i int) error {
		var n Notification
		if err := in.a.readObject(ctx, NotificationKey(me, show[i]), &n); err != nil {
			return err
		}
		n.Read = read[n.ID]
		out.Notifications[i] = &n
		return nil
	})
	if err != nil || len(show) == 0 {
		return out, err
	}
	ev := Change{Action: ActionInboxRead, Key: InboxPrefix + string(me), Fields: []string{"notifications"},
		Detail: fmt.Sprintf("%d notification(s): %s", len(show), strings.Join(show, " "))}
	return out, in.a.logAccess(ctx, op, []Change{ev})
}

// Unread returns how many of the caller's notifications are unread. It
// reads none of them, so it is no read of their content and is not
// logged: a page shows it in its header on every request.
func (in *Inbox) Unread(ctx context.Context) (int, error) {
	me, err := in.owner(ctx, "inbox.unread")
	if err != nil {
		return 0, err
	}
	ids, read, err := in.ids(ctx, me)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if !read[id] {
			n++
		}
	}
	return n, nil
}

// ids lists the notification ids of user me, oldest first, and which
// are read.
func (in *Inbox) ids(ctx context.Context, me UserName) ([]string, map[string]bool, error) {
	var ids []string
	read := map[string]bool{}
	prefix := InboxPrefix + string(me) + "/"
	for _, e := range in.a.catalog.objects(prefix) {
		name := strings.TrimPrefix(e.key, prefix)
		if id, ok := strings.CutSuffix(name, ".read.json"); ok {
			read[id] = true
		} else if id, ok := strings.CutSuffix(name, ".json"); ok {
			ids = append(ids, id)
		}
	}
	return ids, read, nil
}

// owner returns the signed-in caller; an inbox is personal.
func (in *Inbox) owner(ctx context.Context, op string) (UserName, error) {
	p, err := signedIn(ctx, op)
	if err != nil {
		return "", err
	}
	return p.Name, nil
}

// MarkRead marks notifications of the caller read: those named, or all
// when ids is empty. It returns how many it marked; marking one twice is
// not an error.
func (in *Inbox) MarkRead(ctx context.Context, ids []string) (int, error) {
	const op = "inbox.read"
	me, err := in.owner(ctx, op)
	if err != nil {
		return 0, err
	}
	all, read, err := in.ids(ctx, me)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		ids = all
	}
	for _, id := range ids {
		if !slices.Contains(all, id) {
			return 0, E(op, NotFound, nil, "notification %s not found in your inbox; nothing was marked", id)
		}
	}
	var changes []Change
	for _, id := range ids {
		if read[id] {
			continue
		}
		key := NotificationReadKey(me, id)
		info, err := in.a.put(ctx, key, map[string]any{"read_at": in.a.now().UTC()})
		if IsKind(err, Conflict) {
			continue // marked meanwhile, by another tab
		}
		if err != nil {
			return 0, err
		}
		changes = append(changes, Change{Action: "inbox.read", Key: key, SHA256: info.SHA256, Actor: me})
	}
	if len(changes) == 0 {
		return 0, nil
	}
	if _, err := in.a.append(ctx, changes...); err != nil {
		for _, c := range changes {
			in.a.dropObject(ctx, c.Key)
		}
		return 0, err
	}
	return len(changes), nil
}
