//! Sync by files: bundles that one laptop exports and others import, merging with nothing
//! lost (see docs/sync.md).
//!
//! A bundle is a zip holding `manifest.json` and `changes.jsonl`: versions of records from the
//! change log, each with its stamp and the version it was written on top of. Importing adds
//! the versions a laptop does not have (a set, so a replay changes nothing and order does not
//! matter) and works out each touched record's winner with [`versions::outcome`]. A bundle is
//! checked in full before anything is written, and written in one transaction.

pub mod folder;
pub mod import;
pub mod versions;

pub use folder::{ClockWarning, FolderSync, Skipped};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Cursor, Read, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::clock::Stamp;
use crate::domain::{check_payload, columns_of, for_kind, KINDS};
use crate::error::{Error, Result};
use crate::store::{json_object_sql_for, Store};

pub const EXTENSION: &str = "fieldbook";
const FORMAT: &str = "fieldbook-bundle";
/// Bundles made by hand are format 1, which every Fieldbook reads; sync-folder segments are
/// format 2 (format 1 plus the `segment` header).
const FORMAT_VERSION: u32 = 1;
const SEGMENT_FORMAT_VERSION: u32 = 2;
const MANIFEST: &str = "manifest.json";
const CHANGES: &str = "changes.jsonl";

/// Limits that keep a damaged or hostile file from exhausting the laptop.
pub const MAX_BUNDLE_BYTES: u64 = 512 * 1024 * 1024;
const MAX_MANIFEST_BYTES: u64 = 64 * 1024;
const MAX_CHANGES_BYTES: u64 = 2 * 1024 * 1024 * 1024;
const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;
const AGE_MAGIC: &[u8] = b"age-encryption.org/";

/// What a bundle holds: everything, or one local version with what it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "lowercase",
    tag = "kind",
    content = "id",
    deny_unknown_fields
)]
pub enum BundleScope {
    Everything,
    Version(Uuid),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub sha256: String,
    pub bytes: u64,
}

/// What a sync-folder segment says about itself (format 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentInfo {
    /// The segment's own id, also in its file name.
    pub id: Uuid,
    /// The name of the laptop that wrote it, to say whose clock looks wrong.
    pub device_name: String,
    /// Segments of the same laptop whose changes this one holds too (compaction): a laptop
    /// that merged them all need not read this one.
    pub replaces: Vec<Uuid>,
}

/// The wire format of a bundle's manifest. Frozen for format version 1; format 2 adds
/// `segment`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub schema_version: i64,
    pub app_version: String,
    pub device: Uuid,
    pub created_at: DateTime<Utc>,
    pub scope: BundleScope,
    /// Versions in the bundle, per kind of record.
    pub counts: BTreeMap<String, u64>,
    pub entries: BTreeMap<String, Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<SegmentInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Put,
    Delete,
    /// A participant erased: wins everywhere and scrubs everything of theirs.
    Erase,
}

/// One version of one record: a line of `changes.jsonl`. Frozen for format version 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub kind: String,
    pub record_id: Uuid,
    pub stamp: Stamp,
    pub parent_stamp: Option<Stamp>,
    pub origin: Uuid,
    pub op: Op,
    pub resolves: Vec<Stamp>,
    pub payload: Value,
}

/// What an import did, or would do (a dry run).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Preview {
    pub bundles: usize,
    /// Versions in the bundles, and how many of them this laptop did not have.
    pub versions: usize,
    pub new_versions: usize,
    pub adds: usize,
    pub updates: usize,
    pub deletes: usize,
    /// Records that now have concurrent versions to look at.
    pub conflicts: usize,
    /// The import would delete a large part of what is here: ask before going on.
    pub large_delete: bool,
    pub by_kind: BTreeMap<String, usize>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn refuse(why: impl std::fmt::Display) -> Error {
    Error::invalid(format!(
        "This bundle cannot be imported: {why}. Nothing has been changed."
    ))
}

