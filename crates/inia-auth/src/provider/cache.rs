//! [`RefreshingCredentials`]: caches what another provider answers and refreshes it
//! ahead of its expiry, following botocore's `RefreshableCredentials`.
//!
//! - Credentials without an expiry are kept forever (until [`invalidate`]).
//! - More than the advisory window (15 min) before expiry: the cached credentials.
//! - Inside the advisory window: one caller refreshes; if that fails (or someone else is
//!   already refreshing) the old credentials are used.
//! - Inside the mandatory window (10 min), expired, or nothing cached yet: callers wait
//!   for one refresh; its failure is their error.
//! - A refresh happens once however many callers arrive together (single flight on an
//!   `async_lock::Mutex`; no runtime needed).
//! - A refresh that yields already-expired credentials, or none where some were cached,
//!   counts as a failure. Nothing found on the very first load is `Ok(None)`, not cached.
//!
//! Owns: caching and refresh timing. Does not own: where credentials come from.
//!
//! [`invalidate`]: RefreshingCredentials::invalidate

use super::{CredentialsError, ProvideCredentials, ProvideFuture};
use crate::credentials::Credentials;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// Refresh, but keep the old credentials on failure, this long before expiry.
pub const ADVISORY_REFRESH: Duration = Duration::from_secs(15 * 60);
/// Refresh, failing on failure, this long before expiry.
pub const MANDATORY_REFRESH: Duration = Duration::from_secs(10 * 60);

/// Where "now" comes from (injectable for tests).
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A caching, refreshing wrapper around any provider.
pub struct RefreshingCredentials<P> {
    inner: P,
    cached: RwLock<Option<Credentials>>,
    refresh_lock: async_lock::Mutex<()>,
    advisory: Duration,
    mandatory: Duration,
    clock: Clock,
}

/// What the cache holds relative to now.
enum State {
    Fresh(Credentials),
    Advisory(Credentials),
    Mandatory(Option<Credentials>),
}

impl<P: ProvideCredentials> RefreshingCredentials<P> {
    pub fn new(inner: P) -> Self {
        RefreshingCredentials {
            inner,
            cached: RwLock::new(None),
            refresh_lock: async_lock::Mutex::new(()),
            advisory: ADVISORY_REFRESH,
            mandatory: MANDATORY_REFRESH,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// Other windows (the mandatory one is capped at the advisory one).
    pub fn with_windows(mut self, advisory: Duration, mandatory: Duration) -> Self {
        self.advisory = advisory;
        self.mandatory = mandatory.min(advisory);
        self
    }

    /// Another clock.
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// Forget the cached credentials: the next call loads afresh.
    pub fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn state(&self) -> State {
        let cached = self
            .cached
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(c) = cached else {
            return State::Mandatory(None);
        };
        let Some(expiry) = c.expiry() else {
            return State::Fresh(c);
        };
        let left = expiry
            .duration_since((self.clock)())
            .unwrap_or(Duration::ZERO);
        if left >= self.advisory {
            State::Fresh(c)
        } else if left >= self.mandatory && left > Duration::ZERO {
            State::Advisory(c)
        } else {
            State::Mandatory(Some(c))
        }
    }

    async fn get(&self) -> Result<Option<Credentials>, CredentialsError> {
        match self.state() {
            State::Fresh(c) => Ok(Some(c)),
            State::Advisory(old) => {
                let Some(_guard) = self.refresh_lock.try_lock() else {
                    // Someone is refreshing: the current ones are still good enough.
                    return Ok(Some(old));
                };
                match self.state() {
                    State::Fresh(c) => Ok(Some(c)),
                    State::Advisory(old) => self.refresh(false, Some(old)).await,
                    State::Mandatory(old) => self.refresh(true, old).await,
                }
            }
            State::Mandatory(_) => {
                let _guard = self.refresh_lock.lock().await;
                match self.state() {
                    // Refreshed by whoever held the lock before us.
                    State::Fresh(c) | State::Advisory(c) => Ok(Some(c)),
                    State::Mandatory(old) => self.refresh(true, old).await,
                }
            }
        }
    }

    /// Ask the inner provider; call only while holding `refresh_lock`.
    async fn refresh(
        &self,
        mandatory: bool,
        old: Option<Credentials>,
    ) -> Result<Option<Credentials>, CredentialsError> {
        tracing::debug!(
            provider = self.inner.name(),
            mandatory,
            first = old.is_none(),
            "refreshing credentials"
        );
        let failure = match self.inner.provide().await {
            Ok(Some(new)) => {
                if new.expiry().is_some_and(|e| e <= (self.clock)()) {
                    self.error("the refreshed credentials have already expired")
                } else {
                    *self.cached.write().unwrap_or_else(|e| e.into_inner()) = Some(new.clone());
                    return Ok(Some(new));
                }
            }
            Ok(None) if old.is_none() => return Ok(None),
            Ok(None) => self.error("the source no longer has credentials"),
            Err(e) => e,
        };
        match old {
            Some(old) if !mandatory => {
                tracing::warn!(
                    provider = self.inner.name(),
                    error = %failure,
                    "advisory credential refresh failed; using the current credentials"
                );
                Ok(Some(old))
            }
            _ => Err(failure),
        }
    }

    fn error(&self, message: &str) -> CredentialsError {
        CredentialsError::Provider {
            source_name: self.inner.name(),
            message: message.to_owned(),
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for RefreshingCredentials<P> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(self.get())
    }
}

impl<P: fmt::Debug> fmt::Debug for RefreshingCredentials<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cached.read().map(|c| c.is_some()).unwrap_or_default();
        f.debug_struct("RefreshingCredentials")
            .field("inner", &self.inner)
            .field("cached", &cached)
            .field("advisory", &self.advisory)
            .field("mandatory", &self.mandatory)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::task::{Context, Poll};
    use std::time::UNIX_EPOCH;

    const START: u64 = 1_900_000_000;

    /// A clock that moves only when told.
    #[derive(Clone)]
    struct TestClock(Arc<AtomicU64>);

    impl TestClock {
        fn new() -> Self {
            TestClock(Arc::new(AtomicU64::new(START)))
        }
        fn now(&self) -> SystemTime {
            UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::SeqCst))
        }
        fn advance(&self, secs: u64) {
            self.0.fetch_add(secs, Ordering::SeqCst);
        }
    }

