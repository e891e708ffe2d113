package message

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// typeConstants returns the names of the constants of type Type declared
// in the package's source.
func typeConstants(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			names = append(names, constantsOfType(d, "Type")...)
		}
	}
	sort.Strings(names)
	return names
}

// constantsOfType returns the names that d declares as constants of the
// named type, following the implicit repetition of a const block.
func constantsOfType(d ast.Decl, typ string) []string {
	g, ok := d.(*ast.GenDecl)
	if !ok || g.Tok != token.CONST {
		return nil
	}
	var names []string
	in := false
	for _, s := range g.Specs {
		v := s.(*ast.ValueSpec)
		if v.Type != nil || len(v.Values) > 0 {
			id, ok := v.Type.(*ast.Ident)
			in = ok && id.Name == typ
		}
		if in {
			for _, n := range v.Names {
				names = append(names, n.Name)
			}
		}
	}
	return names
}

// Every constant of type Type has an entry in the table, and every entry a
// constant named after it.
func TestEveryTypeConstantHasAnEntry(t *testing.T) {
	consts := typeConstants(t)
	if len(consts) == 0 {
		t.Fatal("found no constants of type Type")
	}
	var entries []string
	for _, typ := range Types() {
		entries = append(entries, "Type"+typ.String())
	}
	sort.Strings(entries)
	if !reflect.DeepEqual(consts, entries) {
		t.Fatalf("constants of type Type and table entries differ:\nconstants %v\n  entries %v", consts, entries)
	}
	for i := 0; i < 256; i++ {
		typ := Type(i)
		if typ.Valid() != (lookup(typ) != nil) || typ.Valid() != (New(typ) != nil) {
			t.Errorf("%v: Valid %v, New %v", typ, typ.Valid(), New(typ))
		}
	}
}

// TestEntries checks each entry against the shape of its struct.
func TestEntries(t *testing.T) {
	for _, typ := range Types() {
		t.Run(typ.String(), func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("entry incomplete: %v", r)
				}
			}()
			if s := lookup(typ); s.attrs == nil || s.key == nil || s.size == nil {
				t.Fatalf("entry without attrs (%v), key (%v) or size (%v)", s.attrs != nil, s.key != nil, s.size != nil)
			}
			checkIdentity(t, typ)
			checkSender(t, typ)
			checkCopy(t, typ)
			checkAttrs(t, typ)
			checkBulky(t, typ)
			_ = Fingerprint(filled(typ))
			_ = Fingerprint(New(typ))
		})
	}
}

// checkIdentity checks the name, the zero value and the route.
func checkIdentity(t *testing.T, typ Type) {
	t.Helper()
	m := New(typ)
	if m.Type() != typ {
		t.Errorf("New(%v).Type() = %v", typ, m.Type())
	}
	if name := reflect.TypeOf(m).Elem().Name(); typ.String() != name {
		t.Errorf("name %q, struct %s", typ.String(), name)
	}
	if r := typ.Route(); r < ClientToReplica || r > ReplicaToReplica {
		t.Errorf("route %d", r)
	}
}

// checkSender checks that the sender is the Replica field, if the struct
// has one, and that no sender is claimed otherwise.
func checkSender(t *testing.T, typ Type) {
	t.Helper()
	m := New(typ)
	f := reflect.ValueOf(m).Elem().FieldByName("Replica")
	if !f.IsValid() {
		if r, ok := Sender(m); ok {
			t.Errorf("no Replica field, but Sender gives %d", r)
		}
		return
	}
	f.SetUint(0xA5)
	if r, ok := Sender(m); !ok || r != 0xA5 {
		t.Errorf("Replica 0xA5, Sender gives %d, %v", r, ok)
	}
}

// checkCopy checks that Copy gives an equal message at another address.
func checkCopy(t *testing.T, typ Type) {
	t.Helper()
	m := filled(typ)
	c := Copy(m)
	if c == m || !reflect.DeepEqual(c, m) {
		t.Fatalf("Copy(%+v) = %+v", m, c)
	}
	reflect.ValueOf(c).Elem().Field(0).SetZero()
	if reflect.ValueOf(m).Elem().Field(0).IsZero() {
		t.Error("the copy shares its fields with the original")
	}
}

// checkAttrs checks that a message logs at least one attribute, each with
// a key.
func checkAttrs(t *testing.T, typ Type) {
	t.Helper()
	prefix := []slog.Attr{slog.String("dir", "recv")}
	for _, m := range []Message{New(typ), filled(typ)} {
		got := AppendAttrs(prefix, m)
		if len(got) < 2 || !got[0].Equal(prefix[0]) {
			t.Errorf("AppendAttrs(%+v) = %v", m, got)
		}
		for _, a := range got {
			if a.Key == "" {
				t.Errorf("attribute without key in %v", got)
			}
		}
	}
}

// checkBulky checks that a message between replicas is bulky when it
// carries entries or bytes, and that client messages never are.
func checkBulky(t *testing.T, typ Type) {
	t.Helper()
	if Bulky(New(typ)) {
		t.Error("the zero message is bulky")
	}
	s := reflect.TypeOf(New(typ)).Elem()
	carries := false
	for i := 0; i < s.NumField(); i++ {
		carries = carries || s.Field(i).Type.Kind() == reflect.Slice
	}
	want := carries && typ.Route() == ReplicaToReplica
	if got := Bulky(filled(typ)); got != want {
		t.Errorf("filled message bulky %v, want %v", got, want)
	}
}

// filled returns a message of type typ with every field non-zero.
func filled(typ Type) Message {
	m := New(typ)
	v := reflect.ValueOf(m).Elem()
	for i := 0; i < v.NumField(); i++ {
		fill(v.Field(i), uint64(i+1))
	}
	return m
}

// fill sets f to a non-zero value derived from n.
func fill(f reflect.Value, n uint64) {
	switch f.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.SetUint(n)
	case reflect.Bool:
		f.SetBool(true)
	case reflect.String:
		f.SetString(fmt.Sprint("s", n))
	case reflect.Slice:
		s := reflect.MakeSlice(f.Type(), 1, 1)
		if e := s.Index(0); e.Kind() == reflect.Struct {
			for i := 0; i < e.NumField(); i++ {
				fill(e.Field(i), n+uint64(i))
			}
		} else {
			fill(e, n)
		}
		f.Set(s)
	default:
		panic("fill: unexpected kind " + f.Kind().String())
	}
}

// Messages that are nil, nil pointers or of another package are nobody's:
// the functions give zero answers rather than panic.
func TestForeignMessages(t *testing.T) {
	for _, m := range []Message{nil, (*Commit)(nil), (*CheckpointChunk)(nil), foreign{}} {
		if r, ok := Sender(m); ok || r != 0 {
			t.Errorf("Sender(%#v) = %d, %v", m, r, ok)
		}
		if Copy(m) != m || Bulky(m) || Fingerprint(m) != 0 || len(AppendAttrs(nil, m)) != 0 {
			t.Errorf("%#v has an entry", m)
		}
	}
	if Type(0).Valid() || Type(0).Route() != 0 || New(0) != nil || Type(200).String() != "Type(200)" {
		t.Error("type 0 or 200 is known")
	}
}

// foreign claims a known type but is not one of the package's structs.
type foreign struct{}

func (foreign) Type() Type { return TypeCommit }
