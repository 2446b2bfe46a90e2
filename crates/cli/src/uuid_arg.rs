//! A record id given on the command line, checked while parsing.

use std::str::FromStr;

#[derive(Debug, Clone, Copy)]
pub struct RecordId(pub uuid::Uuid);

impl FromStr for RecordId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::try_parse(s.trim())
            .map(RecordId)
            .map_err(|_| "not a Fieldbook id; ids look like 0193b9a2-5f1c-7d3e-9a41-2c8e5b7f6a10 (see `programmes` or `sessions` for real ones)".into())
    }
}