    /// Counts calls; answers credentials valid for `ttl` (or forever), or fails.
    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        ttl: Option<u64>,
        fail: AtomicBool,
        sleep: Duration,
        clock: Arc<AtomicU64>,
    }

    impl Counting {
        fn new(clock: &TestClock, ttl: Option<u64>) -> Self {
            Counting {
                calls: AtomicUsize::new(0),
                ttl,
                fail: AtomicBool::new(false),
                sleep: Duration::ZERO,
                clock: clock.0.clone(),
            }
        }
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    /// Pending once, then ready: lets other futures run in between.
    struct YieldOnce(bool);

    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    impl ProvideCredentials for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn provide(&self) -> ProvideFuture<'_> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                YieldOnce(false).await;
                std::thread::sleep(self.sleep);
                if self.fail.load(Ordering::SeqCst) {
                    return Err(CredentialsError::Provider {
                        source_name: "counting",
                        message: format!("failure {n}"),
                    });
                }
                let now = UNIX_EPOCH + Duration::from_secs(self.clock.load(Ordering::SeqCst));
                let expiry = self.ttl.map(|t| now + Duration::from_secs(t));
                Ok(Some(Credentials::new(
                    format!("AK{n}"),
                    "secret",
                    None,
                    expiry,
                    "counting",
                )))
            })
        }
    }

    fn cache(clock: &TestClock, inner: Counting) -> RefreshingCredentials<Counting> {
        let c = clock.clone();
        RefreshingCredentials::new(inner).with_clock(move || c.now())
    }

    fn key(r: Result<Option<Credentials>, CredentialsError>) -> String {
        match r {
            Ok(Some(c)) => c.access_key_id().to_owned(),
            other => panic!("{other:?}"),
        }
    }

    /// Poll all futures on this thread until every one is done.
    fn join_all<F: Future>(futs: Vec<F>) -> Vec<F::Output> {
        let mut futs: Vec<Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
        let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
        futures_executor::block_on(std::future::poll_fn(|cx| {
            for (f, o) in futs.iter_mut().zip(out.iter_mut()) {
                if o.is_none() {
                    if let Poll::Ready(v) = f.as_mut().poll(cx) {
                        *o = Some(v);
                    }
                }
            }
            if out.iter().all(Option::is_some) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        out.into_iter().flatten().collect()
    }

    #[test]
    fn without_expiry_cached_forever() {
        let clock = TestClock::new();
        let c = cache(&clock, Counting::new(&clock, None));
        for _ in 0..5 {
            assert_eq!(key(futures_executor::block_on(c.provide())), "AK1");
            clock.advance(365 * 24 * 3600);
        }
        assert_eq!(c.inner().calls(), 1);
        c.invalidate();
        assert_eq!(key(futures_executor::block_on(c.provide())), "AK2");
    }

    #[test]
    fn advisory_and_mandatory_windows() {
        let clock = TestClock::new();
        let c = cache(&clock, Counting::new(&clock, Some(3600)));
        let get = || futures_executor::block_on(c.provide());
        assert_eq!(key(get()), "AK1");
        clock.advance(44 * 60); // 16 min left: fresh
        assert_eq!(key(get()), "AK1");
        clock.advance(2 * 60); // 14 min left: advisory refresh
        assert_eq!(key(get()), "AK2");
        assert_eq!(key(get()), "AK2");

        c.inner().fail.store(true, Ordering::SeqCst);
        clock.advance(47 * 60); // 13 min left: refresh fails, old ones kept
        assert_eq!(key(get()), "AK2");
        assert_eq!(c.inner().calls(), 3);
        clock.advance(4 * 60); // 9 min left: mandatory, failure is an error
        assert!(matches!(get(), Err(CredentialsError::Provider { .. })));
        c.inner().fail.store(false, Ordering::SeqCst);
        assert_eq!(key(get()), "AK5");
    }

    #[test]
    fn expired_refresh_and_vanished_source_fail() {
        let clock = TestClock::new();
        let c = cache(&clock, Counting::new(&clock, Some(0)));
        let e = futures_executor::block_on(c.provide()).unwrap_err();
        assert!(e.to_string().contains("expired"), "{e}");

        #[derive(Debug)]
        struct Nothing;
        impl ProvideCredentials for Nothing {
            fn name(&self) -> &'static str {
                "nothing"
            }
            fn provide(&self) -> ProvideFuture<'_> {
                Box::pin(async { Ok(None) })
            }
        }
        let c = RefreshingCredentials::new(Nothing);
        assert!(futures_executor::block_on(c.provide()).unwrap().is_none());
    }

    #[test]
    fn single_flight_on_one_thread() {
        let clock = TestClock::new();
        let c = cache(&clock, Counting::new(&clock, Some(3600)));
        let keys: Vec<String> = join_all((0..32).map(|_| c.provide()).collect())
            .into_iter()
            .map(key)
            .collect();
        assert!(keys.iter().all(|k| k == "AK1"), "{keys:?}");
        assert_eq!(c.inner().calls(), 1);

        clock.advance(55 * 60); // mandatory: everyone waits for one refresh
        let keys: Vec<String> = join_all((0..32).map(|_| c.provide()).collect())
            .into_iter()
            .map(key)
            .collect();
        assert!(keys.iter().all(|k| k == "AK2"), "{keys:?}");
        assert_eq!(c.inner().calls(), 2);

        clock.advance(47 * 60); // advisory: one refreshes, the rest use the old ones
        let keys: Vec<String> = join_all((0..32).map(|_| c.provide()).collect())
            .into_iter()
            .map(key)
            .collect();
        assert!(keys.iter().all(|k| k == "AK2" || k == "AK3"), "{keys:?}");
        assert!(keys.iter().any(|k| k == "AK3"));
        assert_eq!(c.inner().calls(), 3);
    }

    #[test]
    fn single_flight_across_threads() {
        let clock = TestClock::new();
        let mut inner = Counting::new(&clock, Some(3600));
        inner.sleep = Duration::from_millis(50);
        let c = Arc::new(cache(&clock, inner));
        let run_all = |c: &Arc<RefreshingCredentials<Counting>>| {
            let threads: Vec<_> = (0..16)
                .map(|_| {
                    let c = c.clone();
                    std::thread::spawn(move || key(futures_executor::block_on(c.provide())))
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert!(run_all(&c).iter().all(|k| k == "AK1"));
        assert_eq!(c.inner().calls(), 1);
        clock.advance(52 * 60);
        assert!(run_all(&c).iter().all(|k| k == "AK2"));
        assert_eq!(c.inner().calls(), 2);
    }
}
