//! The SQLite store: opening the database file, and reading and writing records.
//!
//! Every write goes through a [`Writer`], which stamps the record with the next hybrid
//! logical clock stamp and this device's id, upserts its row and appends the change to the
//! change log, all in one transaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

use crate::clock::{Clock, Stamp, SystemClock};
use crate::domain::{Column, Record, Shape, KINDS};
use crate::error::{Error, Result};

pub const DATABASE_FILE: &str = "fieldbook.db";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// An open Fieldbook database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// One read-only connection for searches and summaries over many rows, so that a long
    /// read never waits behind, or holds up, a save.
    reader: SqlitePool,
    path: PathBuf,
    device: Uuid,
    clock: Arc<dyn Clock>,
    created: bool,
}

/// Saves one setting of this laptop's, replacing what it held.
const SET_SETTING: &str = "INSERT INTO setting (key, value) VALUES (?1, ?2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

impl Store {
    /// Opens (or creates) the database in `dir`, creating the folder if it is missing.
    pub async fn open(dir: &Path) -> Result<Store> {
        Self::open_with_clock(dir, Arc::new(SystemClock)).await
    }

    pub async fn open_with_clock(dir: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        let data_dir_error = |reason: String| Error::DataDir {
            path: dir.to_path_buf(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| data_dir_error(e.to_string()))?;
        if !dir.is_dir() {
            return Err(data_dir_error("it is not a folder".into()));
        }
        let path = dir.join(DATABASE_FILE);
        let created = !path.exists();

        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Deleted content is overwritten, so erased words do not linger in free pages.
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|e| describe_open_error(e, dir, &path))?;

        let migrated = async { Migrated::of(&mut *pool.acquire().await?).await }
            .await
            .map_err(|e| describe_open_error(e, dir, &path))?;
        migrated
            .check_not_newer()
            .map_err(|e| describe_open_error_any(e, dir, &path))?;
        if !created && migrated.pending() {
            backup_before_migration(&pool, dir, clock.as_ref()).await?;
        }
        MIGRATOR.run(&pool).await?;
        let device = ensure_device(&pool, clock.as_ref(), &path).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(&path)
                    .read_only(true)
                    .busy_timeout(Duration::from_secs(10)),
            )
            .await
            .map_err(|e| describe_open_error(e, dir, &path))?;

