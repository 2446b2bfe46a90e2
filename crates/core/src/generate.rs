//! Synthetic data for testing at scale: cohorts of the demo programmes in many places, with
//! sessions, participants, varied reflections and themes. Deterministic for a given seed, so
//! a benchmark's data set can be made again.

use crate::demo::seed_demo;
use crate::domain::{
    AgendaItem, ItemKind, Meta, Participant, Programme, ProgrammeVersion, Reflection, Sector,
    Session, Theme, ThemeTag, VersionKind,
};
use crate::error::{Error, Result};
use crate::store::{Select, Store};
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// The most reflections one run makes.
pub const MAX_REFLECTIONS: u64 = 5_000_000;

const PLACES: &[&str] = &[
    "Sunderland",
    "Westminster",
    "Surrey",
    "Gateshead",
    "Leeds",
    "Bradford",
    "Cornwall",
    "Norfolk",
    "Bristol",
    "Plymouth",
    "Manchester",
    "Salford",
    "Wigan",
    "Stockport",
    "Birmingham",
    "Coventry",
    "Nottingham",
    "Derby",
    "Leicester",
    "Lincolnshire",
    "Kent",
    "Brighton and Hove",
    "Hampshire",
    "Devon",
    "Cumbria",
    "Northumberland",
    "Durham",
    "Hull",
    "Sheffield",
    "Barnsley",
    "Liverpool",
    "Wirral",
    "Lancashire",
    "Blackpool",
    "Oxfordshire",
    "Cambridgeshire",
    "Suffolk",
    "Essex",
    "Hackney",
    "Tower Hamlets",
    "Camden",
    "Lambeth",
    "Southwark",
    "Croydon",
    "Wolverhampton",
    "Stoke-on-Trent",
    "Shropshire",
    "Herefordshire",
];
const FIRST: &[&str] = &[
    "Amira", "Ben", "Chloe", "Dev", "Ellie", "Farid", "Grace", "Harry", "Imran", "Jess", "Kofi",
    "Laura", "Mo", "Niamh", "Owen", "Priya", "Rhys", "Sara", "Tom", "Usha", "Vic", "Wendy",
    "Yusuf", "Zoe", "Aled", "Bea", "Callum", "Dana", "Ewan", "Fatima",
];
const LAST: &[&str] = &[
    "Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones",
    "Khan", "Lewis", "Morgan", "Nolan", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor",
    "Walsh", "Young",
];
const ORGANISATIONS: &[&str] = &[
    "City Council",
    "NHS Trust",
    "Housing Association",
    "Food Bank",
    "Fire and Rescue",
    "Police",
    "Community Trust",
    "Youth Project",
    "Integrated Care Board",
    "Voluntary Action",
    "Library Service",
    "Job Centre",
    "Credit Union",
    "Carers' Centre",
    "Primary School",
];
const PROMPTS: &[&str] = &[
    "What surprised you today?",
    "What will you do differently on Monday?",
    "Where did you notice power in the room?",
    "What does good collaboration look like in your place?",
    "What gets in the way of working with communities?",
    "What is one thing you want to learn more about?",
    "Who do you need to talk to next?",
    "What did you hear that you disagree with?",
];
const OPENERS: &[&str] = &[
    "I noticed that",
    "It struck me that",
    "Honestly,",
    "In my team",
    "For me,",
    "What surprised me is that",
    "I think",
    "Listening today, I realised",
    "I still feel",
    "Back at work",
    "Our partners say",
    "It is clear that",
    "I worry that",
    "I was reminded that",
    "Hearing from residents,",
    "Over the last month",
];
const SUBJECTS: &[&str] = &[
    "the council",
    "our commissioners",
    "residents",
    "young people",
    "the voluntary sector",
    "frontline staff",
    "health partners",
    "my manager",
    "community groups",
    "the police",
    "housing officers",
    "carers",
    "local businesses",
    "our board",
    "families we support",
    "the integrated care board",
    "faith groups",
    "schools",
    "volunteers",
    "elected members",
];
const VERBS: &[&str] = &[
    "rarely believe in",
    "want to share",
    "struggle to hear",
    "are ready to co-design",
    "hold back on",
    "talk past",
    "are learning to build",
    "underestimate",
    "depend on",
    "are worn out by",
    "keep coming back to",
    "quietly lead",
    "often avoid",
    "could do more on",
    "are nervous about",
    "care deeply about",
];
const OBJECTS: &[&str] = &[
    "shared power",
    "difficult conversations",
    "the budget",
    "long-term funding",
    "data sharing",
    "trust between partners",
    "listening to lived experience",
    "decisions made in closed rooms",
    "the same old meetings",
    "small experiments",
    "risk and blame",
    "relationships across sectors",
    "commissioning rules",
    "outcomes targets",
    "community assets",
    "time to reflect",
    "honest feedback",
    "a common purpose",
    "procurement",
    "mental health support",
    "the cost of living",
    "digital exclusion",
];
const CLOSERS: &[&str] = &[
    "and that has to change.",
    "which made me think again.",
    "more than I expected.",
    "when nobody is watching.",
    "because the system rewards it.",
    "and I want to test that.",
    "so I will raise it at our next meeting.",
    "even when it is uncomfortable.",
    "and I am not sure why.",
    "after today.",
    "in Sunderland as much as anywhere.",
    "with very little support.",
    "and it shows.",
    "before anything else.",
];
const THEMES: &[(&str, &str)] = &[
    ("Trust", "trust"),
    ("Shared power", "power"),
    ("Listening", "listen"),
    ("Funding and budgets", "budget"),
    ("Relationships", "relationships"),
    ("Data and evidence", "data"),
    ("Risk and blame", "risk"),
    ("Lived experience", "lived"),
    ("Commissioning practice", "commission"),
    ("Wellbeing", "mental"),
    ("Experiments", "experiment"),
    ("Purpose", "purpose"),
];

