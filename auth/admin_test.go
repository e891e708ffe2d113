package auth

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestAdminSealOpen(t *testing.T) {
	secret := []byte("0123456789abcdef")
	sealed := SealAdmin(secret, 7, 9, 3, []byte("payload"))
	if p, ok := OpenAdmin(secret, 7, 9, 3, sealed); !ok || !bytes.Equal(p, []byte("payload")) {
		t.Fatalf("open: %q %v", p, ok)
	}
	for name, open := range map[string]func() bool{
		"other secret":  func() bool { _, ok := OpenAdmin([]byte("0123456789abcdeF"), 7, 9, 3, sealed); return ok },
		"no secret":     func() bool { _, ok := OpenAdmin(nil, 7, 9, 3, sealed); return ok },
		"other cluster": func() bool { _, ok := OpenAdmin(secret, 8, 9, 3, sealed); return ok },
		"other client":  func() bool { _, ok := OpenAdmin(secret, 7, 10, 3, sealed); return ok },
		"other request": func() bool { _, ok := OpenAdmin(secret, 7, 9, 4, sealed); return ok },
		"short":         func() bool { _, ok := OpenAdmin(secret, 7, 9, 3, sealed[:10]); return ok },
		"flipped": func() bool {
			b := bytes.Clone(sealed)
			b[0] ^= 1
			_, ok := OpenAdmin(secret, 7, 9, 3, b)
			return ok
		},
	} {
		if open() {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLoadAdminSecret(t *testing.T) {
	dir := t.TempDir()
	good, short := filepath.Join(dir, "good"), filepath.Join(dir, "short")
	_ = os.WriteFile(good, []byte("  0123456789abcdef\n"), 0o600)
	_ = os.WriteFile(short, []byte("short\n"), 0o600)
	if s, err := LoadAdminSecret(good); err != nil || string(s) != "0123456789abcdef" {
		t.Fatalf("good: %q %v", s, err)
	}
	for _, p := range []string{short, filepath.Join(dir, "missing")} {
		if _, err := LoadAdminSecret(p); !errors.Is(err, ErrAdminSecret) {
			t.Errorf("%s: %v", p, err)
		}
	}
}
