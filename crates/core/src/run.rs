//! Run mode: what is happening in a session now, worked out from its run log (every start,
//! next, pause... with its time) and the clock. Planned against actual follows from the same
//! log, so nothing but the presses themselves is ever stored.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{AgendaItem, Meta, RunAction, RunEvent};
use crate::error::{Error, Result};
use crate::store::{Select, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    NotStarted,
    Running,
    Paused,
    Finished,
}

/// How much time the current item has left, in words a projector can show in colour and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLeft {
    Plenty,
    /// 20% or less of the item's time is left.
    Low,
    /// 5% or less is left.
    Critical,
    /// The item has run over.
    Over,
}

/// One agenda item as it ran, or is planned to run from here.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRun {
    pub item_id: Uuid,
    pub title: String,
    pub prompt: String,
    pub planned_minutes: u32,
    /// Planned minutes plus any extensions.
    pub allowed_seconds: i64,
    /// Time it has been running, pauses left out.
    pub elapsed_seconds: i64,
    pub actual_start: Option<DateTime<Utc>>,
    pub actual_end: Option<DateTime<Utc>>,
    /// Elapsed against planned, for items that have run: positive means over.
    pub over_seconds: Option<i64>,
    /// When it is now expected to start ("HH:MM", local to the session's clock).
    pub expected_start: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunState {
    pub status: RunStatus,
    pub current: Option<usize>,
    /// Of the current item; negative once it has run over.
    pub remaining_seconds: i64,
    pub time_left: TimeLeft,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub items: Vec<ItemRun>,
}

