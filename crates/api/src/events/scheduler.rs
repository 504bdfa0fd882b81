//! The scheduler: runs planned publishes and unpublishes when they come due (within about a
//! second), on whichever server claims them first (`service::schedules`).

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::service::Store;

/// How often due actions are looked for.
const EVERY: Duration = Duration::from_secs(1);

/// Runs due schedules.
pub struct Scheduler {
    store: Store,
}

impl Scheduler {
    /// A scheduler over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Runs due actions every second until `shutdown` turns true. Actions that came due while
    /// no server ran (a restart) run on the first look.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            match self.store.run_due_schedules(Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(actions = n, "ran scheduled publishing actions"),
                Err(e) => {
                    tracing::warn!(error = %e, "scheduled publishing: looking for due actions failed")
                }
            }
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    }
}
