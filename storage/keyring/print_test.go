package keyring

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestPrintLeaksNoKey prints and logs a keyring every usual way and looks
// for its keys in the output.
func TestPrintLeaksNoKey(t *testing.T) {
	path, _ := newKeyFile(t)
	kr, err := Rotate(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	var js, text bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("loaded", "keyring", kr, "value", *kr)
	slog.New(slog.NewTextHandler(&text, nil)).Info("loaded", "keyring", kr)
	outputs := map[string]string{
		"fmt pointer": fmt.Sprintf("%v %+v %#v %s %q %x %X %d", kr, kr, kr, kr, kr, kr, kr, kr),
		"fmt value":   fmt.Sprintf("%v %+v %#v %s %x", *kr, *kr, *kr, *kr, *kr),
		"fmt nested":  fmt.Sprintf("%v %+v", struct{ K *Keyring }{kr}, []*Keyring{kr}),
		"slog json":   js.String(),
		"slog text":   text.String(),
	}
	for name, out := range outputs {
		for _, s := range secrets(t, path) {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains a key: %s", name, out)
			}
		}
		for _, id := range kr.IDs() {
			if !strings.Contains(out, id) {
				t.Errorf("%s output lacks id %s: %s", name, id, out)
			}
		}
	}
	t.Log(outputs["fmt pointer"])
	t.Log(outputs["slog json"])
}
