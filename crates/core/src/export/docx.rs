//! Session notes as a Word document made for print, for partners who live in Word
//! (LibreOffice opens it too; the tests convert it to PDF and count the pages):
//!
//! - A4 with docx-rs' 3 cm side margins; every table is laid out with fixed column widths
//!   that suit its content and add up to the text area ([`TEXT_WIDTH`]).
//! - Table header rows repeat on every page (`w:tblHeader`) and rows never split
//!   (`w:cantSplit`); headings, and a quote with its attribution, stay with what follows
//!   (`w:keepNext`).
//! - Each session is a section of its own: it starts on a new page and its footer names the
//!   programme, place, session and date beside the page number (a `PAGE` field).
//! - Each list of steps starts again at 1.
//! - One font, Arial, for every script: Word has it everywhere, LibreOffice on Linux uses its
//!   metric twin (Liberation Sans) and falls back glyph by glyph for Urdu or emoji. Nothing is
//!   embedded. Paragraphs and runs whose text reads right to left are marked so (`w:bidi`,
//!   `w:rtl`).
//! - The document properties say who made it (Fieldbook) and when.
//!
//! docx-rs writes everything but the header-row and right-to-left run marks and the creator;
//! [`finish`] adds those to the XML it builds.

use chrono::{DateTime, Utc};
use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, FieldCharType, Footer, IndentLevel, InstrPAGE,
    InstrText, Level, LevelJc, LevelOverride, LevelText, LineSpacing, NumberFormat, Numbering,
    NumberingId, Paragraph, Run, RunFonts, Section, SpecialIndentType, Start, Style, StyleType,
    Table, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::{Audience, Export, SessionExport};
use crate::error::{Error, Result};

// docx-rs always writes a decimal list as numbering 1: ours start above it.
const BULLETS: usize = 3;
const STEPS: usize = 4;

/// The width of the text area in twentieths of a point: A4 (11906) less docx-rs' default
/// left and right margins (1701 each).
pub const TEXT_WIDTH: usize = 11906 - 2 * 1701;

/// The font every run uses (see the module's notes).
pub const FONT: &str = "Arial";

/// A row height no real row asks for, given to header rows so [`finish`] can find them and
/// mark them `w:tblHeader` (docx-rs has no such property).
const HEADER_MARK: f32 = 7.0;
const HEADER_MARK_XML: &str = "<w:trHeight w:val=\"7\" w:hRule=\"atLeast\" />";

/// Whether text reads right to left: its first letter of a strong direction is Hebrew,
/// Arabic (Urdu, Persian...), Syriac, Thaana or N'Ko.
pub fn reads_right_to_left(text: &str) -> bool {
    for c in text.chars() {
        let u = c as u32;
        if matches!(u, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF) && c.is_alphabetic() {
            return true;
        }
        if c.is_alphabetic() {
            return false;
        }
    }
    false
}

