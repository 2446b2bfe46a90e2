//! The learning summary for a programme's learning network: its themes with how many
//! reflections each had in each place, and a few chosen quotes, only from participants who
//! agreed to be quoted. Written as self-contained HTML or as Word.

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, Utc};
use docx_rs::Docx;
use serde::Serialize;
use uuid::Uuid;

use super::{docx, html};
use crate::domain::Programme;
use crate::error::Result;
use crate::store::Store;
use crate::themes::{Breakdown, SummaryScope, ThemeSummary};

/// The most quotes given for one theme.
pub const QUOTES_PER_THEME: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct SummaryQuote {
    pub text: String,
    /// The participant's name (and organisation) if they agreed to be named, otherwise their
    /// cohort pseudonym and sector.
    pub by: String,
    pub place: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeQuotes {
    pub theme: String,
    pub quotes: Vec<SummaryQuote>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LearningSummary {
    pub programme: String,
    pub made_on: NaiveDate,
    #[serde(skip)]
    pub made_at: DateTime<Utc>,
    pub summary: ThemeSummary,
    pub quotes: Vec<ThemeQuotes>,
    /// Quotes chosen but left out because their author did not agree to be quoted.
    pub withheld: usize,
}

impl LearningSummary {
    pub fn title(&self) -> String {
        format!("{}: learning summary", self.programme)
    }
}

fn sector_words(sector: &str) -> &'static str {
    match sector {
        "public" => " (public sector)",
        "private" => " (private sector)",
        "voluntary" => " (voluntary sector)",
        "community" => " (community sector)",
        _ => "",
    }
}

type QuoteRow = (
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<bool>,
    String,
);

impl Store {
    /// Gathers a programme's learning summary.
    pub async fn learning_summary(&self, programme_id: Uuid) -> Result<LearningSummary> {
        let programme: Programme = self.get(programme_id).await?;
        let summary = self
            .theme_summary(
                SummaryScope {
                    programme_id: Some(programme_id),
                    version_id: None,
                },
                Breakdown::Place,
            )
            .await?;
        let rows: Vec<QuoteRow> = sqlx::query_as(
            "SELECT rt.theme_id, p.id, r.text, p.name, p.organisation, p.sector, p.consent_named,
                    p.consent_quoted, CASE v.kind WHEN 'national' THEN 'National' ELSE v.place END
             FROM reflection_theme rt
             JOIN reflection r ON r.id = rt.reflection_id AND r.deleted = 0 AND r.text != ''
             JOIN session s ON s.id = r.session_id AND s.deleted = 0
             JOIN programme_version v ON v.id = s.version_id
             LEFT JOIN participant p ON p.id = r.participant_id
             WHERE rt.quote = 1 AND v.programme_id = ?1
             GROUP BY rt.theme_id, r.id
             ORDER BY r.captured_at",
        )
        .bind(programme_id.to_string())
        .fetch_all(self.pool_ref())
        .await?;
        let names = self.pseudonyms().await?;
        let mut withheld = 0;
        let mut quotes: Vec<ThemeQuotes> = summary
            .rows
            .iter()
            .map(|r| ThemeQuotes {
                theme: r.theme.clone(),
                quotes: vec![],
            })
            .collect();
        for (theme_id, id, text, name, organisation, sector, named, quoted, place) in rows {
            if quoted != Some(true) {
                withheld += 1;
                continue;
            }
            let Some(at) = summary.rows.iter().position(|r| r.theme_id == theme_id) else {
                continue;
            };
            if quotes[at].quotes.len() >= QUOTES_PER_THEME {
                continue;
            }
            let by = match (named, name) {
                (Some(true), Some(name)) => match organisation.filter(|o| !o.is_empty()) {
                    Some(o) => format!("{name}, {o}"),
                    None => name,
                },
                _ => format!(
                    "{}{}",
                    id.and_then(|i| Uuid::try_parse(&i).ok())
                        .map_or_else(|| "A participant".to_owned(), |i| names.pseudonym_of(i)),
                    sector_words(sector.as_deref().unwrap_or_default())
                ),
            };
            quotes[at].quotes.push(SummaryQuote { text, by, place });
        }
        quotes.retain(|q| !q.quotes.is_empty());
        Ok(LearningSummary {
            programme: programme.title,
            made_on: self.clock().now().date_naive(),
            made_at: self.clock().now(),
            summary,
            quotes,
            withheld,
        })
    }
}

/// The summary as one self-contained HTML page: inline CSS, no scripts, nothing remote.
pub fn render_html(s: &LearningSummary) -> String {
    let e = html::escape;
    let mut o = String::new();
    let title = s.title();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}{}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"context\">Made on {}. Counts are reflections coded with each theme.</p>\n",
        e(&title),
        html::STYLE,
        html::page_footer(&title),
        e(&title),
        s.made_on.format("%-d %B %Y")
    );
    o.push_str("<h2>Themes by place</h2>\n");
    if s.summary.rows.is_empty() {
        o.push_str("<p>No reflections have been coded with themes yet.</p>\n");
    } else {
        o.push_str("<table>\n<colgroup><col class=\"theme\"></colgroup>\n<thead><tr><th scope=\"col\">Theme</th>");
        for c in &s.summary.columns {
            let _ = write!(o, "<th scope=\"col\">{}</th>", e(&c.label));
        }
        o.push_str("<th scope=\"col\">All places</th></tr></thead>\n<tbody>\n");
        for r in &s.summary.rows {
            let _ = write!(o, "<tr><th scope=\"row\">{}</th>", e(&r.theme));
            for n in &r.counts {
                let _ = write!(o, "<td>{n}</td>");
            }
            let _ = writeln!(o, "<td>{}</td></tr>", r.total);
        }
        o.push_str("</tbody>\n</table>\n");
    }
    if !s.quotes.is_empty() {
        o.push_str("<h2>In participants' words</h2>\n");
        for t in &s.quotes {
            let _ = writeln!(o, "<h3>{}</h3>", e(&t.theme));
            for q in &t.quotes {
                let _ = writeln!(
                    o,
                    "<blockquote dir=\"auto\"><p>{}</p><footer>{}, {}</footer></blockquote>",
                    e(&q.text),
                    e(&q.by),
                    e(&q.place)
                );
            }
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

/// The summary as a Word document with real headings and a table.
pub fn render_docx(s: &LearningSummary) -> Result<Vec<u8>> {
    let mut doc = docx::styles(Docx::new());
    doc = doc.add_paragraph(docx::para(&s.title()).style("Title"));
    doc = doc.add_paragraph(docx::para(&format!(
        "Made on {}. Counts are reflections coded with each theme.",
        s.made_on.format("%-d %B %Y")
    )));
    doc = doc.add_paragraph(docx::heading(1, "Themes by place"));
    if s.summary.rows.is_empty() {
        doc = doc.add_paragraph(docx::para(
            "No reflections have been coded with themes yet.",
        ));
    } else {
        let mut header: Vec<&str> = vec!["Theme"];
        header.extend(s.summary.columns.iter().map(|c| c.label.as_str()));
        header.push("All places");
        let rows = s
            .summary
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![docx::cell(&r.theme, true)];
                cells.extend(r.counts.iter().map(|n| docx::cell(&n.to_string(), false)));
                cells.push(docx::cell(&r.total.to_string(), false));
                cells
            })
            .collect();
        let widths = docx::first_wide(header.len() - 1);
        doc = doc.add_table(docx::table(&header, &widths, rows));
    }
    if !s.quotes.is_empty() {
        doc = doc.add_paragraph(docx::heading(1, "In participants' words"));
        for t in &s.quotes {
            doc = doc.add_paragraph(docx::heading(2, &t.theme));
            for q in &t.quotes {
                doc = doc.add_paragraph(docx::para(&q.text).style("Quote").keep_next(true));
                doc = doc.add_paragraph(docx::para(&format!("{}, {}", q.by, q.place)));
            }
        }
    }
    docx::finish(doc.footer(docx::footer(&s.title())), s.made_at)
}

/// A file name for the summary: letters, digits and hyphens only.
pub fn suggested_file_name(s: &LearningSummary, extension: &str) -> String {
    super::file_name_from(&s.title(), extension)
}
