//go:build !unix

package sockio

import "errors"

// rawCalls is false: Wrap leaves connections alone here.
const rawCalls = false

// errNoRawCalls is what the raw calls return where there are none (they
// are never reached: Wrap does not wrap, and the transport makes no
// non-blocking writes on such platforms).
var errNoRawCalls = errors.ErrUnsupported

func sysWrite(int, []byte) (int, error) { return 0, errNoRawCalls }

func sysRead(int, []byte) (int, error) { return 0, errNoRawCalls }
