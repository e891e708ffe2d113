package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/kv"
)

// registerValueFile adds --value-file to put and cas.
func registerValueFile(cmd *cobra.Command) {
	cmd.Flags().String("value-file", "", "read the value from this file (\"-\": stdin) instead of the command line")
}

// readValue returns the value of put or cas: the VALUE argument, stdin
// when it is "-", or the --value-file. Exactly one source must be given,
// and a value larger than the store accepts is refused before anything
// else happens.
func readValue(cmd *cobra.Command, rest []string) ([]byte, error) {
	file, _ := cmd.Flags().GetString("value-file")
	switch {
	case len(rest) == 1 && file != "":
		return nil, usageError{errors.New("give the value as an argument or with --value-file, not both")}
	case len(rest) == 0 && file == "":
		return nil, usageError{fmt.Errorf("no value: give VALUE, \"-\" for stdin, or --value-file (usage: vr %s)", cmd.Use)}
	case len(rest) == 1 && rest[0] != "-":
		return []byte(rest[0]), nil
	case len(rest) == 1 || file == "-":
		return readLimited(cmd.InOrStdin(), "stdin")
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, usageError{fmt.Errorf("--value-file: %w", err)}
	}
	defer f.Close()
	return readLimited(f, file)
}

// readLimited reads all of r, refusing more than the largest value.
func readLimited(r io.Reader, name string) ([]byte, error) {
	max := kv.DefaultLimits().MaxValue
	b, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, usageError{fmt.Errorf("reading the value from %s: %w", name, err)}
	}
	if len(b) > max {
		return nil, usageError{fmt.Errorf("%w: the value in %s is over %d bytes", kv.ErrValueTooLarge, name, max)}
	}
	return b, nil
}