        Ok(Store {
            pool,
            reader,
            path,
            device,
            clock,
            created,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this open made a new, empty database.
    pub fn was_created(&self) -> bool {
        self.created
    }

    /// This installation's device id, recorded on every write it makes.
    pub fn device_id(&self) -> Uuid {
        self.device
    }

    pub(crate) fn pool_ref(&self) -> &SqlitePool {
        &self.pool
    }

    /// The read-only connection for searches and summaries.
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Starts a write transaction. Nothing is written until [`Writer::commit`].
    pub async fn writer(&self) -> Result<Writer<'_>> {
        let mut tx = self.pool.begin().await?;
        // Writing first takes the write lock now, so the clock cannot move under us.
        let (clock_ms, clock_counter): (i64, i64) = sqlx::query_as(
            "UPDATE device SET clock_ms = clock_ms RETURNING clock_ms, clock_counter",
        )
        .fetch_one(&mut *tx)
        .await?;
        let (last_ms, last_counter) = crate::clock::resume(
            clock_ms,
            u32::try_from(clock_counter).unwrap_or(u32::MAX),
            self.clock.now_ms(),
        );
        Ok(Writer {
            tx,
            store: self,
            last_ms,
            last_counter,
        })
    }

    /// Saves one record in its own transaction.
    pub async fn save<T: Record>(&self, record: &mut T) -> Result<()> {
        let mut writer = self.writer().await?;
        writer.save(record).await?;
        writer.commit().await
    }

    /// Marks a record deleted. The row stays as a tombstone so that sync never brings it back.
    pub async fn delete<T: Record>(&self, id: Uuid) -> Result<()> {
        let mut record: T = self.get(id).await?;
        record.meta_mut().deleted = true;
        self.save(&mut record).await
    }

    /// One record that has not been deleted.
    pub async fn get<T: Record>(&self, id: Uuid) -> Result<T> {
        let found = self
            .list::<T>(Select::all().eq("id", id))
            .await?
            .into_iter()
            .next();
        found.ok_or_else(|| Error::not_found(format!("That {}", T::KIND.replace('_', " "))))
    }

    /// The records that have not been deleted and that `select` chooses, in its order.
    pub async fn list<T: Record>(&self, select: Select) -> Result<Vec<T>> {
        self.list_where::<T>(true, select).await
    }

    /// Records that `select` chooses, deleted ones included.
    pub(crate) async fn list_with_deleted<T: Record>(&self, select: Select) -> Result<Vec<T>> {
        self.list_where::<T>(false, select).await
    }

    /// One record, deleted or not; `None` if this laptop has never had it.
    pub(crate) async fn get_with_deleted<T: Record>(&self, id: Uuid) -> Result<Option<T>> {
        Ok(self
            .list_with_deleted::<T>(Select::all().eq("id", id))
            .await?
            .pop())
    }

    async fn list_where<T: Record>(&self, live_only: bool, select: Select) -> Result<Vec<T>> {
        let sql = format!(
            "SELECT {} FROM {} {}",
            json_object_sql::<T>(),
            T::KIND,
            select.sql::<T>(live_only)
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for arg in select.args {
            query = query.bind(arg);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|json| serde_json::from_str(json).map_err(Error::from))
            .collect()
    }

    /// How many records of each kind there are, leaving out deleted ones.
    pub async fn counts(&self) -> Result<BTreeMap<&'static str, i64>> {
        let mut counts = BTreeMap::new();
        for kind in KINDS {
            let sql = format!("SELECT count(*) FROM {kind} WHERE deleted = 0");
            let n: i64 = sqlx::query_scalar(&sql).fetch_one(&self.pool).await?;
            counts.insert(kind, n);
        }
        Ok(counts)
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM setting WHERE key = ?1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(SET_SETTING)
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(self) {
        self.reader.close().await;
        self.pool.close().await;
    }
}

/// A write transaction that stamps every record it saves.
pub struct Writer<'s> {
    tx: Transaction<'static, Sqlite>,
    store: &'s Store,
    last_ms: i64,
    last_counter: u32,
}

impl Writer<'_> {
    /// The stamp for a new version written on top of `parent`: the clock's next, and always
    /// after the parent, even when the parent came from a laptop whose clock ran ahead.
    fn next_stamp(&mut self, parent: Option<Stamp>) -> Stamp {
        let stamp = Stamp::next(
            self.last_ms,
            self.last_counter,
            self.store.clock.now_ms(),
            self.store.device,
        );
        self.last_ms = stamp.ms;
        self.last_counter = stamp.counter;
        stamp.after(parent)
    }

    /// Moves this laptop's clock past stamps seen from other laptops, so later edits here come
    /// after them; a stamp more than [`crate::clock::MAX_DRIFT_MS`] ahead of the wall clock
    /// moves it no further than that (see docs/sync.md: wrong clocks).
    pub(crate) fn observe(&mut self, seen: Stamp) {
        let (ms, counter) = crate::clock::observe(
            (self.last_ms, self.last_counter),
            seen,
            self.store.clock.now_ms(),
        );
        self.last_ms = ms;
        self.last_counter = counter;
    }

    /// Checks, stamps and writes a record (new or changed) and logs the change.
    pub async fn save<T: Record>(&mut self, record: &mut T) -> Result<()> {
        self.save_resolving(record, &[]).await
    }

    /// Saves a record as the settlement of a conflict: `resolves` names the concurrent
    /// versions it replaces, so that every laptop stops showing the conflict.
    pub async fn save_resolving<T: Record>(
        &mut self,
        record: &mut T,
        resolves: &[Stamp],
    ) -> Result<()> {
        self.save_op(record, resolves, None).await
    }

