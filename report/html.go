package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
)

// The HTML reports are one self-contained file each: html/template, the
// stylesheet and the small sorting script embedded (go:embed) and inlined,
// charts drawn as inline SVG computed here, system fonts only and a
// Content-Security-Policy that forbids every network request. It opens
// from a mail attachment on an air-gapped laptop.

//go:embed html/style.css html/script.js html/scan.tmpl html/audit.tmpl
var htmlFiles embed.FS

// htmlTemplates are parsed on first use: at start-up they cost every run,
// hooks included, a quarter of a millisecond.
var htmlTemplates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"bytes": func(n int64) string { return HumanBytes(n) },
	}).ParseFS(htmlFiles, "html/scan.tmpl", "html/audit.tmpl"))
})

func htmlAssets() (template.CSS, template.JS) {
	css, _ := htmlFiles.ReadFile("html/style.css")
	js, _ := htmlFiles.ReadFile("html/script.js")
	return template.CSS(css), template.JS(js)
}

// bar is one bar of a chart.
type bar struct {
	Label string
	Value float64
	// Text is the value as printed (default: the integer value).
	Text string
	// Color fills the bar (default: a neutral blue).
	Color string
}

// barChart draws a horizontal bar chart as inline SVG: one row per bar,
// the label on the left, the value at the bar's end, at most max rows
// (the rest summed into "others"). Labels are escaped.
func barChart(bars []bar, maxRows int, scale float64) template.HTML {
	if len(bars) > maxRows {
		rest := 0.0
		for _, b := range bars[maxRows-1:] {
			rest += b.Value
		}
		bars = append(append([]bar(nil), bars[:maxRows-1]...), bar{Label: fmt.Sprintf("%d others", len(bars)-maxRows+1), Value: rest, Color: "#9aa3b2"})
	}
	if scale <= 0 {
		for _, b := range bars {
			scale = math.Max(scale, b.Value)
		}
	}
	if scale <= 0 {
		scale = 1
	}
	const rowH, labelW, barW, width = 22, 180, 260, 500
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%%" viewBox="0 0 %d %d">`, width, rowH*len(bars)+4)
	for i, b := range bars {
		y := i*rowH + 2
		label := b.Label
		if r := []rune(label); len(r) > 26 {
			label = string(r[:25]) + "…"
		}
		color := b.Color
		if color == "" {
			color = "#3b6fb6"
		}
		w := b.Value / scale * barW
		if b.Value > 0 && w < 2 {
			w = 2
		}
		text := b.Text
		if text == "" {
			text = fmt.Sprintf("%.0f", b.Value)
		}
		fmt.Fprintf(&s, `<g><title>%s: %s</title><text x="%d" y="%d" text-anchor="end">%s</text><rect x="%d" y="%d" width="%.1f" height="%d" rx="3" fill="%s"/><text x="%.1f" y="%d">%s</text></g>`,
			template.HTMLEscapeString(b.Label), template.HTMLEscapeString(text),
			labelW-8, y+15, template.HTMLEscapeString(label), labelW, y+3, w, rowH-8, color,
			float64(labelW)+w+6, y+15, template.HTMLEscapeString(text))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// sortBars orders bars by value, largest first, then label.
func sortBars(bars []bar) {
	sort.SliceStable(bars, func(i, j int) bool {
		if bars[i].Value != bars[j].Value {
			return bars[i].Value > bars[j].Value
		}
		return bars[i].Label < bars[j].Label
	})
}

func executeHTML(w io.Writer, name string, data any) error {
	if err := htmlTemplates().ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}