pub(super) fn text_run(text: &str) -> Run {
    // Line breaks inside user text become breaks in the paragraph, not lost.
    let mut run = Run::new();
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            run = run.add_break(docx_rs::BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    if reads_right_to_left(text) {
        // The complex-script hint; `finish` adds w:rtl beside it.
        run = run.fonts(RunFonts::new().hint("cs"));
    }
    run
}

pub(super) fn para(text: &str) -> Paragraph {
    let mut p = Paragraph::new().add_run(text_run(text));
    if reads_right_to_left(text) {
        p.property = p.property.bidi(true);
    }
    p
}

pub(super) fn heading(level: usize, text: &str) -> Paragraph {
    para(text).style(&format!("Heading{level}")).keep_next(true)
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

/// A table with fixed column `widths` (twentieths of a point, at most [`TEXT_WIDTH`] in
/// all), a header row repeated on every page, and rows that never split across pages.
pub(super) fn table(header: &[&str], widths: &[usize], rows: Vec<Vec<TableCell>>) -> Table {
    debug_assert_eq!(header.len(), widths.len());
    debug_assert!(widths.iter().sum::<usize>() <= TEXT_WIDTH);
    let sized = |cells: Vec<TableCell>| -> Vec<TableCell> {
        cells
            .into_iter()
            .zip(widths)
            .map(|(c, w)| c.width(*w, WidthType::Dxa))
            .collect()
    };
    let mut all = vec![
        TableRow::new(sized(header.iter().map(|h| cell(h, true)).collect()))
            .cant_split()
            .row_height(HEADER_MARK),
    ];
    all.extend(
        rows.into_iter()
            .map(|r| TableRow::new(sized(r)).cant_split()),
    );
    Table::new(all)
        .set_grid(widths.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(widths.iter().sum(), WidthType::Dxa)
}

/// Widths for a table of one wide first column and `counts` narrow ones, filling the text
/// area.
pub(super) fn first_wide(counts: usize) -> Vec<usize> {
    let narrow = (TEXT_WIDTH / 2 / counts.max(1)).min(1300);
    let mut widths = vec![TEXT_WIDTH - narrow * counts];
    widths.extend(std::iter::repeat_n(narrow, counts));
    widths
}

/// A one-level list, `format` ("bullet", "decimal") marked by `text`, hanging at 720 twips.
fn list_numbering(id: usize, format: &str, text: &str) -> AbstractNumbering {
    AbstractNumbering::new(id).add_level(
        Level::new(
            0,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
        .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None),
    )
}

/// The style [`heading`] gives a level: bold at `size` half-points, with `space` before and
/// after it (in twentieths of a point), in the accent colour when `accent`.
fn heading_style(level: usize, size: usize, space: (u32, u32), accent: bool) -> Style {
    let style = Style::new(format!("Heading{level}"), StyleType::Paragraph)
        .name(format!("Heading {level}"))
        .size(size)
        .bold()
        .line_spacing(LineSpacing::new().before(space.0).after(space.1))
        .outline_lvl(level - 1);
    if accent {
        style.color("1F5F5B")
    } else {
        style
    }
}

pub(super) fn styles(docx: Docx) -> Docx {
    docx.default_fonts(
        RunFonts::new()
            .ascii(FONT)
            .hi_ansi(FONT)
            .cs(FONT)
            .east_asia(FONT),
    )
    .default_size(21)
    .add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .size(40)
            .bold(),
    )
    .add_style(heading_style(1, 32, (360, 120), true))
    .add_style(heading_style(2, 26, (240, 80), true))
    .add_style(heading_style(3, 23, (160, 40), false))
    .add_style(
        Style::new("Quote", StyleType::Paragraph)
            .name("Quote")
            .italic()
            .indent(Some(567), None, None, None),
    )
    .add_abstract_numbering(list_numbering(BULLETS, "bullet", "•"))
    .add_numbering(Numbering::new(BULLETS, BULLETS))
    .add_abstract_numbering(list_numbering(STEPS, "decimal", "%1."))
}

/// A footer of `text` (programme, place, session, date) and the page number.
pub(super) fn footer(text: &str) -> Footer {
    let page = Run::new()
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false)
        .size(17);
    let mut p = Paragraph::new();
    if !text.is_empty() {
        p = p.add_run(text_run(&format!("{text} · ")).size(17).color("47514F"));
    }
    Footer::new().add_paragraph(
        p.add_run(Run::new().add_text("Page ").size(17).color("47514F"))
            .add_run(page)
            .align(AlignmentType::Right),
    )
}

/// What one section (a session, or a whole short document) holds, before it is placed.
#[derive(Default)]
pub(super) struct Blocks {
    items: Vec<Block>,
    numberings: Vec<usize>,
}

enum Block {
    P(Box<Paragraph>),
    T(Box<Table>),
}

impl Blocks {
    pub(super) fn p(&mut self, p: Paragraph) {
        self.items.push(Block::P(Box::new(p)));
    }
    pub(super) fn t(&mut self, t: Table) {
        self.items.push(Block::T(Box::new(t)));
    }
    /// A numbered list that starts at 1 whatever came before.
    fn steps(&mut self, id: usize, steps: &[String]) {
        self.numberings.push(id);
        for step in steps {
            self.p(para(step).numbering(NumberingId::new(id), IndentLevel::new(0)));
        }
    }
    fn into_section(self, mut doc: Docx, footer: Footer, last: bool) -> Docx {
        for id in &self.numberings {
            doc = doc.add_numbering(
                Numbering::new(*id, STEPS).add_override(LevelOverride::new(0).start(1)),
            );
        }
        if last {
            for b in self.items {
                doc = match b {
                    Block::P(p) => doc.add_paragraph(*p),
                    Block::T(t) => doc.add_table(*t),
                };
            }
            return doc.footer(footer);
        }
        let mut section = Section::new().footer(footer);
        for b in self.items {
            section = match b {
                Block::P(p) => section.add_paragraph(*p),
                Block::T(t) => section.add_table(*t),
            };
        }
        doc.add_section(section)
    }
}

/// The document's bytes: docx-rs' build, with header rows marked to repeat, right-to-left
/// runs marked, and who made it and when in its properties.
pub(super) fn finish(doc: Docx, made_at: DateTime<Utc>) -> Result<Vec<u8>> {
    let stamp = made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut xml = doc.created_at(&stamp).updated_at(&stamp).build();
    let document = String::from_utf8_lossy(&xml.document)
        .replace(HEADER_MARK_XML, "<w:tblHeader />")
        .replace(
            "<w:rFonts w:hint=\"cs\" />",
            "<w:rFonts w:hint=\"cs\" /><w:rtl />",
        );
    xml.document = document.into_bytes();
    let core = String::from_utf8_lossy(&xml.doc_props.core)
        .replace(
            "<dc:creator>unknown</dc:creator>",
            "<dc:creator>Fieldbook</dc:creator>",
        )
        .replace(
            "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
            "<cp:lastModifiedBy>Fieldbook</cp:lastModifiedBy>",
        );
    xml.doc_props.core = core.into_bytes();
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes)
        .map_err(|e| Error::invalid(format!("The Word document could not be made: {e}")))?;
    Ok(bytes.into_inner())
}

