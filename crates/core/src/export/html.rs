//! Session notes as one self-contained HTML file laid out for A4: inline CSS, no scripts, no
//! remote references, and every bit of user text escaped.

use std::fmt::Write;

use super::{Audience, Export};

/// Text safe anywhere in HTML, inside elements and quoted attributes alike.
pub fn escape(text: &str) -> String {
    super::swap_chars(text, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

/// The print stylesheet. Long words and URLs wrap anywhere rather than widen the page (a
/// browser would otherwise shrink every page to fit them); tables have fixed column widths;
/// agenda rows may break across pages (a long row kept whole would leave a half-blank
/// page) while the small blocks inside them, quotes and headings stay whole; an exercise's
/// steps may run on to the next page, each step whole.
pub const STYLE: &str = "
@page { size: A4; margin: 18mm 16mm 20mm; }
* { box-sizing: border-box; }
body { font-family: 'Segoe UI', 'Noto Sans', 'DejaVu Sans', Arial, 'Noto Naskh Arabic', 'Noto Sans Arabic', 'Noto Color Emoji', sans-serif; font-size: 11pt; line-height: 1.45; color: #1b1f1e; max-width: 178mm; margin: 0 auto; overflow-wrap: anywhere; word-break: normal; }
h1 { font-size: 20pt; margin: 0 0 4pt; }
h2 { font-size: 15pt; margin: 18pt 0 6pt; border-bottom: 1.5pt solid #1f5f5b; padding-bottom: 2pt; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12.5pt; margin: 12pt 0 4pt; color: #1f5f5b; break-after: avoid; page-break-after: avoid; }
h4 { font-size: 11pt; margin: 10pt 0 4pt; break-after: avoid; page-break-after: avoid; }
p, li { orphans: 3; widows: 3; }
.context { color: #47514f; margin: 0 0 10pt; }
nav.contents ol { margin: 4pt 0 10pt; padding-left: 18pt; }
nav.contents a { color: inherit; text-decoration: none; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 4pt 0 8pt; }
thead { display: table-header-group; }
th, td { text-align: left; vertical-align: top; padding: 3pt 5pt; border-bottom: 0.75pt solid #c9d4d2; overflow-wrap: anywhere; }
th { font-size: 9.5pt; color: #47514f; }
tr { break-inside: auto; }
td > div, td > strong, td li { break-inside: avoid; page-break-inside: avoid; }
col.time { width: 25mm; }
col.length { width: 19mm; }
col.run { width: 42mm; }
td.run { height: 12mm; }
col.status { width: 30mm; }
col.theme { width: 40%; }
.time { white-space: nowrap; font-variant-numeric: tabular-nums; font-weight: 600; }
.small { font-size: 9.5pt; color: #47514f; }
.pre { white-space: pre-line; }
blockquote { margin: 4pt 0 8pt; padding: 2pt 0 2pt 10pt; border-left: 3pt solid #9bbdb9; break-inside: avoid; page-break-inside: avoid; }
blockquote[dir=rtl] { padding: 2pt 10pt 2pt 0; border-left: none; border-right: 3pt solid #9bbdb9; }
blockquote p { margin: 0; white-space: pre-line; }
blockquote footer { font-size: 9.5pt; color: #47514f; margin-top: 2pt; }
section.session + section.session { break-before: page; page-break-before: always; }
";

/// Text as a CSS string: every character but letters, digits and spaces as a hex escape,
/// so nothing typed can end the string or the stylesheet.
pub(super) fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", c as u32));
        }
    }
    out.push('"');
    out
}

/// Page numbers and a footer line in the page margins (Chromium 131 and later print them;
/// engines without CSS margin boxes leave them out).
pub(super) fn page_footer(text: &str) -> String {
    format!(
        "@page {{ @bottom-left {{ content: {}; font-family: 'Segoe UI', 'Noto Sans', 'DejaVu Sans', Arial, sans-serif; font-size: 8.5pt; color: #47514f; }} @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font-family: 'Segoe UI', 'Noto Sans', 'DejaVu Sans', Arial, sans-serif; font-size: 8.5pt; color: #47514f; }} }}",
        css_string(text)
    )
}

/// The line at the foot of every printed page of `export`: its programme and place.
pub fn footer_line(export: &Export) -> String {
    export.programme_and_place().join(" · ")
}

/// `dir="auto"` lets the browser set right-to-left text the right way.
const AUTO: &str = " dir=\"auto\"";

pub fn render(export: &Export) -> String {
    let facilitator = export.audience == Audience::Facilitator;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}{}</style>\n</head>\n<body>\n<h1{AUTO}>{}</h1>\n",
        escape(&export.title),
        page_footer(&footer_line(export)),
        escape(&export.title)
    );
    let context: Vec<String> = export.context().into_iter().map(escape).collect();
    if !context.is_empty() {
        let _ = writeln!(o, "<p class=\"context\">{}</p>", context.join(" · "));
    }
    if !facilitator && !export.lead_facilitators.is_empty() {
        let _ = writeln!(
            o,
            "<p><strong>Led by:</strong> {}</p>",
            escape(&export.lead_facilitators.join(", "))
        );
    }
    if export.sessions.len() > 1 {
        o.push_str("<nav class=\"contents\">\n<h2>Contents</h2>\n<ol>\n");
        for (n, s) in export.sessions.iter().enumerate() {
            let date = s
                .date
                .map(|d| format!(", {}", d.format("%-d %B %Y")))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "<li><a href=\"#session-{}\">{}</a>{date}</li>",
                n + 1,
                escape(&s.title)
            );
        }
        o.push_str("</ol>\n</nav>\n");
    }
    for (n, s) in export.sessions.iter().enumerate() {
        let _ = writeln!(
            o,
            "<section class=\"session\" id=\"session-{}\">\n<h2{AUTO}>{}</h2>",
            n + 1,
            escape(&s.title)
        );
        let mut facts = Vec::new();
        if let Some(date) = s.date {
            facts.push(format!(
                "<strong>Date:</strong> {}",
                date.format("%A %-d %B %Y")
            ));
        }
        facts.push(format!(
            "<strong>Time:</strong> {} to {}",
            escape(&s.start),
            escape(&s.end)
        ));
        if !s.venue.is_empty() {
            facts.push(format!("<strong>Venue:</strong> {}", escape(&s.venue)));
        }
        let _ = writeln!(o, "<p>{}</p>", facts.join(" · "));
        if !s.objectives.is_empty() {
            let _ = writeln!(
                o,
                "<p class=\"pre\"><strong>Objectives:</strong> {}</p>",
                escape(&s.objectives)
            );
        }

        if let Some(summary) = &s.summary {
            write_summary(&mut o, summary);
        }
        let _ = writeln!(o, "<h3>Agenda</h3>\n<table>\n<colgroup><col class=\"time\"><col><col class=\"length\">{}</colgroup>\n<thead><tr><th>Time</th><th>Item</th><th>Length</th>{}</tr></thead>\n<tbody>",
            if facilitator { "<col class=\"run\">" } else { "" },
            if facilitator { "<th>As run</th>" } else { "" });
        for item in &s.agenda {
            let mut detail = String::new();
            if let Some(notes) = &item.notes {
                let _ = write!(detail, "<div class=\"small pre\">{}</div>", escape(notes));
            }
            if !item.materials.is_empty() {
                let _ = write!(
                    detail,
                    "<div class=\"small\">Materials: {}</div>",
                    escape(&item.materials)
                );
            }
            if !item.prompt.is_empty() {
                let _ = write!(
                    detail,
                    "<div class=\"small\">Reflection prompt: <em>{}</em></div>",
                    escape(&item.prompt)
                );
            }
            if let Some(e) = &item.exercise {
                if !e.for_participants.is_empty() {
                    let _ = write!(
                        detail,
                        "<div class=\"small\"{AUTO}>{}</div>",
                        escape(&e.for_participants)
                    );
                }
                if !e.purpose.is_empty() {
                    let _ = write!(detail, "<div class=\"small\">{}</div>", escape(&e.purpose));
                }
                if !e.steps.is_empty() {
                    detail.push_str("<ol class=\"small\">");
                    for step in &e.steps {
                        let _ = write!(detail, "<li>{}</li>", escape(step));
                    }
                    detail.push_str("</ol>");
                }
            }
            let run = if facilitator {
                match (&item.actual_start, item.actual_minutes) {
                    (Some(start), Some(m)) => {
                        format!("<td class=\"time run\">{} · {m} min</td>", escape(start))
                    }
                    _ => "<td class=\"run\"></td>".to_owned(),
                }
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "<tr><td class=\"time\">{}–{}</td><td{AUTO}><strong>{}</strong>{detail}</td><td class=\"time\">{} min</td>{run}</tr>",
                escape(&item.start),
                escape(&item.end),
                escape(&item.title),
                item.minutes
            );
        }
        let _ = writeln!(o, "</tbody>\n</table>");

        if facilitator && !s.attendance.is_empty() {
            let _ = writeln!(o, "<h3>Attendance</h3>\n<table>\n<colgroup><col><col><col class=\"status\"></colgroup>\n<thead><tr><th>Participant</th><th>Organisation</th><th>Attendance</th></tr></thead>\n<tbody>");
            for a in &s.attendance {
                let status = serde_json::to_value(a.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&a.name),
                    escape(&a.organisation),
                    escape(&status)
                );
            }
            let _ = writeln!(o, "</tbody>\n</table>");
        }

        if !s.reflections.is_empty() {
            let _ = writeln!(o, "<h3>Reflections</h3>");
            for g in &s.reflections {
                let heading = g.heading(escape);
                let _ = writeln!(o, "<h4>{heading}</h4>");
                for r in &g.reflections {
                    let _ = writeln!(
                        o,
                        "<blockquote{AUTO}><p>{}</p><footer>— {}{}</footer></blockquote>",
                        escape(&r.text),
                        escape(&r.attribution()),
                        if r.tags.is_empty() {
                            String::new()
                        } else {
                            format!(" · Themes: {}", escape(&r.tags.join(", ")))
                        }
                    );
                }
            }
        }

        if !facilitator {
            if let Some(next) = &s.next {
                let _ = writeln!(
                    o,
                    "<h3>Next session</h3>\n<p>{}</p>",
                    escape(&super::next_session_words(next))
                );
            }
        }

        if facilitator && !s.actions.is_empty() {
            let _ = writeln!(o, "<h3>Actions</h3>\n<ul>");
            for a in &s.actions {
                let follow = if a.follow_up.is_empty() {
                    String::new()
                } else {
                    format!(
                        " <span class=\"small\">Follow-up: {}</span>",
                        escape(&a.follow_up)
                    )
                };
                let _ = writeln!(
                    o,
                    "<li><strong>{}</strong>: {} ({}){follow}</li>",
                    escape(&a.by),
                    escape(&a.text),
                    escape(&a.status)
                );
            }
            let _ = writeln!(o, "</ul>");
        }

        if facilitator && (s.notes.is_some() || !s.observations.is_empty()) {
            let _ = writeln!(o, "<h3>Facilitator notes</h3>");
            if let Some(notes) = &s.notes {
                let _ = writeln!(o, "<p class=\"pre\">{}</p>", escape(notes));
            }
            if !s.observations.is_empty() {
                let _ = writeln!(o, "<ul>");
                for ob in &s.observations {
                    let _ = writeln!(
                        o,
                        "<li><span class=\"time\">{}</span> {}</li>",
                        escape(&ob.at),
                        escape(&ob.text)
                    );
                }
                let _ = writeln!(o, "</ul>");
            }
        }
        let _ = writeln!(o, "</section>");
    }
    o.push_str("</body>\n</html>\n");
    o
}

fn write_summary(o: &mut String, summary: &super::SessionSummary) {
    let _ = writeln!(
        o,
        "<h3>Summary</h3>\n<p><strong>Attendance:</strong> {}<br><strong>Time:</strong> {}",
        escape(&summary.attendance()),
        escape(&summary.timing())
    );
    if let Some(themes) = summary.themes_line() {
        let _ = write!(o, "<br><strong>Themes:</strong> {}", escape(&themes));
    }
    let _ = writeln!(
        o,
        "<br><strong>Open actions:</strong> {}</p>",
        summary.open_actions.len()
    );
    let ran: Vec<_> = summary
        .items
        .iter()
        .filter(|i| i.actual.is_some())
        .collect();
    if !ran.is_empty() {
        o.push_str("<table>\n<colgroup><col><col class=\"length\"><col class=\"length\"><col class=\"status\"></colgroup>\n<thead><tr><th>Item</th><th>Planned</th><th>Ran</th><th>Difference</th></tr></thead>\n<tbody>\n");
        for i in ran {
            let actual = i.actual.unwrap_or_default();
            let _ = writeln!(
                o,
                "<tr><td{AUTO}>{}</td><td class=\"time\">{} min</td><td class=\"time\">{actual} min</td><td>{}</td></tr>",
                escape(&i.title),
                i.planned,
                super::difference(actual - i64::from(i.planned))
            );
        }
        o.push_str("</tbody>\n</table>\n");
    }
    if !summary.open_actions.is_empty() {
        o.push_str("<ul>\n");
        for (by, text) in &summary.open_actions {
            let _ = writeln!(
                o,
                "<li><strong>{}</strong>: {}</li>",
                escape(by),
                escape(text)
            );
        }
        o.push_str("</ul>\n");
    }
}
