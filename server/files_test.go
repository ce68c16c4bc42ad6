package server

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"unicode/utf16"
)

// Files of each kind the archive takes, made in the tests: small, but
// what a content detector tells apart.

func pdfFile() []byte {
	return []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func pngFile(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegFile(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 32, 16))
	for x := range 32 {
		for y := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 16), 90, 255})
		}
	}
	return img
}

// tiffFile is a little-endian TIFF of one 1×1 grey pixel.
func tiffFile() []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("II*\x00")
	w(uint32(8)) // the first IFD
	entries := [][3]uint32{{256, 3, 1}, {257, 3, 1}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1}, {273, 4, 8 + 2 + 8*12 + 4}, {277, 3, 1}, {279, 4, 1}}
	w(uint16(len(entries)))
	for _, e := range entries {
		w(uint16(e[0]))
		w(uint16(e[1]))
		w(uint32(1))
		w(e[2])
	}
	w(uint32(0))
	b.WriteByte(0x80)
	return b.Bytes()
}

// ooxmlFile is an Office Open XML package whose main part lives in dir
// ("word" or "xl"), zipped in the order Office writes it.
func ooxmlFile(t *testing.T, dir string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "docProps/app.xml", dir + "/_rels/document.xml.rels", dir + "/document.xml"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><x>拜访记录</x>`))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// cfbFile is a Compound File (OLE2) of version 3 whose root storage
// holds one empty stream named stream: "WordDocument" makes a Word
// 97-2003 file, "Workbook" an Excel one.
func cfbFile(stream string) []byte {
	const sector = 512
	out := make([]byte, 3*sector)
	le := binary.LittleEndian
	h := out[:sector]
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(h[24:], 0x3E)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xFFFE)
	le.PutUint16(h[30:], 9) // 512-byte sectors
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], 1)    // FAT sectors
	le.PutUint32(h[48:], 1)    // first directory sector
	le.PutUint32(h[56:], 4096) // mini stream cutoff
	le.PutUint32(h[60:], 0xFFFFFFFE)
	le.PutUint32(h[68:], 0xFFFFFFFE)
	for i := 76; i < sector; i += 4 {
		le.PutUint32(h[i:], 0xFFFFFFFF)
	}
	le.PutUint32(h[76:], 0) // the FAT is sector 0
	fat := out[sector : 2*sector]
	for i := 0; i < sector; i += 4 {
		le.PutUint32(fat[i:], 0xFFFFFFFF)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD) // sector 0: FAT
	le.PutUint32(fat[4:], 0xFFFFFFFE) // sector 1: directory, end of chain
	dir := out[2*sector:]
	entry := func(i int, name string, typ byte, child uint32) {
		e := dir[i*128 : (i+1)*128]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1 // black
		le.PutUint32(e[68:], 0xFFFFFFFF)
		le.PutUint32(e[72:], 0xFFFFFFFF)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], 0xFFFFFFFE)
	}
	entry(0, "Root Entry", 5, 1)
	entry(1, stream, 2, 0xFFFFFFFF)
	for i := 2; i < 4; i++ {
		e := dir[i*128 : (i+1)*128]
		le.PutUint32(e[68:], 0xFFFFFFFF)
		le.PutUint32(e[72:], 0xFFFFFFFF)
		le.PutUint32(e[76:], 0xFFFFFFFF)
	}
	return out
}

// elfFile is the start of a 64-bit Linux executable.
func elfFile() []byte {
	b := make([]byte, 128)
	copy(b, "\x7fELF\x02\x01\x01\x00")
	return b
}

// exeFile is the start of a Windows executable.
func exeFile() []byte {
	b := make([]byte, 256)
	copy(b, "MZ")
	return b
}
