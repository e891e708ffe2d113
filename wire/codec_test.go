package wire

import (
	"reflect"
	"testing"

	"github.com/vr-go/vr/message"
)

// TestCodecForEveryType checks the codec table against package message's
// types: every type has a codec and no other value does, and each codec
// round trips its own type and refuses every other.
func TestCodecForEveryType(t *testing.T) {
	byType := map[message.Type]message.Message{}
	for _, s := range samples() {
		if _, ok := byType[s.m.Type()]; !ok {
			byType[s.m.Type()] = s.m
		}
	}
	for i := 0; i < 256; i++ {
		typ := message.Type(i)
		cd := codecOf(typ)
		if !typ.Valid() {
			if cd != nil || (i < len(codecs) && (codecs[i].encode != nil || codecs[i].decode != nil)) {
				t.Errorf("%v is no message type but has a codec", typ)
			}
			continue
		}
		if cd == nil || cd.encode == nil {
			t.Errorf("%v has no codec", typ)
			continue
		}
		m, ok := byType[typ]
		if !ok {
			t.Errorf("%v has no sample", typ)
			continue
		}
		checkCodec(t, typ, cd, m)
	}
}

// checkCodec checks that cd round trips m, of type typ, and that no other
// type's encoder takes m.
func checkCodec(t *testing.T, typ message.Type, cd *codec, m message.Message) {
	t.Helper()
	body, err := cd.encode(nil, m)
	if err != nil {
		t.Errorf("%v: encode: %v", typ, err)
		return
	}
	got, err := cd.decode(cursor{b: body, lim: DefaultLimits()})
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("%v: decoded %+v, %v; want %+v", typ, got, err, m)
	}
	for _, other := range message.Types() {
		if ocd := codecOf(other); other != typ && ocd != nil {
			if _, err := ocd.encode(nil, m); !isErr(err, ErrUnknownType) {
				t.Errorf("the encoder of %v takes a %v: %v", other, typ, err)
			}
		}
	}
}