fn summary_blocks(b: &mut Blocks, summary: &super::SessionSummary) {
    b.p(heading(2, "Summary"));
    b.p(labelled("Attendance:", &summary.attendance()));
    b.p(labelled("Time:", &summary.timing()));
    if let Some(themes) = summary.themes_line() {
        b.p(labelled("Themes:", &themes));
    }
    b.p(labelled(
        "Open actions:",
        &summary.open_actions.len().to_string(),
    ));
    for (by, text) in &summary.open_actions {
        b.p(bullet(labelled(&format!("{by}:"), text)));
    }
    let rows: Vec<Vec<TableCell>> = summary
        .items
        .iter()
        .filter_map(|i| {
            let actual = i.actual?;
            Some(vec![
                cell(&i.title, false),
                cell(&format!("{} min", i.planned), false),
                cell(&format!("{actual} min"), false),
                cell(&super::difference(actual - i64::from(i.planned)), false),
            ])
        })
        .collect();
    if !rows.is_empty() {
        let (short, diff) = (1100, 2000);
        b.t(table(
            &["Item", "Planned", "Ran", "Difference"],
            &[TEXT_WIDTH - 2 * short - diff, short, short, diff],
            rows,
        ));
    }
}

fn session_footer(export: &Export, s: &SessionExport) -> String {
    let date = s.date.map(|d| d.format("%-d %B %Y").to_string());
    let mut parts = export.programme_and_place();
    parts.push(&s.title);
    parts.extend(date.as_deref());
    parts.join(" · ")
}

/// Agenda column widths: time and length sized for "09:30–10:15" and "45 min", a wide
/// "As run" column to write in, the item taking the rest.
fn agenda_widths(facilitator: bool) -> Vec<usize> {
    let (time, length, run) = (1500, 950, 2000);
    if facilitator {
        vec![time, TEXT_WIDTH - time - length - run, length, run]
    } else {
        vec![time, TEXT_WIDTH - time - length, length]
    }
}

