package action

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestFieldsSlicesTheObjectWithoutCopying(t *testing.T) {
	raw := json.RawMessage(` { "a" : [1, {"b": "}"}] , "\u0063" : "x\"y" , "a":null, "n": -1.5e3 } `)
	fields, err := Fields(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "null", "c": `"x\"y"`, "n": "-1.5e3"}
	if fmt.Sprint(len(fields)) != "3" {
		t.Fatalf("fields %v", fields)
	}
	for key, value := range want {
		if string(fields[key]) != value {
			t.Errorf("%s = %s, want %s", key, fields[key], value)
		}
	}
	if &fields["n"][0] != &raw[len(raw)-9] {
		t.Error("a value was copied")
	}
	for _, notObject := range []string{`[1]`, `"x"`, `3`, ``} {
		if _, err := Fields(json.RawMessage(notObject)); err == nil {
			t.Errorf("%q: no error", notObject)
		}
	}
	empty, err := Fields(json.RawMessage(`{}`))
	if err != nil || len(empty) != 0 {
		t.Errorf("{}: %v %v", empty, err)
	}
}
