/// The HTML report's one template. Every `{{value}}` is HTML-escaped by swift-mustache
/// (`& < > " '`); triple braces, which would not escape, are never used (a test checks).
/// Static CSS only: no script, no external request; readable when printed.
enum HTMLReportTemplate {
    static let text = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reseq report: {{verdict}}</title>
<style>
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 1150px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .6rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.verdict { font-size: 1.25rem; font-weight: 600; padding: .6rem .9rem; border-left: 6px solid; }
.ready { background: #e8f5e9; border-color: #2e7d32; }
.not-ready { background: #fdecea; border-color: #c62828; }
.meta { color: #555; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
table.summary { width: auto; }
table.summary td:nth-child(n+2):nth-child(-n+5) { text-align: right; }
code, pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: .88em; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
td code { overflow-wrap: anywhere; }
.sev-error { color: #b71c1c; font-weight: 600; }
.sev-warning { color: #8a5300; font-weight: 600; }
.sev-info { color: #555; }
tr.risk td { background: #fff4e0; }
ul.risks li { margin: .2rem 0; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; }
  tr { break-inside: avoid; }
  td { overflow-wrap: anywhere; }
  thead { display: table-header-group; }
  .verdict, th, tr.risk td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<h1>reseq report</h1>
<p id="verdict" class="verdict {{verdictClass}}">{{verdict}}</p>
<p class="meta">Generated {{generatedAt}} by reseq {{reseqVersion}}.</p>

<h2>Summary</h2>
{{#summaries}}
{{#hasTitle}}<h3>{{title}}</h3>{{/hasTitle}}
{{^hasRows}}<p>No findings.</p>{{/hasRows}}
{{#hasRows}}
<table id="{{id}}" class="summary">
<thead><tr><th>Findings</th><th>Errors</th><th>Warnings</th><th>Info</th><th>Total</th><th>Kind</th></tr></thead>
<tbody>
{{#rows}}
<tr><td class="sev-{{severity}}">{{label}}</td><td>{{errors}}</td><td>{{warnings}}</td><td>{{info}}</td><td>{{total}}</td><td><code>{{kind}}</code></td></tr>
{{/rows}}
</tbody>
</table>
{{/hasRows}}
{{/summaries}}

<h2>Databases</h2>
<table id="databases">
<thead><tr><th></th>{{#dbRoles}}<th>{{.}}</th>{{/dbRoles}}</tr></thead>
<tbody>
{{#dbFacts}}
<tr><th>{{label}}</th>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
{{/dbFacts}}
</tbody>
</table>

<h2>Findings</h2>
{{^groups}}<p>No differences.</p>{{/groups}}
{{#groups}}
<h3>{{title}}</h3>
{{> findings}}
{{/groups}}

<h2>Plan</h2>
{{^plan}}<p>Nothing to do.</p>{{/plan}}
{{#hasPlan}}
<table id="plan">
<thead><tr><th>#</th><th>SQL</th><th>Fixes</th><th>Lock</th><th>Hazards</th></tr></thead>
<tbody>
{{#plan}}
<tr><td>{{step}}</td><td><pre><code>{{sql}}</code></pre></td><td>{{fixes}}</td><td>{{lock}}</td><td>{{hazards}}</td></tr>
{{/plan}}
</tbody>
</table>
{{/hasPlan}}

{{#apply}}
<h2>After apply</h2>
<h3>Sequences touched</h3>
<table id="changes">
<thead><tr><th>Sequence</th><th>Before</th><th>After</th><th>Outcome</th></tr></thead>
<tbody>
{{#changes}}
<tr><td><code>{{sequence}}</code></td><td>{{before}}</td><td>{{after}}</td><td>{{outcome}}</td></tr>
{{/changes}}
</tbody>
</table>
{{#hasOutcomes}}
<h3>Outcomes</h3>
<table id="outcomes">
<thead><tr><th>Object</th><th>Status</th><th>Message</th></tr></thead>
<tbody>
{{#outcomes}}
<tr><td><code>{{object}}</code></td><td>{{status}}</td><td>{{message}}</td></tr>
{{/outcomes}}
</tbody>
</table>
{{/hasOutcomes}}
{{#hasVerification}}
<h3>Verification</h3>
<p>{{verificationText}}</p>
{{#verification}}{{> findings}}{{/verification}}
{{/hasVerification}}
{{/apply}}

<h2>Capacity</h2>
{{#hasRisks}}
<ul class="risks">
{{#riskNotes}}<li><strong>Risk:</strong> {{.}}</li>
{{/riskNotes}}
</ul>
{{/hasRisks}}
<table id="capacity">
<thead><tr><th>Sequence</th><th>Type</th><th>Limit</th><th>Used</th><th>Left</th></tr></thead>
<tbody>
{{#capacity}}
<tr{{#risk}} class="risk"{{/risk}}><td><code>{{sequence}}</code></td><td>{{dataType}}</td><td>{{limit}}</td><td>{{used}}</td><td>{{left}}</td></tr>
{{/capacity}}
</tbody>
</table>
</body>
</html>

"""#

    /// Rows of findings, used for the diff and for the verification.
    static let findings = #"""
<table class="findings">
<thead><tr><th>Severity</th><th>What differs</th><th>Object</th><th>Source</th><th>Target</th><th>Consequence</th></tr></thead>
<tbody>
{{#findings}}
<tr><td class="sev-{{severity}}">{{severity}}</td><td>{{kind}}</td><td><code>{{object}}</code></td><td>{{sourceValue}}</td><td>{{targetValue}}</td><td>{{consequence}}</td></tr>
{{/findings}}
</tbody>
</table>

"""#
}
