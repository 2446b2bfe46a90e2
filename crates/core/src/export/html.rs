//! Session notes as one self-contained HTML file laid out for A4: inline CSS, no scripts, no
//! remote references, and every bit of user text escaped.

use std::fmt::Write;

use super::{Audience, Export};

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub(super) const STYLE: &str = "
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: 'Segoe UI', 'Noto Sans', 'DejaVu Sans', Arial, sans-serif; font-size: 11pt; line-height: 1.45; color: #1b1f1e; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 4pt; }
h2 { font-size: 15pt; margin: 18pt 0 6pt; border-bottom: 1.5pt solid #1f5f5b; padding-bottom: 2pt; page-break-after: avoid; }
h3 { font-size: 12.5pt; margin: 12pt 0 4pt; color: #1f5f5b; page-break-after: avoid; }
h4 { font-size: 11pt; margin: 10pt 0 4pt; page-break-after: avoid; }
.context { color: #47514f; margin: 0 0 10pt; }
table { width: 100%; border-collapse: collapse; margin: 4pt 0 8pt; }
th, td { text-align: left; vertical-align: top; padding: 3pt 5pt; border-bottom: 0.75pt solid #c9d4d2; }
th { font-size: 9.5pt; color: #47514f; }
tr { page-break-inside: avoid; }
.time { white-space: nowrap; font-variant-numeric: tabular-nums; font-weight: 600; }
.small { font-size: 9.5pt; color: #47514f; }
.pre { white-space: pre-line; }
blockquote { margin: 4pt 0 8pt; padding: 2pt 0 2pt 10pt; border-left: 3pt solid #9bbdb9; page-break-inside: avoid; }
blockquote p { margin: 0; white-space: pre-line; }
blockquote footer { font-size: 9.5pt; color: #47514f; margin-top: 2pt; }
section.session { page-break-before: auto; }
section.session + section.session { page-break-before: always; }
";

pub fn render(export: &Export) -> String {
    let facilitator = export.audience == Audience::Facilitator;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&export.title),
        escape(&export.title)
    );
    let context: Vec<String> = [&export.programme, &export.version, &export.place]
        .into_iter()
        .flatten()
        .map(|t| escape(t))
        .collect();
    if !context.is_empty() {
        let _ = writeln!(o, "<p class=\"context\">{}</p>", context.join(" · "));
    }
    for s in &export.sessions {
        let _ = writeln!(
            o,
            "<section class=\"session\">\n<h2>{}</h2>",
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

        let _ = writeln!(o, "<h3>Agenda</h3>\n<table>\n<thead><tr><th>Time</th><th>Item</th><th>Length</th>{}</tr></thead>\n<tbody>",
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
                        format!("<td class=\"time\">{} · {m} min</td>", escape(start))
                    }
                    _ => "<td>—</td>".to_owned(),
                }
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "<tr><td class=\"time\">{}–{}</td><td><strong>{}</strong>{detail}</td><td class=\"time\">{} min</td>{run}</tr>",
                escape(&item.start),
                escape(&item.end),
                escape(&item.title),
                item.minutes
            );
        }
        let _ = writeln!(o, "</tbody>\n</table>");

        if facilitator && !s.attendance.is_empty() {
            let _ = writeln!(o, "<h3>Attendance</h3>\n<table>\n<thead><tr><th>Participant</th><th>Organisation</th><th>Attendance</th></tr></thead>\n<tbody>");
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
                let heading = match (&g.item, g.prompt.is_empty()) {
                    (Some(item), false) => format!("{}: {}", escape(item), escape(&g.prompt)),
                    (Some(item), true) => escape(item),
                    (None, false) => escape(&g.prompt),
                    (None, true) => "Free reflections".to_owned(),
                };
                let _ = writeln!(o, "<h4>{heading}</h4>");
                for r in &g.reflections {
                    let _ = writeln!(
                        o,
                        "<blockquote><p>{}</p><footer>— {}</footer></blockquote>",
                        escape(&r.text),
                        escape(&r.by)
                    );
                }
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
