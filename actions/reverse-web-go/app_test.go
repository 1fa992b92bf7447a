package main

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func serve(t *testing.T, request *http.Request) *http.Response {
	t.Helper()
	recorder := httptest.NewRecorder()
	newApp().ServeHTTP(recorder, request)
	return recorder.Result()
}

func text(t *testing.T, response *http.Response) string {
	t.Helper()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestPageHasAFormThatPostsToReverse(t *testing.T) {
	page := text(t, serve(t, httptest.NewRequest("GET", "/", nil)))
	for _, want := range []string{`<form method="post" action="reverse">`, `src="image.png?text=hello%2C+world"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, page)
		}
	}
}

func TestFormAnswersTheReversedTextEscaped(t *testing.T) {
	request := httptest.NewRequest("POST", "/reverse", strings.NewReader(url.Values{"text": {"a<b 👋"}}.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if page := text(t, serve(t, request)); !strings.Contains(page, `<output id="reversed">👋 b&lt;a</output>`) {
		t.Errorf("no reversed text in:\n%s", page)
	}
}

func TestJSONEndpoint(t *testing.T) {
	if got := text(t, serve(t, httptest.NewRequest("GET", "/api/reverse?text=abc", nil))); got != `{"reversed":"cba"}` {
		t.Errorf("GET: %s", got)
	}
	if got := text(t, serve(t, httptest.NewRequest("POST", "/api/reverse", strings.NewReader(`{"text":"héllo"}`)))); got != `{"reversed":"olléh"}` {
		t.Errorf("POST: %s", got)
	}
	missing := serve(t, httptest.NewRequest("GET", "/api/reverse", nil))
	if got := text(t, missing); missing.StatusCode != 400 || got != `{"error":"text must be a string"}` {
		t.Errorf("no text: %d %s", missing.StatusCode, got)
	}
}

func TestImageIsAPNGOneSquarePerCodePoint(t *testing.T) {
	response := serve(t, httptest.NewRequest("GET", "/image.png?text=ab%F0%9F%91%8B", nil))
	if response.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("content type %q", response.Header.Get("Content-Type"))
	}
	decoded, err := png.Decode(bytes.NewReader([]byte(text(t, response))))
	if err != nil {
		t.Fatal(err)
	}
	if size := decoded.Bounds().Size(); size.X != 24 || size.Y != 8 {
		t.Errorf("size %v, want 24×8", size)
	}
	r, g, b, _ := decoded.At(0, 0).RGBA()
	want := colourOf('a')
	if uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(b>>8) != want.B {
		t.Errorf("the first square is %d,%d,%d, want %v", r>>8, g>>8, b>>8, want)
	}
}

func TestOtherMethodsAndPaths(t *testing.T) {
	if got := serve(t, httptest.NewRequest("DELETE", "/api/reverse", nil)).StatusCode; got != 405 {
		t.Errorf("DELETE: %d", got)
	}
	if got := serve(t, httptest.NewRequest("GET", "/nowhere", nil)).StatusCode; got != 404 {
		t.Errorf("unknown path: %d", got)
	}
}
