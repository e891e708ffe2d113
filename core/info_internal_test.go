package core

import (
	"reflect"
	"testing"
)

// TestInfoToSetsEveryField: InfoTo into an Info whose every field holds
// something gives what Info gives, so a field added to Info and not set
// by InfoTo (a reused Info would keep its old value) fails here.
func TestInfoToSetsEveryField(t *testing.T) {
	r, err := New(Config{ReplicaCount: 3, Index: 1}, nopMachine{})
	if err != nil {
		t.Fatal(err)
	}
	var stale Info
	v := reflect.ValueOf(&stale).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		fill(t, v.Type().Field(i).Name, f)
	}
	if reflect.DeepEqual(stale, Info{}) {
		t.Fatal("the filled Info is zero")
	}
	r.InfoTo(&stale)
	if want := r.Info(); !reflect.DeepEqual(stale, want) {
		t.Fatalf("InfoTo left fields of the Info it refilled:\n got %+v\nwant %+v", stale, want)
	}
}

// fill sets f, of an Info, to a value no replica reports.
func fill(t *testing.T, name string, f reflect.Value) {
	switch f.Kind() {
	case reflect.Int, reflect.Int64:
		f.SetInt(-7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.SetUint(uint64(f.Type().Size())*8 - 1)
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Slice:
		f.Set(reflect.MakeSlice(f.Type(), 9, 9))
	case reflect.Struct:
		for i := range f.NumField() {
			if f.Type().Field(i).IsExported() {
				fill(t, name+"."+f.Type().Field(i).Name, f.Field(i))
			}
		}
	default:
		t.Fatalf("Info field %s is a %v: teach fill to set it", name, f.Kind())
	}
}