    /// Saves with an operation other than put or delete (an erasure).
    pub(crate) async fn save_op<T: Record>(
        &mut self,
        record: &mut T,
        resolves: &[Stamp],
        op_override: Option<&'static str>,
    ) -> Result<()> {
        self.save_with(record, resolves, op_override, None).await
    }

    /// Saves a record under a stamp fixed in advance, with its times set from the stamp: the
    /// demo content, which every laptop writes identically, so that syncing never doubles it.
    pub(crate) async fn save_fixed<T: Record>(
        &mut self,
        record: &mut T,
        stamp: Stamp,
    ) -> Result<()> {
        self.save_with(record, &[], None, Some(stamp)).await
    }

    async fn save_with<T: Record>(
        &mut self,
        record: &mut T,
        resolves: &[Stamp],
        op_override: Option<&'static str>,
        fixed: Option<Stamp>,
    ) -> Result<()> {
        if op_override.is_none() {
            record.check()?;
        }
        // A participant gets their pseudonym number the first time they are saved (the demo,
        // written alike on every laptop, keeps the rule for records without one).
        if fixed.is_none() {
            let any: &mut dyn std::any::Any = record;
            if let Some(p) = any.downcast_mut::<crate::domain::Participant>() {
                if p.pseudonym_number.is_none() {
                    let n =
                        crate::pseudonym::number_to_store(&mut self.tx, p.meta.id, p.version_id)
                            .await?;
                    p.pseudonym_number = Some(n);
                }
            }
        }
        let id = record.id().to_string();
        let parent: Option<String> =
            sqlx::query_scalar(&format!("SELECT stamp FROM {} WHERE id = ?1", T::KIND))
                .bind(&id)
                .fetch_optional(&mut *self.tx)
                .await?;
        let parent_stamp: Option<Stamp> = parent.as_deref().map(str::parse).transpose()?;
        let (stamp, now) = match fixed {
            Some(stamp) => (stamp, stamp.time()),
            None => (self.next_stamp(parent_stamp), self.store.clock.now()),
        };
        let meta = record.meta_mut();
        meta.stamp = Some(stamp);
        meta.origin = Some(stamp.device);
        meta.updated_at = now;
        if parent.is_none() {
            meta.created_at = now;
        }
        let op = op_override.unwrap_or(if meta.deleted { "delete" } else { "put" });
        let payload = serde_json::to_string(record)?;

        sqlx::query(&upsert_sql::<T>())
            .bind(&payload)
            .execute(&mut *self.tx)
            .await?;
        self.append(&[LogLine {
            kind: T::KIND.to_owned(),
            record_id: id.clone(),
            stamp: stamp.to_string(),
            parent_stamp: parent,
            origin: stamp.device.to_string(),
            op: op.to_owned(),
            payload,
            resolves: serde_json::to_string(resolves)?,
        }])
        .await?;
        if !resolves.is_empty() {
            sqlx::query("DELETE FROM conflict WHERE record_id = ?1")
                .bind(&id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Appends versions to the change log, a few statements per thousand; a version already
    /// there (same record and stamp) is left as it is. Returns how many were added.
    pub(crate) async fn append(&mut self, lines: &[LogLine]) -> Result<u64> {
        let mut added = 0;
        for chunk in lines.chunks(BATCH) {
            added += sqlx::query(
                "WITH rows (value) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(?1))
                 INSERT OR IGNORE INTO change_log (kind, record_id, stamp, parent_stamp, origin, op, payload, resolves)
                 SELECT value ->> '$.kind', value ->> '$.record_id', value ->> '$.stamp',
                        value ->> '$.parent_stamp', value ->> '$.origin', value ->> '$.op',
                        value ->> '$.payload', value ->> '$.resolves'
                 FROM rows",
            )
            .bind(serde_json::to_string(chunk)?)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        }
        Ok(added)
    }

    /// Writes rows of one kind from their records' JSON, a few statements per thousand.
    pub(crate) async fn upsert_many(&mut self, kind: &str, payloads: &[String]) -> Result<()> {
        let columns =
            crate::domain::columns_of(kind).ok_or_else(|| crate::domain::unknown_kind(kind))?;
        let sql = upsert_many_sql_for(kind, &columns);
        for chunk in payloads.chunks(BATCH) {
            sqlx::query(&sql)
                .bind(format!("[{}]", chunk.join(",")))
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Writes many reflections and brings the search index up to date once for all of them,
    /// instead of row by row through the index's triggers (which look up each row's key and
    /// facets one at a time): the triggers are set aside inside this transaction and put
    /// back before it ends, so no other connection ever sees them missing. Keys follow the
    /// same rule as the trigger's (capture time in ms times 1024, then the next free one).
    pub(crate) async fn upsert_reflections_indexing_once(
        &mut self,
        ids: &[String],
        payloads: &[String],
    ) -> Result<()> {
        let triggers: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reflection'
             AND name IN ('reflection_search_insert', 'reflection_search_update')",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        for (name, _) in &triggers {
            sqlx::query(&format!("DROP TRIGGER {name}"))
                .execute(&mut *self.tx)
                .await?;
        }
        for chunk in ids.chunks(BATCH) {
            let list = serde_json::to_string(chunk)?;
            sqlx::query(
                "DELETE FROM reflection_search WHERE rowid IN
                 (SELECT search_key FROM reflection WHERE id IN (SELECT value FROM json_each(?1)))",
            )
            .bind(&list)
            .execute(&mut *self.tx)
            .await?;
            sqlx::query(
                "UPDATE reflection SET search_key = NULL WHERE id IN (SELECT value FROM json_each(?1))",
            )
            .bind(&list)
            .execute(&mut *self.tx)
            .await?;
        }
        self.upsert_many("reflection", payloads).await?;
        for chunk in ids.chunks(BATCH) {
            let list = serde_json::to_string(chunk)?;
            sqlx::query(
                "WITH fresh AS MATERIALIZED (
                     SELECT id, CAST(round((julianday(captured_at) - 2440587.5) * 86400000) AS INTEGER) * 1024 AS b
                     FROM reflection WHERE id IN (SELECT value FROM json_each(?1))
                 ),
                 keyed AS MATERIALIZED (
                     SELECT f.id,
                            coalesce((SELECT max(r.search_key) + 1 FROM reflection r
                                      WHERE r.search_key BETWEEN f.b AND f.b + 1023), f.b)
                            + row_number() OVER (PARTITION BY f.b ORDER BY f.id) - 1 AS k
                     FROM fresh f
                 )
                 UPDATE reflection SET search_key = keyed.k FROM keyed WHERE reflection.id = keyed.id",
            )
            .bind(&list)
            .execute(&mut *self.tx)
            .await?;
            sqlx::query(
                "INSERT INTO reflection_search (rowid, text, prompt, facets)
                 SELECT search_key, text, prompt, facets FROM reflection_search_row
                 WHERE id IN (SELECT value FROM json_each(?1))",
            )
            .bind(&list)
            .execute(&mut *self.tx)
            .await?;
        }
        for (_, sql) in &triggers {
            sqlx::query(sql).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query(SET_SETTING)
            .bind(key)
            .bind(value)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub(crate) fn tx(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.tx
    }

    /// A record as this transaction sees it, deleted or not.
    pub(crate) async fn find<T: Record>(&mut self, id: Uuid) -> Result<Option<T>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE id = ?1",
            json_object_sql::<T>(),
            T::KIND
        );
        let json: Option<String> = sqlx::query_scalar(&sql)
            .bind(id.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        json.map(|j| serde_json::from_str(&j).map_err(Error::from))
            .transpose()
    }

    /// Leaves everything as it was (a dry run).
    pub(crate) async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    pub async fn commit(mut self) -> Result<()> {
        sqlx::query("UPDATE device SET clock_ms = ?1, clock_counter = ?2")
            .bind(self.last_ms)
            .bind(i64::from(self.last_counter))
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// Rows per statement in batched writes: large enough that statements are few, small enough
/// that one statement's JSON stays a few megabytes.
pub(crate) const BATCH: usize = 2_000;

/// One version as the change log holds it, in the shape the batched insert reads.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct LogLine {
    pub kind: String,
    pub record_id: String,
    pub stamp: String,
    pub parent_stamp: Option<String>,
    pub origin: String,
    pub op: String,
    pub payload: String,
    pub resolves: String,
}

/// `json_object(...)` over a record's columns, so a row reads back as the record's JSON.
fn json_object_sql<T: Record>() -> String {
    json_object_sql_for(&T::all_columns().collect::<Vec<_>>())
}

pub(crate) fn json_object_sql_for(columns: &[Column]) -> String {
    let fields: Vec<String> = columns
        .iter()
        .copied()
        .map(|Column { name: n, shape, .. }| match shape {
            Shape::Plain => format!("'{n}', {n}"),
            Shape::Flag => format!("'{n}', json(iif({n}, 'true', 'false'))"),
            Shape::Json => format!("'{n}', json({n})"),
        })
        .collect();
    format!("json_object({})", fields.join(", "))
}

/// An upsert that takes the record's JSON as its one parameter.
fn upsert_sql<T: Record>() -> String {
    upsert_sql_for(T::KIND, &T::all_columns().collect::<Vec<_>>())
}

pub(crate) fn upsert_sql_for(kind: &str, columns: &[Column]) -> String {
    upsert_from(kind, columns, "?1", "VALUES (", ")")
}

/// The same upsert over a JSON array of records bound as `?1`.
fn upsert_many_sql_for(kind: &str, columns: &[Column]) -> String {
    // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the upsert.
    // Each row's JSON is turned into SQLite's binary JSON once, not once per column.
    format!(
        "WITH rows (value) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(?1)) {}",
        upsert_from(kind, columns, "value", "SELECT ", " FROM rows WHERE true")
    )
}

fn upsert_from(kind: &str, columns: &[Column], source: &str, open: &str, close: &str) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.name()).collect();
    let values: Vec<String> = columns
        .iter()
        .map(|Column { name: n, shape, .. }| match shape {
            Shape::Plain | Shape::Flag => format!("{source} ->> '$.{n}'"),
            Shape::Json => format!("nullif({source} -> '$.{n}', 'null')"),
        })
        .collect();
    let updates: Vec<String> = names
        .iter()
        .filter(|n| **n != "id")
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    format!(
        "INSERT INTO {kind} ({}) {open}{}{close} ON CONFLICT (id) DO UPDATE SET {}",
        names.join(", "),
        values.join(", "),
        updates.join(", ")
    )
}

/// What migrations a database has had: how many, and the newest (both 0 for a database no
/// Fieldbook has migrated yet).
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub(crate) struct Migrated {
    pub count: i64,
    pub newest: i64,
}

impl Migrated {
    pub(crate) async fn of(conn: &mut sqlx::SqliteConnection) -> sqlx::Result<Migrated> {
        let has_table: bool = sqlx::query_scalar(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut *conn)
        .await?;
        if !has_table {
            return Ok(Migrated::default());
        }
        sqlx::query_as(
            "SELECT count(*) AS count, coalesce(max(version), 0) AS newest FROM _sqlx_migrations",
        )
        .fetch_one(conn)
        .await
    }

    /// True when this Fieldbook has migrations the database has not had.
    fn pending(self) -> bool {
        (self.count as usize) < MIGRATOR.iter().count()
    }

    /// Refuses a database that a newer Fieldbook has migrated past what this one knows.
    pub(crate) fn check_not_newer(self) -> Result<()> {
        let supported = newest_migration();
        if self.newest > supported {
            return Err(Error::NewerDatabase {
                found: self.newest,
                supported,
            });
        }
        Ok(())
    }
}

/// A checked copy of the database as it was, before a newer Fieldbook changes its format, in
/// the backup folder the facilitator chose (if any).
async fn backup_before_migration(pool: &SqlitePool, dir: &Path, clock: &dyn Clock) -> Result<()> {
    let chosen: Option<String> = sqlx::query_scalar("SELECT value FROM setting WHERE key = ?1")
        .bind(crate::backup::FOLDER_SETTING)
        .fetch_optional(pool)
        .await
        .unwrap_or(None);
    let folder = chosen
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("backups"));
    crate::backup::copy_checked(pool, &folder, "before-migration", clock).await?;
    Ok(())
}

/// This database's device id. A database opened on another machine or at another path than
/// last time (restored from a backup, copied to another laptop) takes a new one, its history
/// kept, so that two laptops never write under one identity (see docs/sync.md).
async fn ensure_device(pool: &SqlitePool, clock: &dyn Clock, path: &Path) -> Result<Uuid> {
    let home = home_of(path);
    let existing: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id, home FROM device LIMIT 1")
            .fetch_optional(pool)
            .await?;
    let name = std::env::var("HOSTNAME").unwrap_or_else(|_| "This laptop".into());
    let restored = sqlx::query("DELETE FROM setting WHERE key = ?1")
        .bind(RESTORED_SETTING)
        .execute(pool)
        .await?
        .rows_affected()
        > 0;
    let existing = existing.map(|(id, was)| (id, if restored { Some(String::new()) } else { was }));
    match existing {
        Some((id, Some(was))) if was == home => {
            Uuid::from_str(&id).map_err(|_| Error::invalid("This database's device id is damaged."))
        }
        Some((id, None)) => {
            // First opened by a Fieldbook that records where: this is where it has been.
            sqlx::query("UPDATE device SET home = ?1")
                .bind(&home)
                .execute(pool)
                .await?;
            Uuid::from_str(&id).map_err(|_| Error::invalid("This database's device id is damaged."))
        }
        // A new identity: the first, or in place of one from another machine or path.
        _ => {
            let id = Uuid::now_v7();
            let sql = if existing.is_some() {
                "UPDATE device SET id = ?1, name = ?2, created_at = ?3, home = ?4"
            } else {
                "INSERT INTO device (id, name, created_at, home) VALUES (?1, ?2, ?3, ?4)"
            };
            sqlx::query(sql)
                .bind(id.to_string())
                .bind(name)
                .bind(clock.now().to_rfc3339())
                .bind(&home)
                .execute(pool)
                .await?;
            Ok(id)
        }
    }
}

/// A setting that marks a database file as restored, so that it takes a new device id when
/// next opened.
pub(crate) const RESTORED_SETTING: &str = "restored_from_backup";

/// The machine and the database file, as one string.
fn home_of(path: &Path) -> String {
    let machine = ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        .iter()
        .find_map(|f| std::fs::read_to_string(f).ok())
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let file = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("{machine} {}", file.display())
}

/// The newest migration this Fieldbook knows: the data format it writes.
pub(crate) fn newest_migration() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

fn describe_open_error(error: sqlx::Error, dir: &Path, path: &Path) -> Error {
    describe_open_error_any(Error::Database(error), dir, path)
}

/// Turns SQLite's codes for "not a database" and "cannot open" into messages a person can act on.
fn describe_open_error_any(error: Error, dir: &Path, path: &Path) -> Error {
    let Error::Database(sqlx::Error::Database(db)) = &error else {
        return error;
    };
    match db.code().as_deref() {
        // SQLITE_NOTADB, SQLITE_CORRUPT
        Some("26") | Some("11") => Error::NotADatabase {
            path: path.to_path_buf(),
        },
        // SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM
        Some("14") | Some("8") | Some("3") => Error::DataDir {
            path: dir.to_path_buf(),
            reason: db.message().to_string(),
        },
        _ => error,
    }
}

/// Which records [`Store::list`] reads, and in what order: conditions on the record's declared
/// columns (naming one that is not declared fails Fieldbook's own tests), with their values
/// bound, never written into the SQL.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Select {
    conditions: Vec<(&'static str, &'static str)>,
    args: Vec<String>,
    order: Vec<(&'static str, &'static str)>,
    limit: Option<u32>,
}

impl Select {
    /// Every record.
    pub fn all() -> Select {
        Select::default()
    }

