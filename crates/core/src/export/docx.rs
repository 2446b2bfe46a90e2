//! Session notes as a Word document with real headings, lists and tables, for partners who
//! live in Word (LibreOffice opens it too; the tests check that).

use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat,
    Numbering, NumberingId, Paragraph, Run, SpecialIndentType, Start, Style, StyleType, Table,
    TableCell, TableRow, WidthType,
};

use super::{Audience, Export};
use crate::error::{Error, Result};

const BULLETS: usize = 1;
const STEPS: usize = 2;

pub(super) fn text_run(text: &str) -> Run {
    // Line breaks inside user text become breaks in the paragraph, not lost.
    let mut run = Run::new();
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            run = run.add_break(docx_rs::BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

pub(super) fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(text_run(text))
}

pub(super) fn heading(level: usize, text: &str) -> Paragraph {
    para(text).style(&format!("Heading{level}"))
}

fn labelled(label: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(format!("{label} ")).bold())
        .add_run(text_run(text))
}

fn bullet(p: Paragraph) -> Paragraph {
    p.numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
}

pub(super) fn cell(text: &str, bold: bool) -> TableCell {
    let run = if bold {
        text_run(text).bold()
    } else {
        text_run(text)
    };
    TableCell::new().add_paragraph(Paragraph::new().add_run(run))
}

pub(super) fn table(header: &[&str], rows: Vec<Vec<TableCell>>) -> Table {
    let mut all = vec![TableRow::new(
        header.iter().map(|h| cell(h, true)).collect(),
    )];
    all.extend(rows.into_iter().map(TableRow::new));
    Table::new(all).width(9000, WidthType::Dxa)
}

pub(super) fn styles(docx: Docx) -> Docx {
    docx.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .size(40)
            .bold(),
    )
    .add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("Heading 1")
            .size(32)
            .bold()
            .color("1F5F5B")
            .outline_lvl(0),
    )
    .add_style(
        Style::new("Heading2", StyleType::Paragraph)
            .name("Heading 2")
            .size(26)
            .bold()
            .color("1F5F5B")
            .outline_lvl(1),
    )
    .add_style(
        Style::new("Heading3", StyleType::Paragraph)
            .name("Heading 3")
            .size(23)
            .bold()
            .outline_lvl(2),
    )
    .add_style(
        Style::new("Quote", StyleType::Paragraph)
            .name("Quote")
            .italic()
            .indent(Some(567), None, None, None),
    )
    .add_abstract_numbering(
        AbstractNumbering::new(BULLETS).add_level(
            Level::new(
                0,
                Start::new(1),
                NumberFormat::new("bullet"),
                LevelText::new("•"),
                LevelJc::new("left"),
            )
            .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None),
        ),
    )
    .add_numbering(Numbering::new(BULLETS, BULLETS))
    .add_abstract_numbering(
        AbstractNumbering::new(STEPS).add_level(
            Level::new(
                0,
                Start::new(1),
                NumberFormat::new("decimal"),
                LevelText::new("%1."),
                LevelJc::new("left"),
            )
            .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None),
        ),
    )
}

