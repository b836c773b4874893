//! Time and chance, injectable: the pause between retries and waiter attempts (a
//! [`Sleep`]), the wall clock that signs requests and judges credential expiry (a
//! [`Clock`]) and the random draw of the retry jitter (a [`Jitter`]) come from the
//! session, so a test, a simulation or another async runtime can replace them. The
//! defaults are tokio's timer ([`TokioSleep`]), the system clock ([`SystemClock`]) and a
//! uniform draw ([`UniformJitter`]).
//!
//! ```
//! use inia::time::{FixedJitter, Sleep};
//! use std::sync::{Arc, Mutex};
//! use std::time::{Duration, SystemTime};
//!
//! /// Records each pause and returns at once.
//! #[derive(Debug, Default)]
//! struct Recorder(Mutex<Vec<Duration>>);
//!
//! impl Sleep for Recorder {
//!     fn sleep(&self, d: Duration) -> inia::time::SleepFuture {
//!         self.0.lock().unwrap().push(d);
//!         Box::pin(std::future::ready(()))
//!     }
//! }
//!
//! let pauses = Arc::new(Recorder::default());
//! let session = inia::Session::builder()
//!     .sleep(pauses.clone())
//!     .jitter(Arc::new(FixedJitter(0.5)));
//! ```
//!
//! Owns the three seams and their defaults. Does not own the policies that ask for a pause
//! (`retry`, `waiter`) or the transport's own timeouts (`inia_http`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The future a [`Sleep`] returns.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Pauses: between retry attempts, and between waiter attempts.
pub trait Sleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// [`Sleep`] with tokio's timer (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The wall clock: the time a request is signed at, and the "now" credential expiry is
/// judged against.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// [`Clock`] reading the system's time (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The random draw behind retry jitter: a number in `[0, 1)`.
pub trait Jitter: Send + Sync + fmt::Debug {
    /// The next draw, in `[0, 1)` (values outside are clamped).
    fn unit(&self) -> f64;
}

/// [`Jitter`] drawn uniformly (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct UniformJitter;

impl Jitter for UniformJitter {
    fn unit(&self) -> f64 {
        fastrand::f64()
    }
}

/// [`Jitter`] that always draws the same value: retry delays become exact
/// (`value * 2^(attempt - 2)` seconds, capped).
#[derive(Debug, Clone, Copy)]
pub struct FixedJitter(pub f64);

impl Jitter for FixedJitter {
    fn unit(&self) -> f64 {
        self.0
    }
}

/// A session's three, shared by its clients and credential sources.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub(crate) sleep: Arc<dyn Sleep>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) jitter: Arc<dyn Jitter>,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            sleep: Arc::new(TokioSleep),
            clock: Arc::new(SystemClock),
            jitter: Arc::new(UniformJitter),
        }
    }
}

impl Timing {
    /// The clock's current time.
    pub(crate) fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Pause for `duration`.
    pub(crate) async fn sleep(&self, duration: Duration) {
        self.sleep.sleep(duration).await;
    }

    /// A jitter draw in `[0, 1)`.
    pub(crate) fn unit(&self) -> f64 {
        let u = self.jitter.unit();
        if u.is_finite() {
            u.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_kept_in_range() {
        let t = Timing {
            jitter: Arc::new(FixedJitter(7.0)),
            ..Timing::default()
        };
        assert_eq!(t.unit(), 1.0);
        let t = Timing {
            jitter: Arc::new(FixedJitter(f64::NAN)),
            ..t
        };
        assert_eq!(t.unit(), 0.0);
        let u = Timing::default().unit();
        assert!((0.0..1.0).contains(&u));
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_sleep_is_tokios() {
        let started = tokio::time::Instant::now();
        Timing::default().sleep(Duration::from_secs(30)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }
}
