//! Retries in botocore's `standard` mode, as pure policy: which failures are retried, how
//! long to wait, and the retry quota that stops a client from amplifying an outage.
//!
//! - Attempts: 3 in all by default (`AWS_MAX_ATTEMPTS`, profile `max_attempts`).
//! - Retried: connection errors and timeouts; HTTP 500, 502, 503, 504 and 429; the
//!   throttling and transient error codes below; error shapes modeled as retryable.
//! - Delay: full jitter, `random(0..1) * 2^(attempt-1)` seconds, capped at 20 s; a server's
//!   `x-amz-retry-after` (milliseconds) or `Retry-After` (seconds) is honoured up to the cap.
//! - Quota: a bucket of 500 tokens per client; a retry costs 5 (10 after a timeout); a
//!   success returns the cost of its retry, or 1 if it needed none. An empty bucket means no
//!   more retries until successes refill it.
//! - Clock skew: `RequestTimeTooSkewed`, `RequestExpired`, `InvalidSignatureException` or
//!   `SignatureDoesNotMatch` with a server `Date` more than 4 minutes off is retried once
//!   with the signing clock corrected by the difference.
//!
//! Every retry loop of the crate asks a `RetryPolicy` whether another attempt comes and
//! after what pause. There are two: `Standard` (the engine's calls, as above) and
//! `FixedPause` (credential fetches: the instance metadata service, the container
//! endpoint), which follows botocore's fetchers: a fixed number of attempts with a fixed
//! pause, retrying throttling (429), any 5xx, answers that say "not yet" and broken
//! connections; no jitter, no quota. The transport's resend of a request on a pooled
//! connection the server had closed (hyper-util's) is the only retry outside this module.
//!
//! Owns those decisions. Does not own sleeping or re-sending (the client and the
//! credential sources do), nor the draw behind the jitter (`time`).

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Error codes that mean "slow down".
pub(crate) const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes that mean "try again".
pub(crate) const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

/// Error codes that may mean the local clock is wrong.
pub(crate) const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "RequestInTheFuture",
];

/// Whether another attempt comes after a failed one, and after what pause.
pub(crate) trait RetryPolicy {
    /// Attempt `attempt` (1 for the first) failed with `failure`; `hint` is the delay the
    /// server asked for, if any. The pause before the next attempt, or `None` to stop.
    fn next_pause(
        &mut self,
        attempt: u32,
        failure: &Failure<'_>,
        hint: Option<Duration>,
    ) -> Option<Duration>;

    /// The call succeeded (after any retries).
    fn succeeded(&mut self) {}
}

/// The credential fetches' policy: `attempts` in all, `pause` between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FixedPause {
    /// Attempts in all, first included.
    pub(crate) attempts: u32,
    /// The pause before each retry.
    pub(crate) pause: Duration,
}

impl RetryPolicy for FixedPause {
    fn next_pause(
        &mut self,
        attempt: u32,
        failure: &Failure<'_>,
        _: Option<Duration>,
    ) -> Option<Duration> {
        let retryable = match failure {
            Failure::Connection | Failure::Timeout => true,
            Failure::Service {
                status,
                modeled_retryable,
                ..
            } => *status == 429 || *status >= 500 || *modeled_retryable,
        };
        (retryable && attempt < self.attempts).then_some(self.pause)
    }
}

/// The engine's policy for one call: botocore's standard mode, drawing on the client's
/// retry quota and the session's jitter.
pub(crate) struct Standard<'a> {
    max_attempts: u32,
    quota: &'a RetryQuota,
    timing: &'a crate::time::Timing,
    last_cost: Option<u32>,
}

impl<'a> Standard<'a> {
    /// At most `max_attempts` in all, paying retries from `quota`.
    pub(crate) fn new(
        max_attempts: u32,
        quota: &'a RetryQuota,
        timing: &'a crate::time::Timing,
    ) -> Self {
        Standard {
            max_attempts: max_attempts.max(1),
            quota,
            timing,
            last_cost: None,
        }
    }
}

