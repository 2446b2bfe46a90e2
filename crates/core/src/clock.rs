//! Time: an injectable wall clock, and the hybrid logical clock stamps that order every write.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Where "now" comes from. Tests inject a [`ManualClock`] so timing is tested without waiting.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_ms(&self) -> i64;

    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.now_ms())
            .single()
            .unwrap_or_default()
    }

    /// How far the laptop's local time is from UTC at `at` (session times are local).
    fn local_offset(&self, at: DateTime<Utc>) -> FixedOffset {
        Local.offset_from_utc_datetime(&at.naive_utc()).fix()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that moves only when told to.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(time: DateTime<Utc>) -> Self {
        Self(Arc::new(AtomicI64::new(time.timestamp_millis())))
    }

    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set(&self, time: DateTime<Utc>) {
        self.0.store(time.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Tests run on UTC, whatever the machine's time zone.
    fn local_offset(&self, _at: DateTime<Utc>) -> FixedOffset {
        FixedOffset::east_opt(0).expect("zero is a valid offset")
    }
}

/// A hybrid logical clock stamp: wall milliseconds, a counter for writes within the same
/// millisecond (or while the wall clock is behind), and the device that wrote.
///
/// Stamps are totally ordered by (ms, counter, device), and their text form sorts the same way,
/// so the database can compare them as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub ms: i64,
    pub counter: u32,
    pub device: Uuid,
}

impl Stamp {
    /// The next stamp after `last` on `device`, given the wall clock reads `now_ms`: never
    /// earlier than `last`, even when the wall clock has gone backwards.
    pub fn next(last_ms: i64, last_counter: u32, now_ms: i64, device: Uuid) -> Stamp {
        if now_ms > last_ms {
            Stamp {
                ms: now_ms,
                counter: 0,
                device,
            }
        } else {
            Stamp {
                ms: last_ms,
                counter: last_counter.saturating_add(1),
                device,
            }
        }
    }
}

impl Stamp {
    /// This stamp, or one just after `parent` when the parent is not older: a new version
    /// always comes after the version it was written on top of.
    pub fn after(self, parent: Option<Stamp>) -> Stamp {
        match parent {
            Some(p) if (p.ms, p.counter) >= (self.ms, self.counter) => Stamp {
                ms: p.ms,
                counter: p.counter.saturating_add(1),
                device: self.device,
            },
            _ => self,
        }
    }

    /// The wall time the stamp carries.
    pub fn time(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.ms)
            .single()
            .unwrap_or_default()
    }
}

/// How far ahead of this laptop's wall clock another laptop's stamps may pull this laptop's
/// logical clock, and how far this laptop's logical clock may be ahead of its own wall clock
/// before it is taken to have been wrong and put right (see docs/sync.md: wrong clocks).
pub const MAX_DRIFT_MS: i64 = 24 * 60 * 60 * 1000;

/// Where the logical clock resumes when a write starts: where it stopped, unless it is more
/// than [`MAX_DRIFT_MS`] ahead of the wall clock. Then the laptop's clock was set ahead and has
/// been put right since, and stamps follow the wall clock again instead of staying in the
/// future; a version written on top of one of those future stamps still comes after it
/// ([`Stamp::after`]).
pub fn resume(last_ms: i64, last_counter: u32, now_ms: i64) -> (i64, u32) {
    if last_ms > now_ms.saturating_add(MAX_DRIFT_MS) {
        (now_ms, 0)
    } else {
        (last_ms, last_counter)
    }
}

/// The logical clock after seeing another laptop's stamp: past it, but never further than
/// [`MAX_DRIFT_MS`] ahead of this laptop's wall clock, so one laptop with a wrong clock cannot
/// drag the others into the future.
pub fn observe(last: (i64, u32), seen: Stamp, now_ms: i64) -> (i64, u32) {
    let ceiling = now_ms.saturating_add(MAX_DRIFT_MS);
    if seen.ms > ceiling {
        return if ceiling > last.0 { (ceiling, 0) } else { last };
    }
    last.max((seen.ms, seen.counter))
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:015}-{:010}-{}",
            self.ms,
            self.counter,
            self.device.simple()
        )
    }
}

