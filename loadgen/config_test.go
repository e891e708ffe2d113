package loadgen

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	return Config{Clients: 4, Ops: 100, Keys: 100, ValueSize: 16}
}

func TestValidateAcceptsDefaults(t *testing.T) {
	if err := validConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := validConfig()
	c.Ops, c.Duration, c.Distribution, c.KeySize, c.Keys = 0, time.Second, Zipf, 2, 100
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejectsBadConfigs(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no clients", func(c *Config) { c.Clients = 0 }, "clients must be at least 1"},
		{"both", func(c *Config) { c.Duration = time.Second }, "not both"},
		{"neither", func(c *Config) { c.Ops = 0 }, "set a duration or an op count"},
		{"negative", func(c *Config) { c.Ops = -1 }, "must not be negative"},
		{"distribution", func(c *Config) { c.Distribution = "pareto" }, `distribution "pareto"`},
		{"value size", func(c *Config) { c.ValueSize = -1 }, "value size"},
		{"read ratio", func(c *Config) { c.ReadRatio = 1.5 }, "read ratio"},
		{"read ratio NaN", func(c *Config) { c.ReadRatio = math.NaN() }, "read ratio"},
		{"warmup", func(c *Config) { c.Warmup = -time.Second }, "warmup"},
		{"keys", func(c *Config) { c.Keys = 0 }, "keys must be at least 1"},
		{"key size", func(c *Config) { c.KeySize = -3 }, "key size"},
		{"keys do not fit", func(c *Config) { c.KeySize, c.Keys = 2, 101 }, "do not fit in 2-byte keys"},
	}
	for _, tc := range cases {
		c := validConfig()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
		if _, err := Run(context.Background(), c, newFakeStore()); err == nil {
			t.Errorf("%s: Run accepted a bad config", tc.name)
		}
	}
}

func TestRunRejectsNilTarget(t *testing.T) {
	if _, err := Run(context.Background(), validConfig(), nil); err == nil {
		t.Fatal("Run accepted a nil target")
	}
}
