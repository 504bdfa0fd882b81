//! The write side's one owner of transactions: every write begins here, in the service layer,
//! and is committed or rolled back as a whole.

use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, Statement, TransactionTrait,
};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

use super::outbox;
use crate::cache::{self, Collector, ResponseCache, TagSet};
use crate::error::ApiResult;
use crate::events::Event;

/// The content store: the database and, on SQLite, the single-writer gate. Service functions
/// are methods on it (one `impl Store` block per concern).
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// SQLite allows one writer at a time and answers a second one with SQLITE_BUSY instead of
    /// queueing it when both began as readers; serialising writes here turns that into a wait.
    /// PostgreSQL needs no gate: row locks, constraints and version guards do the work.
    gate: Option<Arc<Mutex<()>>>,
    /// Anonymous answers cached by this server, dropped by what each write changes.
    cache: Option<ResponseCache>,
    /// Where the request being served learns what its writes changed (as cache tags), to show
    /// them in its result for purge scripts.
    written: Option<Collector>,
    /// Age in days past which a cited source is flagged (`JOBRISK_SOURCE_MAX_AGE_DAYS`).
    source_max_age_days: u32,
    /// Wakes the webhook delivery worker when a write queued deliveries.
    wake: Option<Arc<Notify>>,
    /// Whether webhooks may point at internal addresses (`JOBRISK_WEBHOOK_ALLOW_PRIVATE`).
    webhooks_allow_private: bool,
}

/// An open write transaction; dropped without [`WriteTxn::commit`], it rolls back.
pub(in crate::service) struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
    /// What the write changes that readers see, as cache tags.
    touched: std::sync::Mutex<TagSet>,
    /// Whether the write may change any answer (a restore): every cache drops everything.
    everything: std::sync::atomic::AtomicBool,
    /// Publishing events of the write, queued for webhooks when it commits.
    events: std::sync::Mutex<Vec<Event>>,
    /// Wakes this server's delivery worker after a commit that queued deliveries.
    wake: Option<Arc<Notify>>,
    /// Whether to wake it even though no event was emitted.
    wake_anyway: std::sync::atomic::AtomicBool,
    cache: Option<ResponseCache>,
    written: Option<Collector>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    /// Records that the write changes what answers tagged with `tags` show.
    pub(in crate::service) fn touch(&self, tags: TagSet) {
        if let Ok(mut touched) = self.touched.lock() {
            touched.extend(tags);
        }
    }

    /// Records a publishing event of the write, sent to subscribed webhooks when it commits.
    pub(in crate::service) fn emit(&self, event: Event) {
        if let Ok(mut events) = self.events.lock() {
            events.push(event);
        }
    }

    /// Wakes this server's delivery worker when the write commits (a redelivery).
    pub(in crate::service) fn wake_webhooks(&self) {
        self.wake_anyway
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Records that the write may change any answer at all.
    pub(in crate::service) fn touch_everything(&self) {
        self.everything
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Commits the write (and then lets the next SQLite writer in), then drops the cached
    /// answers it changed. On PostgreSQL the tags also go to every other server on the
    /// database, as a notification sent inside the transaction: delivered on commit only, so a
    /// write rolled back invalidates nothing.
    pub(in crate::service) async fn commit(self) -> ApiResult<()> {
        let tags = self.touched.into_inner().unwrap_or_default();
        let everything = self.everything.into_inner();
        let events = self.events.into_inner().unwrap_or_default();
        // In the write's own transaction: delivered if and only if the write commits.
        let queued = if events.is_empty() {
            0
        } else {
            outbox::enqueue(&self.txn, &events, &tags).await?
        };
        if (everything || !tags.is_empty())
            && self.txn.get_database_backend() == sea_orm::DbBackend::Postgres
        {
            let payload = if everything {
                cache::EVERYTHING.to_owned()
            } else {
                cache::notification(&tags)
            };
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [cache::CHANNEL.into(), payload.into()],
                ))
                .await?;
        }
        self.txn.commit().await?;
        if (queued > 0 || self.wake_anyway.into_inner())
            && let Some(wake) = &self.wake
        {
            wake.notify_one();
        }
        if let Some(cache) = &self.cache {
            if everything {
                cache.flush();
            } else {
                cache.invalidate(&tags);
            }
        }
        if let Some(written) = &self.written {
            written.extend(tags);
        }
        Ok(())
    }
}

impl Store {
    /// The store over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        let gate = matches!(db.get_database_backend(), sea_orm::DbBackend::Sqlite)
            .then(|| Arc::new(Mutex::new(())));
        Self {
            db,
            gate,
            cache: None,
            written: None,
            source_max_age_days: super::reviews::DEFAULT_SOURCE_MAX_AGE_DAYS,
            wake: None,
            webhooks_allow_private: false,
        }
    }

    /// The store whose writes wake `wake` when they queue webhook deliveries, and that lets
    /// webhooks point at internal addresses when `allow_private`.
    pub fn with_webhooks(mut self, wake: Arc<Notify>, allow_private: bool) -> Self {
        self.wake = Some(wake);
        self.webhooks_allow_private = allow_private;
        self
    }

    /// Whether webhooks may point at internal addresses.
    pub fn webhooks_allow_private(&self) -> bool {
        self.webhooks_allow_private
    }

    /// The store that flags cited sources older than `days`.
    pub fn with_source_max_age_days(mut self, days: u32) -> Self {
        self.source_max_age_days = days;
        self
    }

    /// Age in days past which a cited source is flagged as stale.
    pub fn source_max_age_days(&self) -> u32 {
        self.source_max_age_days
    }

    /// The store whose writes drop what they change from `cache`.
    pub fn with_cache(mut self, cache: Option<ResponseCache>) -> Self {
        self.cache = cache;
        self
    }

    /// The store whose committed writes report their tags to `written`.
    pub fn reporting_to(&self, written: Collector) -> Self {
        Self {
            written: Some(written),
            ..self.clone()
        }
    }

    /// The same store over another connection to the same database (sharing the SQLite write
    /// gate): background workers use one whose statements are not counted as requests'.
    pub fn over(&self, db: DatabaseConnection) -> Self {
        Self { db, ..self.clone() }
    }

    /// The connection, for reads.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a write transaction (behind the SQLite gate). Only the service layer may: a
    /// write's checks and changes belong in one transaction that it owns.
    pub(in crate::service) async fn begin(&self) -> ApiResult<WriteTxn> {
        let gate = match &self.gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        };
        Ok(WriteTxn {
            txn: self.db.begin().await?,
            _gate: gate,
            touched: Default::default(),
            everything: Default::default(),
            events: Default::default(),
            wake: self.wake.clone(),
            wake_anyway: Default::default(),
            cache: self.cache.clone(),
            written: self.written.clone(),
        })
    }
}
