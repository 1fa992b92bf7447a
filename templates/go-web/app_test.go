package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// run sends a web request's params, as the controller does, through the handler main serves.
func run(t *testing.T, method, path, query string) map[string]any {
	t.Helper()
	params, _ := json.Marshal(map[string]any{
		"__ow_method": method, "__ow_headers": map[string]string{"host": "example.test"},
		"__ow_path": path, "__ow_query": query, "__ow_body": "",
	})
	result, err := handler(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	encoded, _ := json.Marshal(result)
	var answer map[string]any
	_ = json.Unmarshal(encoded, &answer)
	return answer
}

func TestPageGreetsTheName(t *testing.T) {
	answer := run(t, "get", "", "name=Ada")
	if answer["statusCode"] != 200.0 || !strings.Contains(answer["body"].(string), "<h1>"+greeting+", Ada</h1>") {
		t.Errorf("page: %v", answer)
	}
}

func TestJSONGreetsTheWorld(t *testing.T) {
	answer := run(t, "get", "/api/greet", "")
	body, _ := base64.StdEncoding.DecodeString(answer["body"].(string)) // JSON travels as base64
	if strings.TrimSpace(string(body)) != `{"greeting":"`+greeting+`, world"}` {
		t.Errorf("JSON: %s", body)
	}
}

func TestOtherPathsAndMethods(t *testing.T) {
	if got := run(t, "get", "/nowhere", "")["statusCode"]; got != 404.0 {
		t.Errorf("unknown path: %v", got)
	}
	if got := run(t, "post", "/api/greet", "")["statusCode"]; got != 405.0 {
		t.Errorf("POST: %v", got)
	}
}
