package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	va "github.com/visitarchive/visitarchive"
)

// runUser manages accounts and departments from the operator's shell; it
// works beside a running server, which picks the changes up from the
// journal within seconds.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	subs := map[string]func(context.Context, *va.Archive, *userFlags, []string, io.Writer) error{
		"add": userAdd, "passwd": userPasswd, "disable": userDisable, "enable": userEnable,
		"roles": userRoles, "list": userList, "dept": deptAdd,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		fmt.Fprint(stderr, userUsage)
		return flag.ErrHelp
	}
	fs, sf := newFlags("user "+args[0], stderr)
	uf := &userFlags{}
	fs.StringVar(&uf.actor, "actor", env("VISITARCHIVE_ACTOR", env("USER", "operator")), "user name recorded in the journal (VISITARCHIVE_ACTOR)")
	fs.StringVar(&uf.display, "display-name", "", "display name (add)")
	fs.StringVar(&uf.dept, "department", "", "the user's department (add, roles)")
	fs.StringVar(&uf.heads, "heads", "", "departments a supervisor heads, comma-separated (add, roles)")
	fs.StringVar(&uf.grants, "grants", "", "extra grants, comma-separated: sensitive (add, roles)")
	fs.BoolVar(&uf.stdin, "password-stdin", false, "read the password from the first line of standard input (add, passwd)")
	fs.StringVar(&uf.email, "email", "", "e-mail address for notifications (add)")
	rest, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if !va.ValidUserName(uf.actor) {
		return fmt.Errorf("--actor %q is not a valid user name", uf.actor)
	}
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	return subs[args[0]](va.WithActor(ctx, va.UserName(uf.actor)), c.archive, uf, rest, stdout)
}

// parseInterleaved parses flags given before, between or after the
// arguments, as in "user add alice employee --department sales1", and
// returns the arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest, args = append(rest, fs.Arg(0)), fs.Args()[1:]
	}
}

const userUsage = `usage: visitarchive user <command> [flags] ARGS

  add NAME ROLES       create a user; ROLES comma-separated (employee, supervisor,
                       marketing, service, archivist, auditor, manager, sysadmin);
                       prints a random password unless --password-stdin; the user
                       must change it at the first sign-in
  passwd NAME          set a new password (random and printed unless --password-stdin),
                       which the user must change at the next sign-in; ends the
                       user's sessions and revokes their API tokens
  disable NAME         disable a user, end their sessions and revoke their API tokens
  enable NAME          enable a disabled user
  roles NAME ROLES     replace a user's roles (and --department, --heads, --grants)
  list                 list users
  dept ID NAME         create a department
`

type userFlags struct {
	actor, display, dept, heads, grants, email string
	stdin                                      bool
}

// splitList splits a comma-separated flag into its values.
func splitList[T ~string](s string) []T {
	var out []T
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, T(v))
		}
	}
	return out
}

func wantArgs(args []string, n int, usage string) error {
	if len(args) != n {
		return fmt.Errorf("usage: visitarchive user %s", usage)
	}
	return nil
}

func userAdd(ctx context.Context, a *va.Archive, f *userFlags, args []string, stdout io.Writer) error {
	if err := wantArgs(args, 2, "add NAME ROLES [flags]"); err != nil {
		return err
	}
	u := va.User{Name: va.UserName(args[0]), DisplayName: f.display, Email: f.email, Department: va.DepartmentID(f.dept),
		Roles: splitList[va.Role](args[1]), Heads: splitList[va.DepartmentID](f.heads), Grants: splitList[va.Grant](f.grants)}
	if _, err := a.Accounts().CreateUser(ctx, u); err != nil {
		return explain(err)
	}
	fmt.Fprintf(stdout, "Created user %s.\n", u.Name)
	return setPassword(ctx, a, f, u.Name, stdout)
}