/// Works out the state of a run from its events (in the order they happened) at `now`.
pub fn run_state(
    items: &[AgendaItem],
    events: &[RunEvent],
    now: DateTime<Utc>,
    local: FixedOffset,
) -> RunState {
    let n = items.len();
    let mut elapsed = vec![Duration::zero(); n];
    let mut extended = vec![0i64; n];
    let mut first_start: Vec<Option<DateTime<Utc>>> = vec![None; n];
    let mut last_end: Vec<Option<DateTime<Utc>>> = vec![None; n];
    let mut current: Option<usize> = None;
    let mut running_since: Option<DateTime<Utc>> = None;
    let mut status = RunStatus::NotStarted;
    let (mut started_at, mut finished_at) = (None, None);

    let close = |i: usize,
                 at: DateTime<Utc>,
                 since: &mut Option<DateTime<Utc>>,
                 elapsed: &mut [Duration],
                 last_end: &mut [Option<DateTime<Utc>>]| {
        if let Some(s) = since.take() {
            elapsed[i] += (at - s).max(Duration::zero());
        }
        last_end[i] = Some(at);
    };

    for event in events {
        let at = event.at;
        match (event.action, status, current) {
            (RunAction::Start, RunStatus::NotStarted, _) if n > 0 => {
                status = RunStatus::Running;
                started_at = Some(at);
                current = Some(0);
                first_start[0] = Some(at);
                running_since = Some(at);
            }
            (RunAction::Next, RunStatus::Running | RunStatus::Paused, Some(i)) => {
                close(i, at, &mut running_since, &mut elapsed, &mut last_end);
                if i + 1 < n {
                    current = Some(i + 1);
                    first_start[i + 1].get_or_insert(at);
                    running_since = Some(at);
                    status = RunStatus::Running;
                } else {
                    status = RunStatus::Finished;
                    finished_at = Some(at);
                    current = None;
                }
            }
            (RunAction::Previous, RunStatus::Running | RunStatus::Paused, Some(i)) if i > 0 => {
                close(i, at, &mut running_since, &mut elapsed, &mut last_end);
                current = Some(i - 1);
                running_since = Some(at);
                status = RunStatus::Running;
            }
            (RunAction::Pause, RunStatus::Running, Some(i)) => {
                if let Some(s) = running_since.take() {
                    elapsed[i] += (at - s).max(Duration::zero());
                }
                status = RunStatus::Paused;
            }
            (RunAction::Resume, RunStatus::Paused, Some(_)) => {
                running_since = Some(at);
                status = RunStatus::Running;
            }
            (RunAction::Extend, RunStatus::Running | RunStatus::Paused, Some(i)) => {
                extended[i] += i64::from(event.minutes) * 60;
            }
            (RunAction::Finish, RunStatus::Running | RunStatus::Paused, Some(i)) => {
                close(i, at, &mut running_since, &mut elapsed, &mut last_end);
                status = RunStatus::Finished;
                finished_at = Some(at);
                current = None;
            }
            // A press that makes no sense in the state the run is in changes nothing.
            _ => {}
        }
    }

    let mut elapsed_now = elapsed.clone();
    if let (Some(i), Some(since)) = (current, running_since) {
        elapsed_now[i] += (now - since).max(Duration::zero());
    }
    let allowed: Vec<i64> = items
        .iter()
        .zip(&extended)
        .map(|(item, ext)| i64::from(item.minutes) * 60 + ext)
        .collect();

    let (remaining_seconds, time_left) = match current {
        Some(i) => {
            let remaining = allowed[i] - elapsed_now[i].num_seconds();
            let left = if remaining < 0 {
                TimeLeft::Over
            } else if allowed[i] > 0 && remaining * 100 <= allowed[i] * 5 {
                TimeLeft::Critical
            } else if allowed[i] > 0 && remaining * 100 <= allowed[i] * 20 {
                TimeLeft::Low
            } else if allowed[i] == 0 {
                TimeLeft::Over
            } else {
                TimeLeft::Plenty
            };
            (remaining, left)
        }
        None => (0, TimeLeft::Plenty),
    };

    // From the current item on, expected starts follow what really happened.
    let mut expected = current.map(|_| now + Duration::seconds(remaining_seconds.max(0)));
    let runs = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let ran = first_start[i].is_some();
            let expected_start = match (status, current) {
                (RunStatus::Finished, _) | (RunStatus::NotStarted, _) => None,
                (_, Some(c)) if i > c => {
                    let start = expected;
                    expected = start.map(|s| s + Duration::seconds(allowed[i]));
                    start
                }
                _ => first_start[i],
            }
            .map(|t| {
                let t = t.with_timezone(&local);
                format!("{:02}:{:02}", t.hour(), t.minute())
            });
            ItemRun {
                item_id: item.meta.id,
                title: item.title.clone(),
                prompt: item.prompt.clone(),
                planned_minutes: item.minutes,
                allowed_seconds: allowed[i],
                elapsed_seconds: elapsed_now[i].num_seconds(),
                actual_start: first_start[i],
                actual_end: if current == Some(i) {
                    None
                } else {
                    last_end[i]
                },
                over_seconds: (ran && current != Some(i))
                    .then(|| elapsed_now[i].num_seconds() - i64::from(item.minutes) * 60),
                expected_start,
            }
        })
        .collect();
    RunState {
        status,
        current,
        remaining_seconds,
        time_left,
        started_at,
        finished_at,
        items: runs,
    }
}

impl Store {
    async fn run_events(&self, session_id: Uuid) -> Result<Vec<RunEvent>> {
        self.list(
            Select::all()
                .eq("session_id", session_id)
                .by("at")
                .by("stamp"),
        )
        .await
    }

    /// The state of a session's run now.
    pub async fn run_state(&self, session_id: Uuid) -> Result<RunState> {
        let items = self.agenda_of(session_id).await?;
        let events = self.run_events(session_id).await?;
        let now = self.clock().now();
        Ok(run_state(
            &items,
            &events,
            now,
            self.clock().local_offset(now),
        ))
    }