fn schema_version() -> i64 {
    crate::store::newest_migration()
}

/// The scrypt work factor bundles are encrypted with: 2^18 (256 MB, about a
/// second on a modest laptop). Fixed rather than measured, so that a bundle made on a
/// fast laptop still opens quickly on a slow one.
const WORK_FACTOR: u8 = 18;
/// The most work a bundle may ask of this laptop to open it: 2^20 (1 GB, a few
/// seconds). age's own limit follows the machine's speed and let a hostile file ask
/// for 2^22 (4 GB, 17 seconds here); anything above this is refused at once.
const MAX_WORK_FACTOR: u8 = 20;

/// Encrypts `plain` with a passphrase (age, scrypt).
fn encrypt(plain: &[u8], passphrase: &str) -> Result<Vec<u8>> {
    let mut recipient =
        age::scrypt::Recipient::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    recipient.set_work_factor(WORK_FACTOR);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|e| Error::invalid(format!("The bundle could not be encrypted: {e}")))?;
    let mut out = Vec::new();
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| Error::invalid(format!("The bundle could not be encrypted: {e}")))?;
    writer.write_all(plain)?;
    writer.finish()?;
    Ok(out)
}

fn decrypt(bytes: &[u8], passphrase: Option<&str>) -> Result<Vec<u8>> {
    let Some(passphrase) = passphrase else {
        return Err(Error::invalid(
            "This bundle is protected with a passphrase. Enter the passphrase it was exported with.",
        ));
    };
    let decryptor = age::Decryptor::new(bytes)
        .map_err(|e| refuse(format!("its encryption is damaged ({e})")))?;
    let mut identity =
        age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => Error::invalid(
                "That passphrase does not open this bundle. Check it with whoever exported it; nothing has been changed.",
            ),
            age::DecryptError::ExcessiveWork { .. } => refuse(
                "its passphrase protection asks for far more memory and time than Fieldbook's bundles do, so it was not made by Fieldbook",
            ),
            other => refuse(format!("its encryption is damaged ({other})")),
        })?;
    let mut plain = Vec::new();
    reader
        .by_ref()
        .take(MAX_BUNDLE_BYTES + 1)
        .read_to_end(&mut plain)
        .map_err(|e| refuse(format!("it could not be decrypted ({e})")))?;
    if plain.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(refuse("it is larger than 512 MB"));
    }
    Ok(plain)
}

/// Reads one named entry, never more than `limit` bytes whatever the zip claims.
fn read_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>> {
    let entry = archive
        .by_name(name)
        .map_err(|_| refuse(format!("it has no {name}")))?;
    let mut bytes = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("its {name} is damaged ({e})")))?;
    if bytes.len() as u64 > limit {
        return Err(refuse(format!(
            "its {name} is larger than Fieldbook accepts"
        )));
    }
    Ok(bytes)
}

