//! The write side's one owner of transactions: every write begins here, in the service layer,
//! and is committed or rolled back as a whole.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::ApiResult;

/// The content store: the database and, on SQLite, the single-writer gate. Service functions
/// are methods on it (one `impl Store` block per concern).
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// SQLite allows one writer at a time and answers a second one with SQLITE_BUSY instead of
    /// queueing it when both began as readers; serialising writes here turns that into a wait.
    /// PostgreSQL needs no gate: row locks, constraints and version guards do the work.
    gate: Option<Arc<Mutex<()>>>,
}

/// An open write transaction; dropped without [`WriteTxn::commit`], it rolls back.
pub(in crate::service) struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits the write (and then lets the next SQLite writer in).
    pub(in crate::service) async fn commit(self) -> ApiResult<()> {
        Ok(self.txn.commit().await?)
    }
}

impl Store {
    /// The store over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        let gate = matches!(db.get_database_backend(), sea_orm::DbBackend::Sqlite)
            .then(|| Arc::new(Mutex::new(())));
        Self { db, gate }
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
        })
    }
}