pub fn render(export: &Export) -> Result<Vec<u8>> {
    let facilitator = export.audience == Audience::Facilitator;
    let mut doc = styles(Docx::new());
    doc = doc.add_paragraph(para(&export.title).style("Title"));
    let context: Vec<&str> = [&export.programme, &export.version, &export.place]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !context.is_empty() {
        doc = doc.add_paragraph(para(&context.join(" · ")));
    }
    // Each list of steps restarts at 1: one numbering instance per list.
    let mut next_numbering = 10;

    for s in &export.sessions {
        doc = doc.add_paragraph(heading(1, &s.title));
        if let Some(date) = s.date {
            doc = doc.add_paragraph(labelled("Date:", &date.format("%A %-d %B %Y").to_string()));
        }
        doc = doc.add_paragraph(labelled("Time:", &format!("{} to {}", s.start, s.end)));
        if !s.venue.is_empty() {
            doc = doc.add_paragraph(labelled("Venue:", &s.venue));
        }
        if !s.objectives.is_empty() {
            doc = doc.add_paragraph(labelled("Objectives:", &s.objectives));
        }

        doc = doc.add_paragraph(heading(2, "Agenda"));
        let mut header = vec!["Time", "Item", "Length"];
        if facilitator {
            header.push("As run");
        }
        let rows = s
            .agenda
            .iter()
            .map(|item| {
                let mut detail = TableCell::new()
                    .add_paragraph(Paragraph::new().add_run(text_run(&item.title).bold()));
                if let Some(notes) = &item.notes {
                    detail = detail.add_paragraph(para(notes));
                }
                if !item.materials.is_empty() {
                    detail = detail.add_paragraph(labelled("Materials:", &item.materials));
                }
                if !item.prompt.is_empty() {
                    detail = detail.add_paragraph(labelled("Reflection prompt:", &item.prompt));
                }
                let mut row = vec![
                    cell(&format!("{}–{}", item.start, item.end), false),
                    detail,
                    cell(&format!("{} min", item.minutes), false),
                ];
                if facilitator {
                    row.push(cell(
                        &match (&item.actual_start, item.actual_minutes) {
                            (Some(start), Some(m)) => format!("{start} · {m} min"),
                            _ => "—".into(),
                        },
                        false,
                    ));
                }
                row
            })
            .collect();
        doc = doc.add_table(table(&header, rows));

        let exercises: Vec<_> = s
            .agenda
            .iter()
            .filter_map(|i| i.exercise.as_ref().map(|e| (i, e)))
            .collect();
        if !exercises.is_empty() {
            doc = doc.add_paragraph(heading(2, "How the exercises work"));
            for (item, e) in exercises {
                doc = doc.add_paragraph(heading(3, &item.title));
                if !e.purpose.is_empty() {
                    doc = doc.add_paragraph(para(&e.purpose));
                }
                let id = next_numbering;
                next_numbering += 1;
                doc = doc.add_numbering(Numbering::new(id, STEPS));
                for step in &e.steps {
                    doc = doc.add_paragraph(
                        para(step).numbering(NumberingId::new(id), IndentLevel::new(0)),
                    );
                }
            }
        }

        if facilitator && !s.attendance.is_empty() {
            doc = doc.add_paragraph(heading(2, "Attendance"));
            let rows = s
                .attendance
                .iter()
                .map(|a| {
                    let status = serde_json::to_value(a.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    vec![
                        cell(&a.name, false),
                        cell(&a.organisation, false),
                        cell(&status, false),
                    ]
                })
                .collect();
            doc = doc.add_table(table(&["Participant", "Organisation", "Attendance"], rows));
        }

        if !s.reflections.is_empty() {
            doc = doc.add_paragraph(heading(2, "Reflections"));
            for g in &s.reflections {
                let title = match (&g.item, g.prompt.is_empty()) {
                    (Some(item), false) => format!("{item}: {}", g.prompt),
                    (Some(item), true) => item.clone(),
                    (None, false) => g.prompt.clone(),
                    (None, true) => "Free reflections".to_owned(),
                };
                doc = doc.add_paragraph(heading(3, &title));
                for r in &g.reflections {
                    doc = doc.add_paragraph(para(&r.text).style("Quote"));
                    doc =
                        doc.add_paragraph(para(&format!("— {}", r.by)).align(AlignmentType::Right));
                }
            }
        }

        if facilitator && !s.actions.is_empty() {
            doc = doc.add_paragraph(heading(2, "Actions"));
            for a in &s.actions {
                let follow = if a.follow_up.is_empty() {
                    String::new()
                } else {
                    format!(" Follow-up: {}", a.follow_up)
                };
                doc = doc.add_paragraph(bullet(labelled(
                    &format!("{}:", a.by),
                    &format!("{} ({}).{follow}", a.text, a.status),
                )));
            }
        }

        if facilitator && (s.notes.is_some() || !s.observations.is_empty()) {
            doc = doc.add_paragraph(heading(2, "Facilitator notes"));
            if let Some(notes) = &s.notes {
                doc = doc.add_paragraph(para(notes));
            }
            for o in &s.observations {
                doc = doc.add_paragraph(bullet(labelled(&o.at, &o.text)));
            }
        }
    }

    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut bytes)
        .map_err(|e| Error::invalid(format!("The Word document could not be made: {e}")))?;
    Ok(bytes.into_inner())
}
