package protocol

import (
	"encoding/json"
	"testing"
)

func TestJSNumberTextPrintsNumbersAsJavaScriptDoes(t *testing.T) {
	cases := map[string]string{
		"0": "0", "-0": "0", "42": "42", "1.0": "1", "1.50": "1.5", "-3.25": "-3.25",
		"1e3": "1000", "1e20": "100000000000000000000", "1e21": "1e+21", "1.5e300": "1.5e+300",
		"0.000001": "0.000001", "1e-7": "1e-7", "-2.5e-8": "-2.5e-8",
		"12345678901234567890": "12345678901234567000", "0.1": "0.1",
	}
	for literal, want := range cases {
		if got := jsNumberText(literal); got != want {
			t.Errorf("jsNumberText(%s) = %s, want %s", literal, got, want)
		}
	}
}

func TestEnvTextKeepsKeyOrderAndReencodesStrings(t *testing.T) {
	cases := map[string]string{
		`"plain"`: "plain",
		`null`:    "",
		`false`:   "false",
		`{ "b" : 1 , "a" : { "c" : [ ] , "d" : {} } }`: `{"b":1,"a":{"c":[],"d":{}}}`,
		`["\u00e9\n", 2.0, true, null, "<&>"]`:         `["é\n",2,true,null,"<&>"]`,
	}
	for raw, want := range cases {
		got, err := EnvText(json.RawMessage(raw))
		if err != nil || got != want {
			t.Errorf("envText(%s) = %q %v, want %q", raw, got, err, want)
		}
	}
}

func TestEncodeJSONMatchesJSONStringifyWithLineSeparatorsEscaped(t *testing.T) {
	got, err := EncodeJSON(map[string]any{"k": "<>&\u2028\u2029\x01\t", "n": 1.5, "list": []any{nil, true}})
	want := `{"k":"<>&\u2028\u2029\u0001\t","list":[null,true],"n":1.5}`
	if err != nil || string(got) != want {
		t.Errorf("got %s %v, want %s", got, err, want)
	}
}

func TestEnvTextDecodesStringsWithAndWithoutEscapes(t *testing.T) {
	cases := map[string]string{
		`"a1b2"`:          "a1b2",
		`""`:              "",
		`"é"`:             "é",
		`"a\"b\\c\u00e9"`: `a"b\cé`,
		"\"a\xffb\"":      "a\ufffdb",
	}
	for raw, want := range cases {
		got, err := EnvText(json.RawMessage(raw))
		if err != nil || got != want {
			t.Errorf("envText(%q) = %q %v, want %q", raw, got, err, want)
		}
	}
}
