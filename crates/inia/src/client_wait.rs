//! Driving waiters for a client: [`Client::wait`] polls the waiter's operation, sleeping
//! `delay` between attempts, until an acceptor says success (the last output is returned)
//! or failure, an unexpected error occurs, or `max_attempts` run out.
//!
//! Owns the client's polling loop. Does not own the acceptor rules (see `waiter`).

use crate::client::Client;
use crate::error::Error;
use crate::waiter::{Attempt, Decision, Waiter};
use serde_json::Value;
use std::time::Duration;

/// Overrides of a waiter's spec.
#[derive(Debug, Clone, Copy, Default)]
pub struct WaitOptions {
    /// The pause between attempts (the waiter's own when `None`).
    pub delay: Option<Duration>,
    /// Attempts before giving up (the waiter's own when `None`).
    pub max_attempts: Option<u32>,
}

impl Client {
    /// The waiter `name` (`InstanceRunning`, `SnapshotCompleted`) of this service.
    pub fn waiter(&self, name: &str) -> Result<Waiter, Error> {
        let file = self
            .inner
            .session
            .specs()
            .load_json(&self.inner.service, "waiters-2")?;
        let found = match &file {
            Some(f) => Waiter::from_file(f, name).map_err(|e| Error::Unsupported(e.to_string()))?,
            None => None,
        };
        found.ok_or_else(|| Error::UnknownWaiter {
            service: self.inner.service.clone(),
            name: name.to_string(),
        })
    }

    /// Wait until the waiter `name` succeeds for `params`.
    pub async fn wait(
        &self,
        name: &str,
        params: Value,
        options: WaitOptions,
    ) -> Result<Value, Error> {
        let w = self.waiter(name)?;
        let delay = options.delay.unwrap_or(w.delay);
        let max = options.max_attempts.unwrap_or(w.max_attempts).max(1);
        let fail = |reason: String| Error::Waiter {
            name: w.name.clone(),
            reason,
        };
        let call = crate::client::CallOptions {
            feature: Some(crate::sdk_headers::feature::WAITER),
            ..Default::default()
        };
        for attempt in 1..=max {
            let result = self
                .send(&w.operation, params.clone(), None, &call)
                .await
                .map(|o| o.value);
            let decision = match &result {
                Ok(v) => {
                    let status = v["ResponseMetadata"]["HTTPStatusCode"]
                        .as_u64()
                        .unwrap_or(200) as u16;
                    w.decide(Attempt::Success { status, output: v })
                }
                Err(Error::Service { error, .. }) => w.decide(Attempt::Error {
                    status: error.status,
                    code: &error.code,
                }),
                Err(_) => Decision::UnexpectedError,
            };
            match decision {
                Decision::Success => return result.or_else(|_| Ok(Value::Null)),
                Decision::Failure(reason) => return Err(fail(reason)),
                Decision::UnexpectedError => {
                    let e = result
                        .err()
                        .map_or_else(|| "unexpected result".to_string(), |e| e.to_string());
                    return Err(fail(format!("an unexpected error occurred: {e}")));
                }
                Decision::Retry if attempt < max => {
                    tracing::debug!(waiter = %w.name, attempt, "not yet; waiting");
                    self.inner.session.inner.timing.sleep(delay).await;
                }
                Decision::Retry => {}
            }
        }
        Err(fail(format!("max attempts exceeded ({max})")))
    }
}
