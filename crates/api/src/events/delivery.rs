//! The delivery worker: claims due deliveries from the outbox (`service::outbox`), sends them
//! signed, and records each attempt; failures are retried with exponential backoff and jitter
//! until `JOBRISK_WEBHOOK_RETRY_SECS` have passed since the event, then marked failed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use entity::webhook;
use tokio::sync::{Notify, watch};

use super::{signing, ssrf};
use crate::config::WebhookSettings;
use crate::error::{ApiError, ApiResult};
use crate::service::Store;
use crate::service::outbox::{Claimed, Outcome};

/// How often the outbox is looked at when nothing wakes the worker (other servers' writes,
/// retries coming due).
const POLL: Duration = Duration::from_millis(500);

/// First retry delay; each retry doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Longest answer body kept as the error of a failed attempt.
const MAX_ERROR: usize = 500;

/// Sends the outbox's deliveries.
pub struct DeliveryWorker {
    store: Store,
    client: reqwest::Client,
    settings: WebhookSettings,
    wake: Arc<Notify>,
}

impl DeliveryWorker {
    /// A worker over `store`, woken early by `wake` (a local write that queued deliveries).
    pub fn new(store: Store, settings: WebhookSettings, wake: Arc<Notify>) -> ApiResult<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .dns_resolver(Arc::new(ssrf::GuardedResolver {
                allow_private: settings.allow_private,
            }))
            .user_agent(concat!("jobrisk-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Internal(format!("webhook client: {e}")))?;
        Ok(Self {
            store,
            client,
            settings,
            wake,
        })
    }

    /// Sends due deliveries until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            match self.tick().await {
                // Something was sent: more may be waiting, among them the next event of a
                // subject whose deliveries go one after another (waiting a poll between them
                // paced a role's events at two a second).
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook deliveries: claiming failed"),
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    }

    fn batch(&self) -> usize {
        usize::try_from(self.settings.concurrency).unwrap_or(8)
    }

    /// Claims and sends one batch at once (the batch is `JOBRISK_WEBHOOK_CONCURRENCY`);
    /// returns how many deliveries it claimed.
    pub async fn tick(&self) -> ApiResult<usize> {
        // A lease outlives its attempt; a server that dies mid-attempt lets another take the
        // delivery once it ends.
        let lease = self.settings.timeout * 2 + Duration::from_secs(5);
        let claimed = self.store.claim_deliveries(self.batch(), lease).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let hooks: HashMap<i32, webhook::Model> = self
            .store
            .webhooks_by_id(claimed.iter().map(|d| d.webhook_id).collect())
            .await?;
        let count = claimed.len();
        let sends = claimed.into_iter().map(|d| {
            let hook = hooks.get(&d.webhook_id);
            async move {
                let outcome = match hook {
                    Some(hook) => self.send(hook, &d).await,
                    None => Outcome::Failed {
                        status: None,
                        error: "the webhook was deleted".into(),
                    },
                };
                let retry = match &outcome {
                    Outcome::Delivered(_) => None,
                    Outcome::Failed { .. } => Some(backoff(d.attempts)),
                };
                if let Err(e) = self
                    .store
                    .record_delivery(&d, outcome, retry, self.settings.retry_for)
                    .await
                {
                    tracing::warn!(error = %e, delivery = d.id, "webhook deliveries: recording failed");
                }
            }
        });
        futures::future::join_all(sends).await;
        Ok(count)
    }

    async fn send(&self, hook: &webhook::Model, d: &Claimed) -> Outcome {
        if let Some(why) = ssrf::refusal(&hook.url, self.settings.allow_private) {
            return Outcome::Failed {
                status: None,
                error: format!("the URL {why}"),
            };
        }
        let timestamp = Utc::now().timestamp();
        let Some(signature) = signing::sign(&hook.secret, &d.event_id, timestamp, &d.payload)
        else {
            return Outcome::Failed {
                status: None,
                error: "the webhook's secret is not valid".into(),
            };
        };
        let sent = self
            .client
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.payload.clone())
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => {
                Outcome::Delivered(answer.status().as_u16())
            }
            Ok(answer) => {
                let status = answer.status().as_u16();
                let text = answer.text().await.unwrap_or_default();
                Outcome::Failed {
                    status: Some(status),
                    error: format!(
                        "answered {status}: {}",
                        text.chars().take(MAX_ERROR).collect::<String>()
                    ),
                }
            }
            Err(e) => Outcome::Failed {
                status: None,
                error: describe(&e),
            },
        }
    }
}

/// The wait after attempt `attempts` failed: doubling from a second, at most an hour, with
/// a fifth either way of jitter so that retries of many deliveries spread out.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let base = FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(MAX_BACKOFF);
    base.mul_f64(rand::random_range(0.8..1.2))
}

/// An error of reqwest with its causes.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(MAX_ERROR).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_an_hour() {
        for attempts in 1..8 {
            let want = 2f64.powi(attempts - 1);
            let got = backoff(attempts).as_secs_f64();
            assert!(
                got >= want * 0.8 - 1e-9 && got <= want * 1.2 + 1e-9,
                "{attempts}: {got}"
            );
        }
        assert!(backoff(60).as_secs_f64() <= 3600.0 * 1.2);
    }
}
