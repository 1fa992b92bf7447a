package main

import (
	"image"
	"image/color"
	"image/png"
	"io"
)

// block is the side of each square in pixels; maxBlocks the most code points drawn.
const block, maxBlocks = 8, 64

// writeStrip writes a strip of coloured squares, one per code point of text (at most 64), as a
// PNG: the image endpoint's answer, and the proof that binary bodies get through.
func writeStrip(w io.Writer, text string) error {
	points := []rune(text)
	if len(points) > maxBlocks {
		points = points[:maxBlocks]
	}
	if len(points) == 0 {
		points = []rune{0}
	}
	strip := image.NewRGBA(image.Rect(0, 0, len(points)*block, block))
	for i, point := range points {
		colour := colourOf(point)
		for y := 0; y < block; y++ {
			for x := i * block; x < (i+1)*block; x++ {
				strip.SetRGBA(x, y, colour)
			}
		}
	}
	return png.Encode(w, strip)
}

// colourOf gives the same colour for the same code point as the TypeScript example.
func colourOf(point rune) color.RGBA {
	p := uint32(point)
	return color.RGBA{R: uint8(p * 37), G: uint8(p * 73), B: uint8(p * 151), A: 255}
}