    fn condition(
        mut self,
        column: &'static str,
        test: &'static str,
        value: Option<String>,
    ) -> Self {
        self.conditions.push((column, test));
        self.args.extend(value);
        self
    }

    /// `column` holds `value`.
    pub fn eq(self, column: &'static str, value: impl ToString) -> Self {
        self.condition(column, "= ?", Some(value.to_string()))
    }

    /// `column` does not hold `value`.
    pub fn not(self, column: &'static str, value: impl ToString) -> Self {
        self.condition(column, "!= ?", Some(value.to_string()))
    }

    /// `column` holds `value`, whatever the letters' case.
    pub fn eq_any_case(self, column: &'static str, value: impl ToString) -> Self {
        self.condition(column, "= ? COLLATE NOCASE", Some(value.to_string()))
    }

    /// `column` holds `value` or something later (dates and times as written sort in order).
    pub fn from(self, column: &'static str, value: impl ToString) -> Self {
        self.condition(column, ">= ?", Some(value.to_string()))
    }

    /// `column` holds something before `value`.
    pub fn before(self, column: &'static str, value: impl ToString) -> Self {
        self.condition(column, "< ?", Some(value.to_string()))
    }

    /// `column` holds one of `values`.
    pub fn one_of<V: ToString>(
        self,
        column: &'static str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let values: Vec<String> = values.into_iter().map(|v| v.to_string()).collect();
        let list = serde_json::to_string(&values).expect("a list of strings");
        self.condition(column, "IN (SELECT value FROM json_each(?))", Some(list))
    }

