package kv

import (
	"errors"
	"fmt"
)

// Sentinel errors. Validation errors wrap them with detail; Result.Err
// returns them bare. Test with errors.Is.
var (
	// ErrEmptyKey rejects an empty key where a key is required.
	ErrEmptyKey = errors.New("kv: empty key")
	// ErrKeyTooLarge rejects a key (or scan bound, or prefix) longer than
	// Limits.MaxKey.
	ErrKeyTooLarge = errors.New("kv: key too large")
	// ErrValueTooLarge rejects a value longer than Limits.MaxValue.
	ErrValueTooLarge = errors.New("kv: value too large")
	// ErrScanLimit rejects a negative scan limit or one above
	// Limits.MaxScan.
	ErrScanLimit = errors.New("kv: bad scan limit")
	// ErrNotInteger rejects an Incr of a key whose value is not a decimal
	// 64-bit integer.
	ErrNotInteger = errors.New("kv: value is not an integer or out of range")
	// ErrOverflow rejects an Incr whose result would not fit in 64 bits.
	ErrOverflow = errors.New("kv: increment or decrement would overflow")
	// ErrBadCommand rejects a command that does not decode or has an
	// unknown kind.
	ErrBadCommand = errors.New("kv: bad command")
	// ErrBadResult is returned by DecodeResult for malformed input.
	ErrBadResult = errors.New("kv: bad result")
	// ErrBadSnapshot is returned by Restore for a malformed, corrupted or
	// unsupported snapshot.
	ErrBadSnapshot = errors.New("kv: bad snapshot")
)

// Code is the error code a Result carries. CodeOK means the command was
// executed; any other code means it was rejected without changing state.
type Code uint8

// The result codes.
const (
	CodeOK Code = iota
	CodeBadCommand
	CodeEmptyKey
	CodeKeyTooLarge
	CodeValueTooLarge
	CodeScanLimit
	CodeNotInteger
	CodeOverflow
	codeCount // first invalid code
)

// codeErrs maps each rejection code to its sentinel error.
var codeErrs = [codeCount]error{
	CodeBadCommand:    ErrBadCommand,
	CodeEmptyKey:      ErrEmptyKey,
	CodeKeyTooLarge:   ErrKeyTooLarge,
	CodeValueTooLarge: ErrValueTooLarge,
	CodeScanLimit:     ErrScanLimit,
	CodeNotInteger:    ErrNotInteger,
	CodeOverflow:      ErrOverflow,
}

// Err returns the sentinel error for c, nil for CodeOK. An unknown code
// maps to an error wrapping ErrBadResult.
func (c Code) Err() error {
	if c >= codeCount {
		return fmt.Errorf("%w: unknown code %d", ErrBadResult, uint8(c))
	}
	return codeErrs[c]
}

// CodeOf returns the code for err: CodeOK for nil, the matching code for an
// error wrapping one of the command sentinels, and CodeBadCommand otherwise.
func CodeOf(err error) Code {
	if err == nil {
		return CodeOK
	}
	for c := CodeOK + 1; c < codeCount; c++ {
		if errors.Is(err, codeErrs[c]) {
			return c
		}
	}
	return CodeBadCommand
}

// String returns "ok" or the text of the code's sentinel error.
func (c Code) String() string {
	if c == CodeOK {
		return "ok"
	}
	if c >= codeCount {
		return fmt.Sprintf("Code(%d)", uint8(c))
	}
	return codeErrs[c].Error()
}
