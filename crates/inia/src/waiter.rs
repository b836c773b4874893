//! Waiters driven by `waiters-2.json`: poll an operation until an acceptor says success or
//! failure, or attempts run out.
//!
//! Matchers: `path` (the expression's value equals `expected`), `pathAll` (a non-empty list
//! whose items all equal it), `pathAny` (any item equals it), `status` (the HTTP status),
//! `error` (the error code; `true`/`false` mean any error / no error). Acceptors are tried
//! in order; the first match decides. An error that no acceptor expects ends the wait.
//! `delay` and `maxAttempts` come from the spec and may be overridden.
//!
//! Owns acceptor evaluation, without I/O. Does not own sleeping or calling (the client's
//! loop, `client_wait`).

use crate::paginate::Expr;
use serde_json::Value;
use std::time::Duration;

/// One attempt's outcome, as acceptors see it.
#[derive(Debug, Clone, Copy)]
pub enum Attempt<'a> {
    /// The call succeeded.
    Success {
        /// The HTTP status.
        status: u16,
        /// The parsed output.
        output: &'a Value,
    },
    /// The service answered with an error.
    Error {
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: &'a str,
    },
}

/// What to do after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A success acceptor matched: stop waiting.
    Success,
    /// A failure acceptor matched: the reason says which.
    Failure(String),
    /// Wait and try again.
    Retry,
    /// An error no acceptor expects.
    UnexpectedError,
}

#[derive(Debug, Clone)]
enum Matcher {
    Path(Expr),
    PathAll(Expr),
    PathAny(Expr),
    Status,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Success,
    Failure,
    Retry,
}

#[derive(Debug, Clone)]
struct Acceptor {
    matcher: Matcher,
    expected: Value,
    state: State,
}

/// One waiter.
#[derive(Debug, Clone)]
pub struct Waiter {
    /// The waiter's name (`InstanceRunning`).
    pub name: String,
    /// The operation it calls.
    pub operation: String,
    /// The pause between attempts.
    pub delay: Duration,
    /// Attempts before giving up.
    pub max_attempts: u32,
    acceptors: Vec<Acceptor>,
}

/// A waiter spec is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("waiter {name}: {message}")]
pub struct WaiterSpecError {
    /// The waiter.
    pub name: String,
    /// What is wrong with its spec.
    pub message: String,
}

impl Waiter {
    /// Build from one entry of `waiters-2.json`'s `waiters` object.
    pub fn from_spec(name: &str, spec: &Value) -> Result<Waiter, WaiterSpecError> {
        let err = |message: String| WaiterSpecError {
            name: name.to_string(),
            message,
        };
        let operation = spec["operation"]
            .as_str()
            .ok_or_else(|| err("no operation".into()))?;
        let mut acceptors = Vec::new();
        for (i, a) in spec["acceptors"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let arg = || -> Result<Expr, WaiterSpecError> {
                Expr::compile(a["argument"].as_str().unwrap_or(""))
                    .map_err(|m| err(format!("acceptor {i}: {m}")))
            };
            let matcher = match a["matcher"].as_str() {
                Some("path") => Matcher::Path(arg()?),
                Some("pathAll") => Matcher::PathAll(arg()?),
                Some("pathAny") => Matcher::PathAny(arg()?),
                Some("status") => Matcher::Status,
                Some("error") => Matcher::Error,
                other => return Err(err(format!("acceptor {i}: unknown matcher {other:?}"))),
            };
            let state = match a["state"].as_str() {
                Some("success") => State::Success,
                Some("failure") => State::Failure,
                Some("retry") => State::Retry,
                other => return Err(err(format!("acceptor {i}: unknown state {other:?}"))),
            };
            acceptors.push(Acceptor {
                matcher,
                expected: a["expected"].clone(),
                state,
            });
        }
        if acceptors.is_empty() {
            return Err(err("no acceptors".into()));
        }
        let delay = spec["delay"].as_f64().filter(|d| *d >= 0.0).unwrap_or(15.0);
        let delay = Duration::try_from_secs_f64(delay)
            .map_err(|_| err(format!("delay {delay} s is too large to wait for")))?;
        let max_attempts = spec["maxAttempts"]
            .as_u64()
            .map_or(40, |m| m.clamp(1, u64::from(u32::MAX)) as u32);
        Ok(Waiter {
            name: name.to_string(),
            operation: operation.to_string(),
            delay,
            max_attempts,
            acceptors,
        })
    }

    /// The waiter named `name` in a `waiters-2.json`.
    pub fn from_file(file: &Value, name: &str) -> Result<Option<Waiter>, WaiterSpecError> {
        match file["waiters"].get(name) {
            Some(spec) => Waiter::from_spec(name, spec).map(Some),
            None => Ok(None),
        }
    }

