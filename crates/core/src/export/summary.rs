//! The session summary at the top of the facilitator's notes: who came, planned against
//! actual time, the themes that came up and the actions still open. Worked out from what
//! the export already gathered, so every format says the same.

use serde::Serialize;

use super::SessionExport;
use crate::domain::Presence;

/// One agenda item's planned and actual length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemTiming {
    pub title: String,
    pub planned: u32,
    /// `None` for an item that was not run.
    pub actual: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    /// Marked present or late (walk-ins included).
    pub attended: usize,
    pub late: usize,
    pub absent: usize,
    /// People who joined on the day.
    pub walk_ins: usize,
    pub items: Vec<ItemTiming>,
    pub planned_minutes: u32,
    /// Minutes the items that were run took; `None` if the session was not run.
    pub actual_minutes: Option<i64>,
    /// Themes of this session's reflections, most used first, with how many reflections.
    pub themes: Vec<(String, usize)>,
    /// Actions still open: who and what.
    pub open_actions: Vec<(String, String)>,
}

impl SessionSummary {
    /// "9 attended (2 late, 1 walk-in); 3 absent".
    pub fn attendance(&self) -> String {
        let mut extra = Vec::new();
        if self.late > 0 {
            extra.push(format!("{} late", self.late));
        }
        if self.walk_ins > 0 {
            let s = if self.walk_ins == 1 { "" } else { "s" };
            extra.push(format!("{} walk-in{s}", self.walk_ins));
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        format!("{} attended{extra}; {} absent", self.attended, self.absent)
    }

    /// "Planned 180 min; ran 192 min, 12 minutes over", "Planned 385 min; 2 of 9 items run:
    /// 34 min against 55 planned, 21 minutes under", or "Planned 180 min; not run yet".
    pub fn timing(&self) -> String {
        let run: Vec<&ItemTiming> = self.items.iter().filter(|i| i.actual.is_some()).collect();
        match (self.actual_minutes, self.overall()) {
            (Some(actual), Some(overall)) if run.len() == self.items.len() => format!(
                "Planned {} min; ran {actual} min, {overall}",
                self.planned_minutes
            ),
            (Some(actual), Some(overall)) => format!(
                "Planned {} min; {} of {} items run: {actual} min against {} planned, {overall}",
                self.planned_minutes,
                run.len(),
                self.items.len(),
                run.iter().map(|i| i.planned).sum::<u32>()
            ),
            _ => format!("Planned {} min; not run yet", self.planned_minutes),
        }
    }

    /// "Trust (4), Shared power (2)", or `None` when no reflection has a theme.
    pub fn themes_line(&self) -> Option<String> {
        (!self.themes.is_empty()).then(|| {
            self.themes
                .iter()
                .map(|(t, n)| format!("{t} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// "12 minutes over", "5 minutes under", "on time": actual against planned, for the items
    /// that were run.
    pub fn overall(&self) -> Option<String> {
        let actual = self.actual_minutes?;
        let planned: i64 = self
            .items
            .iter()
            .filter(|i| i.actual.is_some())
            .map(|i| i64::from(i.planned))
            .sum();
        Some(difference(actual - planned))
    }
}

/// A difference in minutes in words.
pub fn difference(minutes: i64) -> String {
    let unit = |n: i64| if n == 1 { "minute" } else { "minutes" };
    match minutes {
        0 => "on time".to_owned(),
        n if n > 0 => format!("{n} {} over", unit(n)),
        n => format!("{} {} under", -n, unit(-n)),
    }
}

/// The summary of one session as exported.
pub fn summarise(s: &SessionExport) -> SessionSummary {
    let count = |p: Presence| s.attendance.iter().filter(|a| a.status == p).count();
    let items: Vec<ItemTiming> = s
        .agenda
        .iter()
        .map(|i| ItemTiming {
            title: i.title.clone(),
            planned: i.minutes,
            actual: i.actual_minutes,
        })
        .collect();
    let run: Vec<i64> = items.iter().filter_map(|i| i.actual).collect();
    let mut themes: Vec<(String, usize)> = Vec::new();
    for tag in s
        .reflections
        .iter()
        .flat_map(|g| &g.reflections)
        .flat_map(|r| &r.tags)
    {
        match themes.iter_mut().find(|(t, _)| t == tag) {
            Some((_, n)) => *n += 1,
            None => themes.push((tag.clone(), 1)),
        }
    }
    themes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    SessionSummary {
        attended: count(Presence::Present) + count(Presence::Late),
        late: count(Presence::Late),
        absent: count(Presence::Absent),
        walk_ins: s.attendance.iter().filter(|a| a.walk_in).count(),
        planned_minutes: items.iter().map(|i| i.planned).sum(),
        actual_minutes: (!run.is_empty()).then(|| run.iter().sum()),
        items,
        themes,
        open_actions: s
            .actions
            .iter()
            .filter(|a| a.status == "open")
            .map(|a| (a.by.clone(), a.text.clone()))
            .collect(),
    }
}
