package policy

import (
	"testing"

	va "github.com/visitarchive/visitarchive"
)

func BenchmarkAllowed(b *testing.B) {
	e := newEnforcer(b, propertyUsers()...)
	p := va.PrincipalOf(propertyUsers()[0])
	res := va.Resource{Kind: va.KindRecord, Department: "sales", Owner: p.Name, Status: va.StatusDraft}
	for b.Loop() {
		e.Allowed(p, va.PermUpdate, res)
	}
}

func BenchmarkScope(b *testing.B) {
	e := newEnforcer(b, propertyUsers()...)
	p := va.PrincipalOf(propertyUsers()[2])
	for b.Loop() {
		e.Scope(p, va.PermRead, va.KindRecord)
	}
}

func BenchmarkArgon2idDefault(b *testing.B) {
	a := DefaultArgon2id()
	h, _ := a.Hash("correct horse battery")
	for b.Loop() {
		a.Verify(h, "correct horse battery")
	}
}
