package legacytool

import "html/template"

// page is what one page shows.
type page struct {
	Title    string
	Kind     string // home, frame, canvas, app, record, error
	Rows     []row
	Message  string
	Customer string // app: for the link to the customer record
	// Echo and Reply are the app's echo form: the message sent, and the
	// answer. The form works without scripts, which the proxy's default
	// sandbox does not run.
	Echo, Reply string
	Nonce       string
}

// row is one labelled value of a page's table.
type row struct {
	Label, Value string
}

// pages looks like the intranet tools of its time (a banner, a table
// layout, a grey panel), with what they lacked: a language, a title per
// page, labelled controls and text that is readable (contrast above 7:1).
var pages = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – Legacy tool</title>
<style nonce="{{.Nonce}}">
body { font: 14px Verdana, Geneva, sans-serif; color: #000; background: #fff; margin: 0; }
.banner { background: #1c2f5a; color: #fff; padding: 6px 10px; font-weight: bold; }
main { padding: 10px; }
h1 { font-size: 16px; margin: 0 0 8px; }
table.data { border-collapse: collapse; background: #f0f0f0; }
table.data th, table.data td { border: 1px solid #767676; padding: 4px 8px; text-align: left; vertical-align: top; }
table.data th { background: #d9d9d9; }
a { color: #0a3d91; }
.error { color: #8b0000; font-weight: bold; }
label { margin-right: 6px; }
</style>
</head>
<body>
<div class="banner" role="banner">ACME Intranet · Legacy tool</div>
<main>
<h1>{{.Title}}</h1>
{{- if eq .Kind "error"}}
<p class="error" role="alert">{{.Message}}</p>
{{- else if eq .Kind "home"}}
<p>This tool is shown inside Atrium. Open /frame, /canvas or /app/ from a customer page.</p>
{{- else}}
<table class="data">
<caption>What this tool was told</caption>
{{- range .Rows}}
<tr><th scope="row">{{.Label}}</th><td>{{.Value}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if eq .Kind "app"}}
<p><a href="go?customer={{.Customer}}">Open the customer record</a></p>
<form id="echo" action="echo" method="get">
<input type="hidden" name="customer" value="{{.Customer}}">
<label for="echo-msg">Message</label><input id="echo-msg" name="msg" type="text" value="{{or .Echo "hello"}}">
<button type="submit">Send</button>
</form>
{{- if .Reply}}
<p id="echo-out" role="status">{{.Reply}}</p>
{{- end}}
{{- end}}
{{- if eq .Kind "record"}}
<p><a href="./">Back to the workbench</a></p>
{{- end}}
</main>
</body>
</html>
`))