pub fn render(export: &Export) -> Result<Vec<u8>> {
    let facilitator = export.audience == Audience::Facilitator;
    let mut doc = styles(Docx::new());
    // Each list of steps restarts at 1: one numbering instance per list.
    let mut next_numbering = 10;
    let count = export.sessions.len();
    if count == 0 {
        let mut b = Blocks::default();
        b.p(para(&export.title).style("Title"));
        return finish(b.into_section(doc, footer(""), true), export.made_at);
    }

    for (n, s) in export.sessions.iter().enumerate() {
        let mut b = Blocks::default();
        if n == 0 {
            b.p(para(&export.title).style("Title"));
            let context = export.context();
            if !context.is_empty() {
                b.p(para(&context.join(" · ")));
            }
            if !facilitator && !export.lead_facilitators.is_empty() {
                b.p(labelled("Led by:", &export.lead_facilitators.join(", ")));
            }
        }
        b.p(heading(1, &s.title));
        if let Some(date) = s.date {
            b.p(labelled("Date:", &date.format("%A %-d %B %Y").to_string()));
        }
        b.p(labelled("Time:", &format!("{} to {}", s.start, s.end)));
        if !s.venue.is_empty() {
            b.p(labelled("Venue:", &s.venue));
        }
        if !s.objectives.is_empty() {
            b.p(labelled("Objectives:", &s.objectives));
        }

        if let Some(summary) = &s.summary {
            summary_blocks(&mut b, summary);
        }

        b.p(heading(2, "Agenda"));
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
                            _ => String::new(),
                        },
                        false,
                    ));
                }
                row
            })
            .collect();
        b.t(table(&header, &agenda_widths(facilitator), rows));

        let exercises: Vec<_> = s
            .agenda
            .iter()
            .filter_map(|i| i.exercise.as_ref().map(|e| (i, e)))
            .collect();
        if !exercises.is_empty() {
            b.p(heading(2, "How the exercises work"));
            for (item, e) in exercises {
                b.p(heading(3, &item.title));
                if !e.for_participants.is_empty() {
                    b.p(para(&e.for_participants));
                }
                if !e.purpose.is_empty() {
                    b.p(para(&e.purpose));
                }
                b.steps(next_numbering, &e.steps);
                next_numbering += 1;
            }
        }

        if facilitator && !s.attendance.is_empty() {
            b.p(heading(2, "Attendance"));
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
            let status = 1600;
            let name = (TEXT_WIDTH - status) / 2;
            b.t(table(
                &["Participant", "Organisation", "Attendance"],
                &[name, TEXT_WIDTH - status - name, status],
                rows,
            ));
        }

        if !s.reflections.is_empty() {
            b.p(heading(2, "Reflections"));
            for g in &s.reflections {
                let title = g.heading(str::to_owned);
                b.p(heading(3, &title));
                for r in &g.reflections {
                    b.p(para(&r.text)
                        .style("Quote")
                        .keep_next(true)
                        .keep_lines(true));
                    let themes = if r.tags.is_empty() {
                        String::new()
                    } else {
                        format!(" · Themes: {}", r.tags.join(", "))
                    };
                    b.p(para(&format!("— {}{themes}", r.attribution())).align(AlignmentType::Right));
                }
            }
        }

        if !facilitator {
            if let Some(next) = &s.next {
                b.p(heading(2, "Next session"));
                b.p(para(&super::next_session_words(next)));
            }
        }

        if facilitator && !s.actions.is_empty() {
            b.p(heading(2, "Actions"));
            for a in &s.actions {
                let follow = if a.follow_up.is_empty() {
                    String::new()
                } else {
                    format!(" Follow-up: {}", a.follow_up)
                };
                b.p(bullet(labelled(
                    &format!("{}:", a.by),
                    &format!("{} ({}).{follow}", a.text, a.status),
                )));
            }
        }

        if facilitator && (s.notes.is_some() || !s.observations.is_empty()) {
            b.p(heading(2, "Facilitator notes"));
            if let Some(notes) = &s.notes {
                b.p(para(notes));
            }
            for o in &s.observations {
                b.p(bullet(labelled(&o.at, &o.text)));
            }
        }
        doc = b.into_section(doc, footer(&session_footer(export, s)), n + 1 == count);
    }
    finish(doc, export.made_at)
}
