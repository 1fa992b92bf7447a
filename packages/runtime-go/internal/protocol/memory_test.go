package protocol

import (
	"os"
	"testing"
)

func TestCgroupMemoryLimit(t *testing.T) {
	files := func(contents map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if text, ok := contents[name]; ok {
				return []byte(text), nil
			}
			return nil, os.ErrNotExist
		}
	}
	v2, v1 := cgroupMemoryFiles[0], cgroupMemoryFiles[1]
	cases := []struct {
		name     string
		contents map[string]string
		want     int64
	}{
		{"v2", map[string]string{v2: "268435456\n"}, 268435456},
		{"v2 unlimited", map[string]string{v2: "max\n"}, 0},
		{"v1", map[string]string{v1: "268435456\n"}, 268435456},
		{"v1 unlimited", map[string]string{v1: "9223372036854771712\n"}, 0},
		{"none", map[string]string{}, 0},
		{"garbage", map[string]string{v1: "lots"}, 0},
	}
	for _, c := range cases {
		if got := cgroupMemoryLimit(files(c.contents), cgroupMemoryFiles); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
