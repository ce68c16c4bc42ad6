package scan

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/visitarchive/visitarchive"
)

func TestParseQR(t *testing.T) {
	for _, tc := range []struct {
		text string
		want visitarchive.RecordID
		ok   bool
	}{
		{Payload(rec1), rec1, true},
		{"visitarchive:v1:record:R01JD3X9K2M4N6P8Q0S2T4V6W8", rec1, true},
		{"visitarchive:v1:record:imported_42", "imported_42", true},
		{"visitarchive:v1:record:", "", false},
		{"visitarchive:v2:record:" + string(rec1), "", false},
		{"VISITARCHIVE:V1:RECORD:" + string(rec1), "", false},
		{"visitarchive:record:" + string(rec1), "", false},
		{" visitarchive:v1:record:" + string(rec1), "", false},
		{Payload(rec1) + "\n", "", false},
		{Payload(rec1) + " ", "", false},
		{"visitarchive:v1:record:../secret", "", false},
		{"visitarchive:v1:record:R1/R2", "", false},
		{"visitarchive:v1:record:" + string(bytes.Repeat([]byte("A"), 65)), "", false},
		{"https://example.com/" + string(rec1), "", false},
		{string(rec1), "", false},
		{"", "", false},
	} {
		got, ok := ParseQR(tc.text)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseQR(%q) = %q, %v; want %q, %v", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}

// TestQRPNG decodes the PNG of a cover sheet's code back to its record
// with gozxing, at the sizes a page may ask for.
func TestQRPNG(t *testing.T) {
	for _, size := range []int{0, 128, 300, DefaultQRSize, 1024} {
		data, err := QRPNG(rec1, size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		want := size
		if size == 0 {
			want = DefaultQRSize
		}
		if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
			t.Errorf("size %d: got %v", size, b)
		}
		if got := readQR(toGray(img), false); got.Record != rec1 {
			t.Errorf("size %d: decoded %+v, want %s", size, got, rec1)
		}
	}
	for _, tc := range []struct {
		id   visitarchive.RecordID
		size int
	}{{"", 0}, {"R1/..", 0}, {rec1, 10}, {rec1, 5000}} {
		if _, err := QRPNG(tc.id, tc.size); !visitarchive.IsKind(err, visitarchive.Invalid) {
			t.Errorf("QRPNG(%q, %d): %v, want Invalid", tc.id, tc.size, err)
		}
	}
}