    /// `column` is empty (NULL).
    pub fn missing(self, column: &'static str) -> Self {
        self.condition(column, "IS NULL", None)
    }

    /// `column` holds something (not NULL).
    pub fn present(self, column: &'static str) -> Self {
        self.condition(column, "IS NOT NULL", None)
    }

    /// `column` holds some text (not blank).
    pub fn written(self, column: &'static str) -> Self {
        self.condition(column, "!= ''", None)
    }

    /// Then in the order of `column`.
    pub fn by(mut self, column: &'static str) -> Self {
        self.order.push((column, ""));
        self
    }

    /// Then in the order of `column`, latest first.
    pub fn by_desc(mut self, column: &'static str) -> Self {
        self.order.push((column, " DESC"));
        self
    }

    /// Then in the order of `column`'s text whatever the letters' case (names, titles).
    pub fn by_name(mut self, column: &'static str) -> Self {
        self.order.push((column, " COLLATE NOCASE"));
        self
    }

    /// At most `n` records.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    /// The SQL after `FROM table`, for a record of kind `T`.
    fn sql<T: Record>(&self, live_only: bool) -> String {
        let declared = |column: &str| {
            debug_assert!(
                T::all_columns().any(|c| c.name == column),
                "{column} is not a declared column of {}",
                T::KIND
            );
        };
        let mut conditions: Vec<String> = live_only
            .then(|| "deleted = 0".to_owned())
            .into_iter()
            .collect();
        for (column, test) in &self.conditions {
            declared(column);
            conditions.push(format!("{column} {test}"));
        }
        let mut sql = String::new();
        if !conditions.is_empty() {
            sql = format!("WHERE {}", conditions.join(" AND "));
        }
        if !self.order.is_empty() {
            let order: Vec<String> = self
                .order
                .iter()
                .map(|(column, how)| {
                    declared(column);
                    format!("{column}{how}")
                })
                .collect();
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        if let Some(n) = self.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        sql
    }
}