    /// Records one press in run mode, now, and gives the state after it.
    pub async fn run_press(
        &self,
        session_id: Uuid,
        action: RunAction,
        minutes: u32,
    ) -> Result<RunState> {
        let before = self.run_state(session_id).await?;
        let allowed = match action {
            RunAction::Start => before.status == RunStatus::NotStarted && !before.items.is_empty(),
            RunAction::Resume => before.status == RunStatus::Paused,
            RunAction::Pause => before.status == RunStatus::Running,
            RunAction::Previous => before.current.is_some_and(|c| c > 0),
            RunAction::Next | RunAction::Finish => before.current.is_some(),
            RunAction::Extend => before.current.is_some() && (1..=120).contains(&minutes),
        };
        if !allowed {
            return Err(Error::invalid(match (action, before.status) {
                (RunAction::Start, _) if before.items.is_empty() => {
                    "This session has no agenda to run yet."
                }
                (RunAction::Start, _) => "This session has already been started.",
                (RunAction::Extend, _) if before.current.is_some() => {
                    "An item can be given 1 to 120 more minutes at a time."
                }
                (_, RunStatus::NotStarted) => "Start the session first.",
                (_, RunStatus::Finished) => "This session has finished.",
                _ => "That cannot be done at this point of the session.",
            }));
        }
        let mut event = RunEvent {
            meta: Meta::new(),
            session_id,
            action,
            minutes: if action == RunAction::Extend {
                minutes
            } else {
                0
            },
            at: self.clock().now(),
        };
        self.save(&mut event).await?;
        self.run_state(session_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemKind;
    use chrono::TimeZone;

    fn items(minutes: &[u32]) -> Vec<AgendaItem> {
        minutes
            .iter()
            .enumerate()
            .map(|(n, m)| AgendaItem {
                session_id: Uuid::nil(),
                position: n as f64,
                title: format!("Item {n}"),
                minutes: *m,
                kind: ItemKind::Activity,
                ..Default::default()
            })
            .collect()
    }

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 27, 9, 30, 0).unwrap() + Duration::minutes(minute)
    }

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    fn press(action: RunAction, minute: i64) -> RunEvent {
        press_for(action, minute, 0)
    }

    fn press_for(action: RunAction, minute: i64, minutes: u32) -> RunEvent {
        RunEvent {
            meta: Meta::new(),
            session_id: Uuid::nil(),
            action,
            minutes,
            at: at(minute),
        }
    }

    #[test]
    fn before_the_start_nothing_is_running() {
        let s = run_state(&items(&[10, 20]), &[], at(0), utc());
        assert_eq!((s.status, s.current), (RunStatus::NotStarted, None));
        assert!(s
            .items
            .iter()
            .all(|i| i.expected_start.is_none() && i.actual_start.is_none()));
    }

    #[test]
    fn the_countdown_runs_and_changes_level_at_twenty_and_five_percent() {
        let agenda = items(&[20, 10]);
        let events = [press(RunAction::Start, 0)];
        let s = run_state(&agenda, &events, at(5), utc());
        assert_eq!(
            (s.status, s.current, s.remaining_seconds),
            (RunStatus::Running, Some(0), 15 * 60)
        );
        assert_eq!(s.time_left, TimeLeft::Plenty);
        assert_eq!(
            run_state(&agenda, &events, at(16), utc()).time_left,
            TimeLeft::Low
        );
        assert_eq!(
            run_state(&agenda, &events, at(15) + Duration::seconds(59), utc()).time_left,
            TimeLeft::Plenty
        );
        assert_eq!(
            run_state(&agenda, &events, at(19), utc()).time_left,
            TimeLeft::Critical
        );
        let over = run_state(&agenda, &events, at(22), utc());
        assert_eq!(
            (over.time_left, over.remaining_seconds),
            (TimeLeft::Over, -120)
        );
    }