/// Reads and checks a bundle file completely, touching no database: format, versions, entry
/// names, sizes, checksums, and every line parsed strictly into a valid record.
pub fn read_bundle(bytes: &[u8], passphrase: Option<&str>) -> Result<(Manifest, Vec<Change>)> {
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(refuse("it is larger than 512 MB"));
    }
    let plain;
    let bytes = if bytes.starts_with(AGE_MAGIC) {
        plain = decrypt(bytes, passphrase)?;
        &plain[..]
    } else {
        bytes
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| refuse("it is not a Fieldbook bundle, or it is damaged or cut short"))?;
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    let mut sorted = names.clone();
    sorted.sort();
    if sorted != [CHANGES, MANIFEST] {
        return Err(refuse(format!(
            "it holds unexpected files ({}); a bundle holds only {MANIFEST} and {CHANGES}",
            names.join(", ")
        )));
    }
    let manifest_bytes = read_entry(&mut archive, MANIFEST, MAX_MANIFEST_BYTES)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| refuse(format!("its manifest is not valid ({e})")))?;
    if manifest.format != FORMAT {
        return Err(refuse("it is not a Fieldbook bundle"));
    }
    if manifest.format_version > SEGMENT_FORMAT_VERSION
        || manifest.schema_version > schema_version()
    {
        return Err(Error::invalid(format!(
            "This bundle was made by a newer version of Fieldbook (bundle format {}, data format {}). Update Fieldbook on this laptop, then import it again. Nothing has been changed.",
            manifest.format_version, manifest.schema_version
        )));
    }
    if manifest.format_version < 1 {
        return Err(refuse("its format version is not one Fieldbook ever wrote"));
    }
    if (manifest.format_version == SEGMENT_FORMAT_VERSION) != manifest.segment.is_some() {
        return Err(refuse("its manifest does not match its format version"));
    }
    let declared = manifest
        .entries
        .get(CHANGES)
        .ok_or_else(|| refuse("its manifest does not list the changes"))?;
    if manifest.entries.len() != 1 {
        return Err(refuse("its manifest lists files a bundle does not hold"));
    }
    let changes_bytes = read_entry(&mut archive, CHANGES, MAX_CHANGES_BYTES.min(declared.bytes))?;
    if changes_bytes.len() as u64 != declared.bytes || sha256_hex(&changes_bytes) != declared.sha256
    {
        return Err(refuse(
            "its checksum does not match: the file was changed or damaged on the way",
        ));
    }

    let mut changes = Vec::new();
    let mut seen = HashSet::new();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for (n, line) in changes_bytes.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let at = |why: String| refuse(format!("line {} {why}", n + 1));
        if line.len() > MAX_LINE_BYTES {
            return Err(at("is too long".into()));
        }
        let change: Change =
            serde_json::from_slice(line).map_err(|e| at(format!("is not a valid change ({e})")))?;
        validate(&change).map_err(|e| at(e.to_string()))?;
        if !seen.insert((change.record_id, change.stamp)) {
            return Err(at("repeats a version already in the bundle".into()));
        }
        *counts.entry(change.kind.clone()).or_default() += 1;
        changes.push(change);
    }
    if counts != manifest.counts {
        return Err(refuse("its counts do not match its contents"));
    }
    Ok((manifest, changes))
}

/// One change, checked on its own: its payload is a valid record that agrees with the
/// change's id, stamp, device and operation.
fn validate(change: &Change) -> Result<()> {
    if !KINDS.contains(&change.kind.as_str()) {
        return Err(Error::invalid(format!(
            "holds a record of an unknown kind \"{}\"",
            change.kind
        )));
    }
    check_payload(&change.kind, &change.payload)
        .map_err(|e| Error::invalid(format!("holds {e}")))?;
    let p = &change.payload;
    let agrees = p["id"] == Value::String(change.record_id.to_string())
        && p["stamp"] == Value::String(change.stamp.to_string())
        && p["origin"] == Value::String(change.origin.to_string())
        && change.stamp.device == change.origin
        && p["deleted"] == Value::Bool(change.op != Op::Put)
        && (change.op != Op::Erase
            || (change.kind == "participant" && p["name"] == crate::erasure::ERASED_NAME))
        && change
            .parent_stamp
            .is_none_or(|parent| parent < change.stamp);
    if !agrees {
        return Err(Error::invalid(
            "holds a change whose record disagrees with it",
        ));
    }
    Ok(())
}

#[derive(Clone, sqlx::FromRow)]
struct LogRow {
    kind: String,
    record_id: String,
    stamp: String,
    parent_stamp: Option<String>,
    origin: String,
    op: String,
    payload: String,
    resolves: String,
}

