//! CloudWatch Logs' one input customization, as botocore applies it: CreateExportTask's
//! `from` (a keyword in many languages) is also taken as `fromTime`.
//!
//! Owns that alias; `customize` registers it.

use super::{CallContext, Notes};
use crate::error::Error;
use inia_model::Operation;
use serde_json::Value;

pub(crate) fn from_alias(
    ctx: &CallContext<'_>,
    op: &Operation,
    params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    super::alias(ctx, op, params, "from", "fromTime")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn from_time_is_from() {
        let m = crate::customize::testing::model(
            "CloudWatch Logs",
            "json",
            json!({"CreateExportTask": {"name": "CreateExportTask",
                "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "In"}}}),
            json!({"In": {"type": "structure", "members": {
                "from": {"shape": "T"}, "to": {"shape": "T"}}}, "T": {"type": "long"}}),
        );
        let (v, _) = crate::customize::testing::params(
            &m,
            "CreateExportTask",
            json!({"fromTime": 1, "to": 2}),
        )
        .unwrap();
        assert_eq!(v, json!({"to": 2, "from": 1}));
    }
}