impl FromStr for Stamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::invalid(format!("\"{s}\" is not a Fieldbook clock stamp"));
        let mut parts = s.splitn(3, '-');
        let (Some(ms), Some(counter), Some(device)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if ms.len() != 15 || counter.len() != 10 || device.len() != 32 {
            return Err(bad());
        }
        Ok(Stamp {
            ms: ms.parse().map_err(|_| bad())?,
            counter: counter.parse().map_err(|_| bad())?,
            device: Uuid::try_parse(device).map_err(|_| bad())?,
        })
    }
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn next_stamp_follows_the_wall_clock_when_it_moves_forward() {
        let s = Stamp::next(1_000, 7, 2_000, device(1));
        assert_eq!((s.ms, s.counter), (2_000, 0));
    }

    #[test]
    fn next_stamp_never_goes_back_when_the_wall_clock_does() {
        let s = Stamp::next(5_000, 3, 1_000, device(1));
        assert_eq!((s.ms, s.counter), (5_000, 4));
        assert!(
            s > Stamp {
                ms: 5_000,
                counter: 3,
                device: device(1)
            }
        );
    }

    #[test]
    fn a_new_version_comes_after_its_parent_even_from_a_clock_that_ran_ahead() {
        let parent = Stamp {
            ms: 9_000,
            counter: 2,
            device: device(2),
        };
        let here = Stamp::next(1_000, 0, 1_500, device(1)).after(Some(parent));
        assert!(here > parent);
        assert_eq!((here.ms, here.counter, here.device), (9_000, 3, device(1)));
        let later = Stamp::next(1_000, 0, 10_000, device(1));
        assert_eq!(later.after(Some(parent)), later);
    }

    #[test]
    fn a_clock_put_back_after_running_a_year_ahead_stamps_from_the_wall_clock_again() {
        let year = 365 * 24 * 60 * 60 * 1000;
        let now = 1_800_000_000_000;
        assert_eq!(resume(now + year, 5, now), (now, 0));
        // A day's drift or less is an ordinary logical clock and is kept.
        assert_eq!(resume(now + 1_000, 5, now), (now + 1_000, 5));
        assert_eq!(resume(now - 1_000, 5, now), (now - 1_000, 5));
    }

    #[test]
    fn a_stamp_from_far_ahead_pulls_the_clock_no_further_than_a_day() {
        let now = 1_800_000_000_000;
        let far = Stamp {
            ms: now + 365 * 24 * 60 * 60 * 1000,
            counter: 0,
            device: device(2),
        };
        assert_eq!(observe((now, 0), far, now), (now + MAX_DRIFT_MS, 0));
        let near = Stamp {
            ms: now + 60_000,
            counter: 4,
            device: device(2),
        };
        assert_eq!(observe((now, 0), near, now), (now + 60_000, 4));
        assert_eq!(observe((now + 90_000, 1), near, now), (now + 90_000, 1));
    }

    #[test]
    fn text_form_sorts_like_the_stamps_themselves() {
        let stamps = [
            Stamp {
                ms: 9,
                counter: 0,
                device: device(2),
            },
            Stamp {
                ms: 10,
                counter: 0,
                device: device(1),
            },
            Stamp {
                ms: 10,
                counter: 2,
                device: device(1),
            },
            Stamp {
                ms: 10,
                counter: 10,
                device: device(1),
            },
            Stamp {
                ms: 10,
                counter: 10,
                device: device(3),
            },
            Stamp {
                ms: 1_700_000_000_000,
                counter: 0,
                device: device(1),
            },
        ];
        for pair in stamps.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(pair[0].to_string() < pair[1].to_string(), "{pair:?}");
        }
    }

    #[test]
    fn text_form_round_trips_and_rejects_garbage() {
        let s = Stamp {
            ms: 1_732_000_000_123,
            counter: 42,
            device: Uuid::now_v7(),
        };
        assert_eq!(s.to_string().parse::<Stamp>().unwrap(), s);
        for bad in [
            "",
            "12-3",
            "x".repeat(59).as_str(),
            "000000000000001-0000000001-zz",
        ] {
            assert!(bad.parse::<Stamp>().is_err(), "{bad:?} parsed");
        }
    }
}