/// A small, fast, deterministic generator of numbers (SplitMix64).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn sentence(dice: &mut Dice) -> String {
    format!(
        "{} {} {} {} {}",
        dice.pick(OPENERS),
        dice.pick(SUBJECTS),
        dice.pick(VERBS),
        dice.pick(OBJECTS),
        dice.pick(CLOSERS)
    )
}

fn reflection_text(dice: &mut Dice) -> String {
    let n = 1 + dice.below(3);
    (0..n).map(|_| sentence(dice)).collect::<Vec<_>>().join(" ")
}

/// What a run made.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Generated {
    pub versions: u64,
    pub sessions: u64,
    pub participants: u64,
    pub reflections: u64,
    pub tags: u64,
}

const PARTICIPANTS_PER_COHORT: usize = 24;
const SESSIONS_PER_COHORT: usize = 8;
const RECORDS_PER_TRANSACTION: usize = 20_000;

/// Adds the demo content (if it is not there) and then cohorts of its programmes in many
/// places until there are `reflections` more reflections. `progress` is told how many so far.
pub async fn generate(
    store: &Store,
    reflections: u64,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<Generated> {
    if reflections == 0 || reflections > MAX_REFLECTIONS {
        return Err(Error::invalid(format!(
            "Give a number of reflections from 1 to {MAX_REFLECTIONS}."
        )));
    }
    seed_demo(store).await?;
    let programmes: Vec<Programme> = store.list(Select::all().by("title")).await?;
    if programmes.is_empty() {
        return Err(Error::invalid("There is no programme to make cohorts of."));
    }
    let mut dice = Dice(seed);
    let mut made = Generated::default();
    let mut themes = Vec::new();
    {
        let existing = store.themes().await?;
        let mut writer = store.writer().await?;
        for (name, word) in THEMES {
            let theme = match existing.iter().find(|t| t.theme.name == *name) {
                Some(t) => t.theme.clone(),
                None => {
                    let mut t = Theme {
                        name: (*name).to_owned(),
                        ..Default::default()
                    };
                    writer.save(&mut t).await?;
                    t
                }
            };
            themes.push((theme.meta.id, *word));
        }
        writer.commit().await?;
    }

    let mut cohort = 0usize;
    let mut writer = store.writer().await?;
    let mut in_transaction = 0usize;
    while made.reflections < reflections {
        let programme = &programmes[cohort % programmes.len()];
        let place = PLACES[(cohort / programmes.len()) % PLACES.len()];
        let round = cohort / (programmes.len() * PLACES.len());
        let year = 2019 + (round % 8) as i32;
        let start =
            NaiveDate::from_ymd_opt(year, 1 + (cohort % 12) as u32, 1 + dice.below(25) as u32)
                .expect("a valid date");
        let mut version = ProgrammeVersion {
            programme_id: programme.meta.id,
            kind: VersionKind::Local,
            name: format!("{} {place} cohort {}", programme.title, round + 1),
            place: place.to_owned(),
            partners: vec![format!("{place} {}", dice.pick(ORGANISATIONS))],
            lead_facilitators: vec![format!("{} {}", dice.pick(FIRST), dice.pick(LAST))],
            cohort_start: Some(start),
            cohort_end: Some(start + Duration::weeks(2 * SESSIONS_PER_COHORT as i64)),
            ..Default::default()
        };
        writer.save(&mut version).await?;
        made.versions += 1;
        let mut people = Vec::new();
        for _ in 0..PARTICIPANTS_PER_COHORT {
            let quoted = dice.chance(70);
            let mut p = Participant {
                version_id: Some(version.meta.id),
                name: format!("{} {}", dice.pick(FIRST), dice.pick(LAST)),
                organisation: format!("{place} {}", dice.pick(ORGANISATIONS)),
                sector: [
                    Sector::Public,
                    Sector::Private,
                    Sector::Voluntary,
                    Sector::Community,
                ][dice.below(4)],
                consent_named: dice.chance(40),
                consent_quoted: quoted,
                consent_quoted_at: quoted.then(Utc::now),
                ..Default::default()
            };
            writer.save(&mut p).await?;
            people.push(p.meta.id);
            made.participants += 1;
        }
        for n in 0..SESSIONS_PER_COHORT {
            let date = start + Duration::weeks(2 * n as i64);
            let mut session = Session {
                version_id: Some(version.meta.id),
                position: n as f64,
                title: format!("Session {}: {}", n + 1, dice.pick(OBJECTS)),
                date: Some(date),
                start_time: "09:30".into(),
                end_time: Some("16:00".into()),
                venue: format!("{place} Civic Centre"),
                ..Default::default()
            };
            writer.save(&mut session).await?;
            made.sessions += 1;
            let mut items = Vec::new();
            for k in 0..4 {
                let prompt = dice.pick(PROMPTS);
                let mut item = AgendaItem {
                    session_id: session.meta.id,
                    position: k as f64,
                    title: format!("Reflection {}", k + 1),
                    minutes: 30,
                    kind: ItemKind::Activity,
                    prompt: prompt.to_owned(),
                    ..Default::default()
                };
                writer.save(&mut item).await?;
                items.push((item.meta.id, prompt));
            }
            let morning = Utc.from_utc_datetime(
                &date.and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("a valid time")),
            );
            for (k, (item, prompt)) in items.iter().enumerate() {
                for (i, person) in people.iter().enumerate() {
                    if made.reflections >= reflections {
                        break;
                    }
                    if !dice.chance(85) {
                        continue;
                    }
                    let text = reflection_text(&mut dice);
                    let mut r = Reflection {
                        session_id: session.meta.id,
                        agenda_item_id: Some(*item),
                        participant_id: (!dice.chance(10)).then_some(*person),
                        prompt: (*prompt).to_owned(),
                        captured_at: morning
                            + Duration::minutes(75 * k as i64)
                            + Duration::seconds(20 * i as i64),
                        text,
                        ..Default::default()
                    };
                    writer.save(&mut r).await?;
                    made.reflections += 1;
                    in_transaction += 1;
                    if dice.chance(25) {
                        let lower = r.text.to_lowercase();
                        if let Some((theme, _)) = themes.iter().find(|(_, w)| lower.contains(w)) {
                            let mut tag = ThemeTag {
                                meta: Meta {
                                    id: ThemeTag::id_for(r.meta.id, *theme),
                                    ..Meta::new()
                                },
                                reflection_id: r.meta.id,
                                theme_id: *theme,
                                quote: dice.chance(3),
                            };
                            writer.save(&mut tag).await?;
                            made.tags += 1;
                        }
                    }
                }
            }
        }
        cohort += 1;
        if in_transaction >= RECORDS_PER_TRANSACTION {
            writer.commit().await?;
            progress(made.reflections);
            writer = store.writer().await?;
            in_transaction = 0;
        }
    }
    writer.commit().await?;
    progress(made.reflections);
    Ok(made)
}

/// The machine figures are measured on, for benchmark reports: CPU, cores and memory.
pub fn this_machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or_else(String::new, |kb| format!(", {} GiB", kb / 1024 / 1024));
    format!("{cpu}, {cores} cores{memory}")
}
