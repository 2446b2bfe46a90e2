//! Session notes as CommonMark: headings and lists that read well as plain text too. User
//! text is escaped so that nothing anyone typed can become markup.

use std::fmt::Write;

use super::{Audience, Export};

/// Escapes text so CommonMark shows it exactly as typed.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.lines().enumerate() {
        if n > 0 {
            // A hard line break: the text's own line breaks stay.
            out.push_str("\\\n");
        }
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        out.push_str(indent);
        let mut at_start = true;
        let mut digits = false;
        for c in trimmed.chars() {
            let starts_block = at_start && matches!(c, '-' | '+' | '=' | '>' | '#');
            let ends_list_number = digits && matches!(c, '.' | ')');
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '~' | '&' | '#'
            ) || starts_block
                || ends_list_number
            {
                out.push('\\');
            }
            out.push(c);
            digits = (at_start || digits) && c.is_ascii_digit();
            at_start = false;
        }
    }
    out
}

/// " · Themes: trust, power" after an attribution, or nothing.
fn themes_of(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(" · Themes: {}", escape(&tags.join(", ")))
    }
}

fn line(out: &mut String, text: impl AsRef<str>) {
    out.push_str(text.as_ref());
    out.push('\n');
}

pub fn render(export: &Export) -> String {
    let mut out = String::new();
    let facilitator = export.audience == Audience::Facilitator;
    line(&mut out, format!("# {}", escape(&export.title)));
    line(&mut out, "");
    let context: Vec<String> = export.context().into_iter().map(escape).collect();
    if !context.is_empty() {
        line(&mut out, context.join(" · "));
        line(&mut out, "");
    }
    if !facilitator && !export.lead_facilitators.is_empty() {
        line(
            &mut out,
            format!(
                "**Led by:** {}",
                escape(&export.lead_facilitators.join(", "))
            ),
        );
        line(&mut out, "");
    }

    for s in &export.sessions {
        line(&mut out, format!("## {}", escape(&s.title)));
        line(&mut out, "");
        let mut facts = Vec::new();
        if let Some(date) = s.date {
            facts.push(format!("**Date:** {}", date.format("%A %-d %B %Y")));
        }
        facts.push(format!("**Time:** {} to {}", s.start, s.end));
        if !s.venue.is_empty() {
            facts.push(format!("**Venue:** {}", escape(&s.venue)));
        }
        for f in facts {
            line(&mut out, format!("- {f}"));
        }
        line(&mut out, "");
        if !s.objectives.is_empty() {
            line(
                &mut out,
                format!("**Objectives:** {}", escape(&s.objectives)),
            );
            line(&mut out, "");
        }

        if let Some(summary) = &s.summary {
            line(&mut out, "### Summary");
            line(&mut out, "");
            line(
                &mut out,
                format!("- **Attendance:** {}", summary.attendance()),
            );
            line(&mut out, format!("- **Time:** {}", summary.timing()));
            for i in summary.items.iter().filter(|i| i.actual.is_some()) {
                let actual = i.actual.unwrap_or_default();
                line(
                    &mut out,
                    format!(
                        "  - {}: planned {} min, ran {actual} min ({})",
                        escape(&i.title),
                        i.planned,
                        super::difference(actual - i64::from(i.planned))
                    ),
                );
            }
            if let Some(themes) = summary.themes_line() {
                line(&mut out, format!("- **Themes:** {}", escape(&themes)));
            }
            line(
                &mut out,
                format!("- **Open actions:** {}", summary.open_actions.len()),
            );
            for (by, text) in &summary.open_actions {
                line(&mut out, format!("  - {}: {}", escape(by), escape(text)));
            }
            line(&mut out, "");
        }
        line(&mut out, "### Agenda");
        line(&mut out, "");
        for item in &s.agenda {
            let mut entry = format!(
                "- **{}–{}** {} ({} min",
                item.start,
                item.end,
                escape(&item.title),
                item.minutes
            );
            if let (Some(start), Some(mins)) = (&item.actual_start, item.actual_minutes) {
                let _ = write!(entry, "; ran from {start} for {mins} min");
            }
            entry.push(')');
            line(&mut out, entry);
            if let Some(notes) = &item.notes {
                line(
                    &mut out,
                    format!("  - Notes: {}", escape(notes).replace("\\\n", "\\\n    ")),
                );
            }
            if !item.materials.is_empty() {
                line(
                    &mut out,
                    format!("  - Materials: {}", escape(&item.materials)),
                );
            }
            if !item.prompt.is_empty() {
                line(
                    &mut out,
                    format!("  - Reflection prompt: *{}*", escape(&item.prompt)),
                );
            }
            if let Some(exercise) = &item.exercise {
                if !exercise.for_participants.is_empty() {
                    line(
                        &mut out,
                        format!("  - What happens: {}", escape(&exercise.for_participants)),
                    );
                }
                if !exercise.purpose.is_empty() {
                    line(&mut out, format!("  - Why: {}", escape(&exercise.purpose)));
                }
                for (n, step) in exercise.steps.iter().enumerate() {
                    line(&mut out, format!("  - Step {}: {}", n + 1, escape(step)));
                }
            }
        }
        line(&mut out, "");

        if facilitator && !s.attendance.is_empty() {
            line(&mut out, "### Attendance");
            line(&mut out, "");
            for a in &s.attendance {
                let status = serde_json::to_value(a.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let org = if a.organisation.is_empty() {
                    String::new()
                } else {
                    format!(", {}", escape(&a.organisation))
                };
                line(&mut out, format!("- {}{org}: {status}", escape(&a.name)));
            }
            line(&mut out, "");
        }

        if !s.reflections.is_empty() {
            line(&mut out, "### Reflections");
            line(&mut out, "");
            for group in &s.reflections {
                let heading = group.heading(escape);
                line(&mut out, format!("#### {heading}"));
                line(&mut out, "");
                for r in &group.reflections {
                    line(
                        &mut out,
                        format!("> {}", escape(&r.text).replace("\\\n", "\\\n> ")),
                    );
                    line(&mut out, ">");
                    line(
                        &mut out,
                        format!("> — {}{}", escape(&r.attribution()), themes_of(&r.tags)),
                    );
                    line(&mut out, "");
                }
            }
        }

        if !facilitator {
            if let Some(next) = &s.next {
                line(&mut out, "### Next session");
                line(&mut out, "");
                line(&mut out, escape(&super::next_session_words(next)));
                line(&mut out, "");
            }
        }

        if facilitator && !s.actions.is_empty() {
            line(&mut out, "### Actions");
            line(&mut out, "");
            for a in &s.actions {
                let follow = if a.follow_up.is_empty() {
                    String::new()
                } else {
                    format!(" Follow-up: {}", escape(&a.follow_up))
                };
                line(
                    &mut out,
                    format!(
                        "- {}: {} ({}).{follow}",
                        escape(&a.by),
                        escape(&a.text),
                        a.status
                    ),
                );
            }
            line(&mut out, "");
        }

        if facilitator && (s.notes.is_some() || !s.observations.is_empty()) {
            line(&mut out, "### Facilitator notes");
            line(&mut out, "");
            if let Some(notes) = &s.notes {
                line(&mut out, escape(notes));
                line(&mut out, "");
            }
            for o in &s.observations {
                line(&mut out, format!("- {} {}", o.at, escape(&o.text)));
            }
            if !s.observations.is_empty() {
                line(&mut out, "");
            }
        }
    }
    out
}