func userPasswd(ctx context.Context, a *va.Archive, f *userFlags, args []string, stdout io.Writer) error {
	if err := wantArgs(args, 1, "passwd NAME [--password-stdin]"); err != nil {
		return err
	}
	return setPassword(ctx, a, f, va.UserName(args[0]), stdout)
}

// setPassword sets a password read from stdin, or a random one it prints.
func setPassword(ctx context.Context, a *va.Archive, f *userFlags, name va.UserName, stdout io.Writer) error {
	pw := va.RandomPassword()
	if f.stdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	n, err := a.Accounts().SetPassword(ctx, name, pw)
	if err != nil {
		return explain(err)
	}
	if f.stdin {
		fmt.Fprintf(stdout, "Set the password of %s.\n", name)
	} else {
		fmt.Fprintf(stdout, "Password of %s, shown only this once:\n\n    %s\n\n", name, pw)
	}
	fmt.Fprintf(stdout, "%s must change it at the next sign-in; their sessions have ended and %d API token(s) were revoked.\n", name, n)
	return nil
}

// changeUser applies change to the current version of user name and
// returns the answer of the update.
func changeUser(ctx context.Context, a *va.Archive, name string, change func(*va.User)) (*va.User, error) {
	u, err := a.Accounts().GetUser(ctx, va.UserName(name))
	if err != nil {
		return nil, explain(err)
	}
	change(u)
	if u, err = a.Accounts().UpdateUser(ctx, *u); err != nil {
		return nil, explain(err)
	}
	return u, nil
}

func userDisable(ctx context.Context, a *va.Archive, _ *userFlags, args []string, stdout io.Writer) error {
	if err := wantArgs(args, 1, "disable NAME"); err != nil {
		return err
	}
	u, err := changeUser(ctx, a, args[0], func(u *va.User) { u.Disabled = true })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Disabled %s; their sessions have ended and %d API token(s) were revoked.\n", args[0], u.TokensRevoked)
	return nil
}

func userEnable(ctx context.Context, a *va.Archive, _ *userFlags, args []string, stdout io.Writer) error {
	if err := wantArgs(args, 1, "enable NAME"); err != nil {
		return err
	}
	if _, err := changeUser(ctx, a, args[0], func(u *va.User) { u.Disabled = false }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Enabled %s.\n", args[0])
	return nil
}

func userRoles(ctx context.Context, a *va.Archive, f *userFlags, args []string, stdout io.Writer) error {
	if err := wantArgs(args, 2, "roles NAME ROLES [--department D] [--heads D1,D2] [--grants sensitive]"); err != nil {
		return err
	}
	_, err := changeUser(ctx, a, args[0], func(u *va.User) {
		u.Roles, u.Heads, u.Grants = splitList[va.Role](args[1]), splitList[va.DepartmentID](f.heads), splitList[va.Grant](f.grants)
		if f.dept != "" {
			u.Department = va.DepartmentID(f.dept)
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Roles of %s are now %s.\n", args[0], args[1])
	return nil
}

func userList(ctx context.Context, a *va.Archive, _ *userFlags, args []string, stdout io.Writer) error {
	users, err := a.Accounts().ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDEPARTMENT\tROLES\tHEADS\tGRANTS\tDISABLED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\n", u.Name, u.Department, join(u.Roles), join(u.Heads), join(u.Grants), u.Disabled)
	}
	return tw.Flush()
}

func join[T ~string](s []T) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return strings.Join(out, ",")
}

func deptAdd(ctx context.Context, a *va.Archive, _ *userFlags, args []string, stdout io.Writer) error {
	if err := wantArgs(args, 2, "dept ID NAME"); err != nil {
		return err
	}
	if _, err := a.Accounts().CreateDepartment(ctx, va.Department{ID: va.DepartmentID(args[0]), Name: args[1]}); err != nil {
		return explain(err)
	}
	fmt.Fprintf(stdout, "Created department %s.\n", args[0])
	return nil
}

// explain turns an Invalid error into one line per field.
func explain(err error) error {
	fields := va.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(va.ErrorMessage(err))
	for _, f := range fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return errors.New(b.String())
}