impl RetryPolicy for Standard<'_> {
    fn next_pause(
        &mut self,
        attempt: u32,
        failure: &Failure<'_>,
        hint: Option<Duration>,
    ) -> Option<Duration> {
        let kind = classify(failure)?;
        if attempt >= self.max_attempts {
            return None;
        }
        self.last_cost = Some(self.quota.acquire(kind)?);
        Some(backoff(attempt + 1, self.timing.unit(), hint))
    }

    fn succeeded(&mut self) {
        self.quota.release(self.last_cost);
    }
}

/// The longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in all, first included (1 = no retries).
    pub max_attempts: u32,
    /// Retry-quota tokens; 0 disables the quota.
    pub quota: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            quota: 500,
        }
    }
}

/// What went wrong with one attempt, as far as retrying cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure<'a> {
    /// Could not connect, or the connection broke before a full response.
    Connection,
    /// An attempt or read deadline passed.
    Timeout,
    /// The service answered with an error.
    Service {
        /// The HTTP status.
        status: u16,
        /// The service's error code.
        code: &'a str,
        /// The error shape is modeled as retryable.
        modeled_retryable: bool,
    },
}

impl Failure<'static> {
    /// A transport failure as retrying sees it: `None` when it is not worth a retry
    /// (a request that could not be built, a body over its cap).
    pub(crate) fn of_transport(e: &inia_http::HttpError) -> Option<Self> {
        if e.is_timeout() {
            Some(Failure::Timeout)
        } else if e.is_transient() {
            Some(Failure::Connection)
        } else {
            None
        }
    }
}

/// The kind of a retryable failure, which decides what it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryKind {
    /// The service asked to slow down.
    Throttling,
    /// A failure that may pass: 5xx, transient codes, broken connections.
    Transient,
    /// A deadline passed.
    Timeout,
}

/// Whether (and as what) a failure is retried.
pub(crate) fn classify(f: &Failure<'_>) -> Option<RetryKind> {
    match f {
        Failure::Connection => Some(RetryKind::Transient),
        Failure::Timeout => Some(RetryKind::Timeout),
        Failure::Service {
            status,
            code,
            modeled_retryable,
        } => {
            if THROTTLING_CODES.contains(code) || *status == 429 {
                Some(RetryKind::Throttling)
            } else if TRANSIENT_CODES.contains(code)
                || matches!(status, 500 | 502 | 503 | 504)
                || *modeled_retryable
            {
                Some(RetryKind::Transient)
            } else {
                None
            }
        }
    }
}

/// Delay before attempt `next_attempt` (2 for the first retry), full jitter from `random`
/// in `[0, 1)`, or the server's requested delay when it gave one (both capped).
pub(crate) fn backoff(next_attempt: u32, random: f64, server_hint: Option<Duration>) -> Duration {
    if let Some(hint) = server_hint {
        return hint.min(MAX_BACKOFF);
    }
    let exp = 2f64.powi(next_attempt.saturating_sub(2).min(30) as i32);
    Duration::from_secs_f64((random.clamp(0.0, 1.0) * exp).min(MAX_BACKOFF.as_secs_f64()))
}