impl LogRow {
    fn into_change(self) -> Result<Change> {
        Ok(Change {
            kind: self.kind,
            record_id: Uuid::try_parse(&self.record_id)
                .map_err(|_| Error::invalid("a damaged record id in the change log"))?,
            stamp: self.stamp.parse()?,
            parent_stamp: self.parent_stamp.as_deref().map(str::parse).transpose()?,
            origin: Uuid::try_parse(&self.origin)
                .map_err(|_| Error::invalid("a damaged device id in the change log"))?,
            op: match self.op.as_str() {
                "delete" => Op::Delete,
                "erase" => Op::Erase,
                _ => Op::Put,
            },
            resolves: serde_json::from_str(&self.resolves)?,
            payload: serde_json::from_str(&self.payload)?,
        })
    }
}

/// One conflict to show: a record's winning version and the concurrent versions that lost.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub kind: String,
    pub record_id: Uuid,
    pub winner: Value,
    pub losers: Vec<Value>,
}

impl Store {
    /// Record ids a version bundle carries: the version, what it refers to, and everything
    /// of its sessions.
    async fn version_record_ids(&self, version_id: Uuid) -> Result<HashSet<Uuid>> {
        let version: crate::domain::ProgrammeVersion = self.get(version_id).await?;
        let mut ids: HashSet<Uuid> = [version_id, version.programme_id].into_iter().collect();
        ids.extend(version.based_on);
        let by_version = [("session", "version_id"), ("participant", "version_id")];
        let v = version_id.to_string();
        let pool = self.pool_ref();
        let mut session_ids = Vec::new();
        for (table, column) in by_version {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE {column} = ?1"))
                    .bind(&v)
                    .fetch_all(pool)
                    .await?;
            if table == "session" {
                session_ids = rows.clone();
            }
            ids.extend(rows.iter().filter_map(|r| Uuid::try_parse(r).ok()));
        }
        for session in &session_ids {
            for table in [
                "agenda_item",
                "reflection",
                "facilitator_note",
                "run_event",
                "attendance",
                "action",
            ] {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE session_id = ?1"))
                        .bind(session)
                        .fetch_all(pool)
                        .await?;
                ids.extend(rows.iter().filter_map(|r| Uuid::try_parse(r).ok()));
            }
            let exercises: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT exercise_id FROM agenda_item WHERE session_id = ?1 AND exercise_id IS NOT NULL",
            )
            .bind(session)
            .fetch_all(pool)
            .await?;
            ids.extend(exercises.iter().filter_map(|r| Uuid::try_parse(r).ok()));
            // People marked at a session may come from outside the cohort.
            let people: Vec<String> =
                sqlx::query_scalar("SELECT participant_id FROM attendance WHERE session_id = ?1")
                    .bind(session)
                    .fetch_all(pool)
                    .await?;
            ids.extend(people.iter().filter_map(|r| Uuid::try_parse(r).ok()));
        }
        // The cohort's theme tags, and every theme: the list of themes is shared by all.
        let coded: Vec<String> = sqlx::query_scalar(
            "SELECT g.id FROM theme_tag g JOIN reflection r ON r.id = g.reflection_id
             JOIN session s ON s.id = r.session_id WHERE s.version_id = ?1
             UNION ALL SELECT id FROM theme",
        )
        .bind(&v)
        .fetch_all(pool)
        .await?;
        ids.extend(coded.iter().filter_map(|r| Uuid::try_parse(r).ok()));
        Ok(ids)
    }

    /// Makes a bundle of this laptop's change log: everything, or one version with what it
    /// refers to; encrypted when a passphrase is given.
    pub async fn export_bundle(
        &self,
        scope: BundleScope,
        passphrase: Option<&str>,
    ) -> Result<Vec<u8>> {
        let rows: Vec<LogRow> = sqlx::query_as(
            "SELECT kind, record_id, stamp, parent_stamp, origin, op, payload, resolves FROM change_log ORDER BY seq",
        )
        .fetch_all(self.pool_ref())
        .await?;
        let wanted = match scope {
            BundleScope::Everything => None,
            BundleScope::Version(id) => Some(self.version_record_ids(id).await?),
        };
        let mut changes = Vec::new();
        for row in rows {
            let change = row.into_change()?;
            if wanted
                .as_ref()
                .is_some_and(|w| !w.contains(&change.record_id))
            {
                continue;
            }
            changes.push(change);
        }
        self.pack(&changes, scope, None, passphrase)
    }

    /// Writes changes as a bundle file: a zip of the manifest and the changes, encrypted when
    /// a passphrase is given. With `segment`, a sync-folder segment (format 2).
    pub(crate) fn pack(
        &self,
        changes: &[Change],
        scope: BundleScope,
        segment: Option<SegmentInfo>,
        passphrase: Option<&str>,
    ) -> Result<Vec<u8>> {
        let mut lines = Vec::new();
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for change in changes {
            *counts.entry(change.kind.clone()).or_default() += 1;
            serde_json::to_writer(&mut lines, change)?;
            lines.push(b'\n');
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            format_version: if segment.is_some() {
                SEGMENT_FORMAT_VERSION
            } else {
                FORMAT_VERSION
            },
            schema_version: schema_version(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            device: self.device_id(),
            created_at: self.clock().now(),
            scope,
            counts,
            entries: BTreeMap::from([(
                CHANGES.to_owned(),
                Entry {
                    sha256: sha256_hex(&lines),
                    bytes: lines.len() as u64,
                },
            )]),
            segment,
        };
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let io =
            |e: zip::result::ZipError| Error::invalid(format!("The bundle could not be made: {e}"));
        zip.start_file(MANIFEST, options).map_err(io)?;
        zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
        zip.start_file(CHANGES, options).map_err(io)?;
        zip.write_all(&lines)?;
        let bytes = zip.finish().map_err(io)?.into_inner();
        match passphrase {
            Some(p) if !p.is_empty() => encrypt(&bytes, p),
            _ => Ok(bytes),
        }
    }

    /// Imports bundles all together or not at all. Everything is checked first; then (unless
    /// `dry_run`) a backup is made when one is due and the versions are merged in one
    /// transaction.
    pub async fn import_bundles(
        &self,
        files: &[Vec<u8>],
        passphrase: Option<&str>,
        dry_run: bool,
    ) -> Result<Preview> {
        let mut all = Vec::new();
        let mut sources = Vec::new();
        for bytes in files {
            let (manifest, changes) = read_bundle(bytes, passphrase)?;
            sources.push(import::Source {
                sha256: sha256_hex(bytes),
                device: manifest.device,
                changes: changes.len(),
            });
            all.extend(changes);
        }
        let options = import::Options {
            dry_run,
            ..import::Options::default()
        };
        self.merge_changes(all, &sources, &options).await
    }

    /// Every record with concurrent versions, with the winner and the versions that lost.
    pub async fn conflicts(&self) -> Result<Vec<Conflict>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT kind, record_id, stamp FROM conflict ORDER BY record_id, stamp")
                .fetch_all(self.pool_ref())
                .await?;
        let mut grouped: Vec<(String, String, Vec<String>)> = Vec::new();
        for (kind, record, stamp) in rows {
            match grouped.last_mut() {
                Some(last) if last.1 == record => last.2.push(stamp),
                _ => grouped.push((kind, record, vec![stamp])),
            }
        }
        let mut out = Vec::new();
        for (kind, record, stamps) in grouped {
            let columns = columns_of(&kind)
                .ok_or_else(|| Error::invalid("an unknown kind in the conflict list"))?;
            let winner: Option<String> = sqlx::query_scalar(&format!(
                "SELECT {} FROM {kind} WHERE id = ?1",
                json_object_sql_for(&columns)
            ))
            .bind(&record)
            .fetch_optional(self.pool_ref())
            .await?;
            let mut losers = Vec::new();
            for stamp in stamps {
                let payload: String = sqlx::query_scalar(
                    "SELECT payload FROM change_log WHERE record_id = ?1 AND stamp = ?2",
                )
                .bind(&record)
                .bind(&stamp)
                .fetch_one(self.pool_ref())
                .await?;
                losers.push(serde_json::from_str(&payload)?);
            }
            out.push(Conflict {
                kind,
                record_id: Uuid::try_parse(&record)
                    .map_err(|_| Error::invalid("a damaged id in the conflict list"))?,
                winner: winner
                    .map(|w| serde_json::from_str(&w))
                    .transpose()?
                    .unwrap_or(Value::Null),
                losers,
            });
        }
        Ok(out)
    }

    /// Settles a conflict: the record becomes `chosen` (the winner, a losing version, or an
    /// edit of either), written as a new version that replaces all the concurrent ones.
    pub async fn resolve_conflict(&self, record_id: Uuid, chosen: Value) -> Result<()> {
        let kind: String =
            sqlx::query_scalar("SELECT kind FROM conflict WHERE record_id = ?1 LIMIT 1")
                .bind(record_id.to_string())
                .fetch_optional(self.pool_ref())
                .await?
                .ok_or_else(|| Error::not_found("That conflict (it may already be settled)"))?;
        let losers: Vec<String> =
            sqlx::query_scalar("SELECT stamp FROM conflict WHERE record_id = ?1")
                .bind(record_id.to_string())
                .fetch_all(self.pool_ref())
                .await?;
        let resolves: Vec<Stamp> = losers.iter().map(|s| s.parse()).collect::<Result<_>>()?;
        for_kind!(kind.as_str(), T => {
            let current: T = match self.get_with_deleted::<T>(record_id).await? {
                Some(r) => r,
                None => return Err(Error::not_found("That record")),
            };
            let mut json = chosen.clone();
            // Identity and history are Fieldbook's: only the content is the facilitator's choice.
            for key in ["id", "stamp", "origin", "created_at", "updated_at"] {
                json[key] = serde_json::to_value(&current)?[key].clone();
            }
            let mut record: T = serde_json::from_value(json)
                .map_err(|e| Error::invalid(format!("That version cannot be kept: {e}")))?;
            let mut writer = self.writer().await?;
            writer.save_resolving(&mut record, &resolves).await?;
            writer.commit().await
        }, Err(crate::domain::unknown_kind(&kind)))
    }

    /// A fingerprint of what this laptop holds (records as they are, and the conflicts), the
    /// same on every laptop that has merged the same versions.
    pub async fn state_hash(&self) -> Result<String> {
        let mut hasher = Sha256::new();
        for kind in KINDS {
            let columns = columns_of(kind).expect("every kind has columns");
            let rows: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT {} FROM {kind} ORDER BY id",
                json_object_sql_for(&columns)
            ))
            .fetch_all(self.pool_ref())
            .await?;
            for row in rows {
                hasher.update(row.as_bytes());
                hasher.update(b"\n");
            }
        }
        let conflicts: Vec<(String, String)> =
            sqlx::query_as("SELECT record_id, stamp FROM conflict ORDER BY record_id, stamp")
                .fetch_all(self.pool_ref())
                .await?;
        for (r, s) in conflicts {
            hasher.update(format!("conflict {r} {s}\n").as_bytes());
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }

    /// Every version of every record this laptop holds, as (record, stamp).
    pub async fn all_versions(&self) -> Result<HashSet<(Uuid, Stamp)>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT record_id, stamp FROM change_log")
            .fetch_all(self.pool_ref())
            .await?;
        rows.into_iter()
            .map(|(r, s)| {
                Ok((
                    Uuid::try_parse(&r).map_err(|_| Error::invalid("a damaged id"))?,
                    s.parse()?,
                ))
            })
            .collect()
    }
}

/// Conflict versions keyed by their stamps, for a UI that shows them side by side.
pub fn stamps_of(conflict: &Conflict) -> HashMap<String, &Value> {
    conflict
        .losers
        .iter()
        .chain(std::iter::once(&conflict.winner))
        .filter_map(|v| v["stamp"].as_str().map(|s| (s.to_owned(), v)))
        .collect()
}