    /// Decide after one attempt.
    pub fn decide(&self, attempt: Attempt<'_>) -> Decision {
        for a in &self.acceptors {
            if matches(a, attempt) {
                return match a.state {
                    State::Success => Decision::Success,
                    State::Retry => Decision::Retry,
                    State::Failure => Decision::Failure(describe(a)),
                };
            }
        }
        match attempt {
            Attempt::Error { .. } => Decision::UnexpectedError,
            Attempt::Success { .. } => Decision::Retry,
        }
    }
}

fn describe(a: &Acceptor) -> String {
    let what = match &a.matcher {
        Matcher::Path(e) => format!("{} == {}", e.text(), a.expected),
        Matcher::PathAll(e) => format!("all of {} == {}", e.text(), a.expected),
        Matcher::PathAny(e) => format!("any of {} == {}", e.text(), a.expected),
        Matcher::Status => format!("HTTP status {}", a.expected),
        Matcher::Error => format!("error {}", a.expected),
    };
    format!("a failure state was reached ({what})")
}

fn eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn matches(a: &Acceptor, attempt: Attempt<'_>) -> bool {
    match (&a.matcher, attempt) {
        (Matcher::Status, Attempt::Success { status, .. } | Attempt::Error { status, .. }) => {
            a.expected.as_u64() == Some(u64::from(status))
        }
        (Matcher::Error, Attempt::Error { code, .. }) => match &a.expected {
            Value::Bool(b) => *b,
            Value::String(s) => s == code,
            _ => false,
        },
        (Matcher::Error, Attempt::Success { .. }) => a.expected == Value::Bool(false),
        (_, Attempt::Error { .. }) => false,
        (Matcher::Path(e), Attempt::Success { output, .. }) => eq(&e.search(output), &a.expected),
        (Matcher::PathAll(e), Attempt::Success { output, .. }) => match e.search(output) {
            Value::Array(items) => !items.is_empty() && items.iter().all(|v| eq(v, &a.expected)),
            _ => false,
        },
        (Matcher::PathAny(e), Attempt::Success { output, .. }) => match e.search(output) {
            Value::Array(items) => items.iter().any(|v| eq(v, &a.expected)),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot_completed() -> Waiter {
        let file = inia_model::SpecPath::embedded_only()
            .load_json("ec2", "waiters-2")
            .unwrap()
            .unwrap();
        Waiter::from_file(&file, "SnapshotCompleted")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn snapshot_completed_acceptors() {
        let w = snapshot_completed();
        assert_eq!(w.operation, "DescribeSnapshots");
        let ok = json!({"Snapshots": [{"State": "completed"}, {"State": "completed"}]});
        let pending = json!({"Snapshots": [{"State": "completed"}, {"State": "pending"}]});
        let failed = json!({"Snapshots": [{"State": "error"}]});
        assert_eq!(
            w.decide(Attempt::Success {
                status: 200,
                output: &ok
            }),
            Decision::Success
        );
        assert_eq!(
            w.decide(Attempt::Success {
                status: 200,
                output: &pending
            }),
            Decision::Retry
        );
        assert!(matches!(
            w.decide(Attempt::Success {
                status: 200,
                output: &failed
            }),
            Decision::Failure(_)
        ));
        assert_eq!(
            w.decide(Attempt::Error {
                status: 400,
                code: "Boom"
            }),
            Decision::UnexpectedError
        );
    }

    #[test]
    fn a_delay_too_large_to_wait_for_is_an_error() {
        let spec = json!({"operation": "DescribeSnapshots", "delay": 1e300,
            "acceptors": [{"matcher": "status", "expected": 200, "state": "success"}]});
        let e = Waiter::from_spec("w", &spec).err().map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|m| m.contains("too large")),
            "{e:?}"
        );
    }

    #[test]
    fn every_shipped_waiter_builds() {
        let specs = inia_model::SpecPath::embedded_only();
        let mut n = 0;
        for svc in specs.services() {
            if let Some(file) = specs.load_json(&svc, "waiters-2").unwrap() {
                for name in file["waiters"].as_object().unwrap().keys() {
                    Waiter::from_file(&file, name).unwrap().unwrap();
                    n += 1;
                }
            }
        }
        assert!(n > 40, "{n}");
    }

    #[test]
    fn error_and_status_matchers() {
        let w = Waiter::from_spec(
            "BucketExists",
            &json!({"operation": "HeadBucket", "delay": 5, "maxAttempts": 20,
            "acceptors": [{"expected": 200, "matcher": "status", "state": "success"},
                          {"expected": 404, "matcher": "status", "state": "retry"},
                          {"expected": "NoSuchThing", "matcher": "error", "state": "failure"}]}),
        )
        .unwrap();
        let v = json!({});
        assert_eq!(
            w.decide(Attempt::Success {
                status: 200,
                output: &v
            }),
            Decision::Success
        );
        assert_eq!(
            w.decide(Attempt::Error {
                status: 404,
                code: "NotFound"
            }),
            Decision::Retry
        );
        assert!(matches!(
            w.decide(Attempt::Error {
                status: 400,
                code: "NoSuchThing"
            }),
            Decision::Failure(_)
        ));
        assert_eq!(w.delay, Duration::from_secs(5));
    }
}
