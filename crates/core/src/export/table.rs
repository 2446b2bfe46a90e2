//! Reflections as CSV (RFC 4180, UTF-8, optionally with a byte-order mark for Excel): one row
//! each, with where and when it was said. Every cell passes through [`neutralise`], so no
//! text anyone typed becomes a formula in a spreadsheet.

use std::borrow::Cow;

use super::Export;
use crate::error::Result;

pub const HEADER: [&str; 13] = [
    "programme",
    "version",
    "place",
    "session",
    "date",
    "agenda item",
    "prompt",
    "participant",
    "sector",
    "text",
    "tags",
    "captured at",
    "sent from",
];

/// A cell as a spreadsheet must read it: text that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return would be taken for a formula by Excel, LibreOffice Calc or Google
/// Sheets (CSV injection), so it gets a leading single quote, as OWASP advises. Every CSV
/// Fieldbook writes goes through this.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

pub fn csv(export: &Export, bom: bool) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if bom {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(bytes);
    let io = |e: csv::Error| crate::Error::invalid(format!("The CSV could not be written: {e}"));
    writer.write_record(HEADER).map_err(io)?;
    let or_empty = |o: &Option<String>| o.clone().unwrap_or_default();
    for s in &export.sessions {
        for g in &s.reflections {
            for r in &g.reflections {
                let sector = r
                    .sector
                    .and_then(|s| serde_json::to_value(s).ok())
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let row = [
                    or_empty(&export.programme),
                    or_empty(&export.version),
                    or_empty(&export.place),
                    s.title.clone(),
                    s.date.map(|d| d.to_string()).unwrap_or_default(),
                    or_empty(&g.item),
                    g.prompt.clone(),
                    r.by.clone(),
                    sector,
                    r.text.clone(),
                    r.tags.join("; "),
                    r.captured_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    match r.sent_from {
                        Some(crate::domain::SentFrom::Phone) => "phone".to_owned(),
                        None => String::new(),
                    },
                ];
                writer
                    .write_record(row.iter().map(|c| neutralise(c).into_owned()))
                    .map_err(io)?;
            }
        }
    }
    writer
        .into_inner()
        .map_err(|e| crate::Error::invalid(format!("The CSV could not be written: {e}")))
}