/// The server's requested delay: `x-amz-retry-after` in milliseconds, else `Retry-After`
/// in seconds.
pub(crate) fn server_hint(headers: &http::HeaderMap) -> Option<Duration> {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = get("x-amz-retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_millis(ms));
    }
    get("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// How far the server's clock is from ours, when an error says the clock is off and the
/// response's `Date` differs by more than 4 minutes. Positive: the server is ahead.
pub(crate) fn clock_skew(code: &str, server_date: Option<&str>, now: SystemTime) -> Option<i64> {
    if !CLOCK_SKEW_CODES.contains(&code) {
        return None;
    }
    let server = chrono::DateTime::parse_from_rfc2822(server_date?.trim()).ok()?;
    let local = chrono::DateTime::<chrono::Utc>::from(now);
    let skew = server.timestamp() - local.timestamp();
    (skew.abs() > 240).then_some(skew)
}

/// The retry-quota bucket shared by all calls of a client.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    capacity: u32,
    available: Mutex<u32>,
}

/// Cost of a retry after a timeout, and after anything else.
const TIMEOUT_COST: u32 = 10;
const RETRY_COST: u32 = 5;

impl RetryQuota {
    /// A bucket holding `capacity` tokens.
    pub(crate) fn new(capacity: u32) -> Self {
        RetryQuota {
            capacity,
            available: Mutex::new(capacity),
        }
    }

    /// Take the cost of a retry; `None` when the bucket cannot pay (no retry then).
    pub(crate) fn acquire(&self, kind: RetryKind) -> Option<u32> {
        if self.capacity == 0 {
            return Some(0);
        }
        let cost = if kind == RetryKind::Timeout {
            TIMEOUT_COST
        } else {
            RETRY_COST
        };
        let mut a = self.available.lock().unwrap_or_else(|p| p.into_inner());
        if *a < cost {
            return None;
        }
        *a -= cost;
        Some(cost)
    }

    /// A call succeeded: give back what its last retry cost, or 1 if it needed none.
    pub(crate) fn release(&self, cost_of_last_retry: Option<u32>) {
        if self.capacity == 0 {
            return;
        }
        let mut a = self.available.lock().unwrap_or_else(|p| p.into_inner());
        *a = (*a + cost_of_last_retry.unwrap_or(1)).min(self.capacity);
    }

    /// Tokens left.
    #[cfg(test)]
    fn available(&self) -> u32 {
        *self.available.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Record in a result's (or error's) `ResponseMetadata` how many retries were made, and
/// `MaxAttemptsReached` when the last allowed attempt failed, as botocore records them.
pub(crate) fn record_attempts(value: &mut serde_json::Value, retries: u32, exhausted: bool) {
    if let Some(serde_json::Value::Object(md)) = value.get_mut("ResponseMetadata") {
        md.insert("RetryAttempts".into(), serde_json::Value::from(retries));
        if exhausted {
            md.insert("MaxAttemptsReached".into(), serde_json::Value::Bool(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_fetches_pause_a_fixed_time_while_attempts_are_left() {
        let mut p = FixedPause {
            attempts: 3,
            pause: Duration::from_millis(100),
        };
        let pause = Some(Duration::from_millis(100));
        assert_eq!(p.next_pause(1, &svc(503, ""), None), pause);
        assert_eq!(p.next_pause(2, &svc(429, ""), None), pause);
        assert_eq!(p.next_pause(3, &svc(503, ""), None), None);
        assert_eq!(p.next_pause(1, &Failure::Connection, None), pause);
        assert_eq!(p.next_pause(1, &Failure::Timeout, None), pause);
        assert_eq!(p.next_pause(1, &svc(404, ""), None), None);
        assert_eq!(p.next_pause(1, &svc(200, ""), None), None);
        let not_yet = Failure::Service {
            status: 200,
            code: "",
            modeled_retryable: true,
        };
        assert_eq!(p.next_pause(1, &not_yet, None), pause);
        // A server's hint does not change a fixed pause.
        assert_eq!(
            p.next_pause(1, &svc(503, ""), Some(Duration::from_secs(9))),
            pause
        );
    }

    #[test]
    fn the_standard_policy_counts_attempts_pays_the_quota_and_draws_jitter() {
        let quota = RetryQuota::new(12);
        let timing = crate::time::Timing {
            jitter: std::sync::Arc::new(crate::time::FixedJitter(0.5)),
            ..Default::default()
        };
        let mut p = Standard::new(4, &quota, &timing);
        let s = svc(500, "InternalError");
        assert_eq!(p.next_pause(1, &s, None), Some(Duration::from_millis(500)));
        assert_eq!(p.next_pause(2, &s, None), Some(Duration::from_secs(1)));
        // The quota (12 tokens, 5 a retry) is empty now.
        assert_eq!(p.next_pause(3, &s, None), None);
        p.succeeded();
        assert_eq!(quota.available(), 7);
        let mut p = Standard::new(2, &quota, &timing);
        assert_eq!(p.next_pause(1, &svc(400, "ValidationError"), None), None);
        let hint = Some(Duration::from_secs(3));
        assert_eq!(p.next_pause(1, &s, hint), Some(Duration::from_secs(3)));
        assert_eq!(p.next_pause(2, &s, None), None);
    }

    fn svc(status: u16, code: &str) -> Failure<'_> {
        Failure::Service {
            status,
            code,
            modeled_retryable: false,
        }
    }

    #[test]
    fn what_is_retried() {
        assert_eq!(
            classify(&svc(400, "Throttling")),
            Some(RetryKind::Throttling)
        );
        assert_eq!(classify(&svc(503, "SlowDown")), Some(RetryKind::Throttling));
        assert_eq!(classify(&svc(429, "Whatever")), Some(RetryKind::Throttling));
        assert_eq!(
            classify(&svc(500, "InternalError")),
            Some(RetryKind::Transient)
        );
        assert_eq!(
            classify(&svc(400, "RequestTimeout")),
            Some(RetryKind::Transient)
        );
        assert_eq!(classify(&Failure::Connection), Some(RetryKind::Transient));
        assert_eq!(classify(&Failure::Timeout), Some(RetryKind::Timeout));
        assert_eq!(classify(&svc(400, "ValidationError")), None);
        assert_eq!(classify(&svc(404, "NoSuchKey")), None);
        assert_eq!(
            classify(&Failure::Service {
                status: 400,
                code: "X",
                modeled_retryable: true
            }),
            Some(RetryKind::Transient)
        );
    }

    #[test]
    fn backoff_is_jittered_exponential_and_capped() {
        assert_eq!(backoff(2, 1.0, None), Duration::from_secs(1));
        assert_eq!(backoff(3, 1.0, None), Duration::from_secs(2));
        assert_eq!(backoff(4, 0.5, None), Duration::from_secs(2));
        assert_eq!(backoff(30, 1.0, None), MAX_BACKOFF);
        assert_eq!(backoff(2, 0.0, None), Duration::ZERO);
        assert_eq!(backoff(2, 0.3, Some(Duration::from_secs(99))), MAX_BACKOFF);
    }

    #[test]
    fn server_hints() {
        let mut h = http::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(server_hint(&h), Some(Duration::from_secs(3)));
        h.insert("x-amz-retry-after", "1500".parse().unwrap());
        assert_eq!(server_hint(&h), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn quota_drains_and_refills() {
        let q = RetryQuota::new(12);
        assert_eq!(q.acquire(RetryKind::Transient), Some(5));
        assert_eq!(q.acquire(RetryKind::Transient), Some(5));
        assert_eq!(q.acquire(RetryKind::Transient), None);
        q.release(Some(5));
        assert_eq!(q.available(), 7);
        assert_eq!(q.acquire(RetryKind::Timeout), None);
        q.release(None);
        q.release(None);
        q.release(None);
        assert_eq!(q.acquire(RetryKind::Timeout), Some(10));
    }

    #[test]
    fn skew_needs_a_skew_code_and_four_minutes() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let ahead = "Tue, 14 Nov 2023 22:23:20 GMT"; // now + 600 s
        assert_eq!(
            clock_skew("RequestTimeTooSkewed", Some(ahead), now),
            Some(600)
        );
        assert_eq!(clock_skew("AccessDenied", Some(ahead), now), None);
        assert_eq!(
            clock_skew(
                "SignatureDoesNotMatch",
                Some("Tue, 14 Nov 2023 22:14:20 GMT"),
                now
            ),
            None
        );
    }
}