    #[test]
    fn a_pause_stops_the_clock_for_the_item() {
        let agenda = items(&[20]);
        let events = [
            press(RunAction::Start, 0),
            press(RunAction::Pause, 5),
            press(RunAction::Resume, 15),
        ];
        let s = run_state(&agenda, &events, at(20), utc());
        assert_eq!(s.items[0].elapsed_seconds, 10 * 60);
        assert_eq!(s.remaining_seconds, 10 * 60);
        let paused = run_state(&agenda, &events[..2], at(50), utc());
        assert_eq!(
            (paused.status, paused.remaining_seconds),
            (RunStatus::Paused, 15 * 60)
        );
    }

    #[test]
    fn extending_gives_the_current_item_more_time() {
        let agenda = items(&[10, 10]);
        let events = [
            press(RunAction::Start, 0),
            press_for(RunAction::Extend, 8, 5),
        ];
        let s = run_state(&agenda, &events, at(10), utc());
        assert_eq!(
            (s.items[0].allowed_seconds, s.remaining_seconds),
            (15 * 60, 5 * 60)
        );
        // Without the extension, no time would be left at all.
        assert_eq!(s.time_left, TimeLeft::Plenty);
    }

    #[test]
    fn actual_times_are_recorded_and_later_items_move_with_them() {
        let agenda = items(&[10, 20, 30]);
        let events = [press(RunAction::Start, 0), press(RunAction::Next, 14)];
        let s = run_state(&agenda, &events, at(20), utc());
        assert_eq!(s.current, Some(1));
        assert_eq!(
            (s.items[0].actual_start, s.items[0].actual_end),
            (Some(at(0)), Some(at(14)))
        );
        assert_eq!(s.items[0].over_seconds, Some(4 * 60));
        assert_eq!(s.items[1].actual_start, Some(at(14)));
        // Planned: 09:30, 09:40, 10:00. The third now starts when the second's time is up.
        assert_eq!(s.items[2].expected_start.as_deref(), Some("10:04"));
    }

    #[test]
    fn skipping_an_item_records_it_as_under_time() {
        let agenda = items(&[10, 20, 30]);
        let events = [
            press(RunAction::Start, 0),
            press(RunAction::Next, 10),
            press(RunAction::Next, 10),
        ];
        let s = run_state(&agenda, &events, at(11), utc());
        assert_eq!(s.current, Some(2));
        assert_eq!(s.items[1].over_seconds, Some(-20 * 60));
    }

    #[test]
    fn going_back_reopens_the_previous_item_and_adds_to_its_time() {
        let agenda = items(&[10, 20]);
        let events = [
            press(RunAction::Start, 0),
            press(RunAction::Next, 10),
            press(RunAction::Previous, 12),
        ];
        let s = run_state(&agenda, &events, at(15), utc());
        assert_eq!(s.current, Some(0));
        assert_eq!(s.items[0].elapsed_seconds, 13 * 60);
        assert_eq!(s.items[0].actual_start, Some(at(0)));
        assert_eq!(s.items[1].elapsed_seconds, 2 * 60);
    }

    #[test]
    fn next_on_the_last_item_finishes_the_session() {
        let agenda = items(&[10]);
        let events = [
            press(RunAction::Start, 0),
            press(RunAction::Next, 9),
            press(RunAction::Next, 10),
        ];
        let s = run_state(&agenda, &events, at(30), utc());
        assert_eq!(
            (s.status, s.current, s.finished_at),
            (RunStatus::Finished, None, Some(at(9)))
        );
        assert_eq!(s.items[0].over_seconds, Some(-60));
    }

    #[test]
    fn presses_that_make_no_sense_change_nothing() {
        let agenda = items(&[10, 10]);
        let events = [
            press(RunAction::Next, 0),
            press(RunAction::Resume, 1),
            press(RunAction::Start, 2),
            press(RunAction::Previous, 3),
            press(RunAction::Start, 4),
            press(RunAction::Resume, 5),
        ];
        let s = run_state(&agenda, &events, at(6), utc());
        assert_eq!(
            (s.status, s.current, s.started_at),
            (RunStatus::Running, Some(0), Some(at(2)))
        );
        assert_eq!(s.items[0].elapsed_seconds, 4 * 60);
    }
}
