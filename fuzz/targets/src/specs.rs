//! The service models the protocol targets run against, loaded once per process: the
//! specs embedded in `inia-model` (from `service-specs/`), and three small models written
//! for these targets (`fuzz/targets/specs/`): a `rest-json` one, `Workshop`, since no
//! embedded service speaks rest-json, a `json` one, `Feeds`, with an event stream, and a
//! `smithy-rpc-v2-cbor` one, `Gauges`.
//!
//! Owns which models exist here and caching them. Does not own the operations chosen
//! from them (see `parse` and `serialize`).

use inia_model::{ServiceModel, SpecPath};
use std::sync::OnceLock;

/// A hand-written rest-json model: labels, query strings, headers, status code, payload
/// members (structure, blob, stream), unions, documents, recursion, an event stream.
pub const WORKSHOP_REST_JSON: &str = include_str!("../specs/workshop-rest-json.json");

/// A hand-written json (1.1) model whose one operation answers with an event stream and
/// an `initial-response`.
pub const FEEDS_JSON: &str = include_str!("../specs/feeds-json.json");

/// A hand-written smithy-rpc-v2-cbor model: every scalar type, lists, dense and sparse
/// maps, recursion, a union, modeled errors. Its operation and member names are those of
/// the Smithy rpcv2Cbor protocol tests, so their bodies (`cargo xtask fuzz` seeds its
/// working corpus with them) are read member by member.
pub const GAUGES_CBOR: &str = include_str!("../specs/gauges-cbor.json");

/// The models a target can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    Iam,
    Sts,
    Sns,
    Ec2,
    DynamoDb,
    Sqs,
    S3,
    AzureBlob,
    Workshop,
    Feeds,
    Gauges,
}

impl Spec {
    pub const ALL: &'static [Spec] = &[
        Spec::Iam,
        Spec::Sts,
        Spec::Sns,
        Spec::Ec2,
        Spec::DynamoDb,
        Spec::Sqs,
        Spec::S3,
        Spec::AzureBlob,
        Spec::Workshop,
        Spec::Feeds,
        Spec::Gauges,
    ];

    fn load(self) -> Result<ServiceModel, String> {
        let embedded = |name: &str| {
            SpecPath::embedded_only()
                .load_service(name)
                .map_err(|e| e.to_string())
        };
        match self {
            Spec::Iam => embedded("iam"),
            Spec::Sts => embedded("sts"),
            Spec::Sns => embedded("sns"),
            Spec::Ec2 => embedded("ec2"),
            Spec::DynamoDb => embedded("dynamodb"),
            Spec::Sqs => embedded("sqs"),
            Spec::S3 => embedded("s3"),
            Spec::AzureBlob => embedded("azure-blob"),
            Spec::Workshop => ServiceModel::from_static(WORKSHOP_REST_JSON, "workshop-rest-json")
                .map_err(|e| e.to_string()),
            Spec::Feeds => {
                ServiceModel::from_static(FEEDS_JSON, "feeds-json").map_err(|e| e.to_string())
            }
            Spec::Gauges => {
                ServiceModel::from_static(GAUGES_CBOR, "gauges-cbor").map_err(|e| e.to_string())
            }
        }
    }

    fn cell(self) -> &'static OnceLock<Result<ServiceModel, String>> {
        static CELLS: [OnceLock<Result<ServiceModel, String>>; 11] = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        &CELLS[self as usize]
    }

    /// The model, loaded on first use; the error says why it would not load (a bug of
    /// these targets, which the crate's tests catch).
    pub fn model(self) -> Result<&'static ServiceModel, &'static str> {
        self.cell()
            .get_or_init(|| self.load())
            .as_ref()
            .map_err(String::as_str)
    }
}

/// One operation of one model.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub spec: Spec,
    pub operation: &'static str,
}

/// Shorthand for a table of cases.
pub(crate) const fn case(spec: Spec, operation: &'static str) -> Case {
    Case { spec, operation }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_loads() {
        for spec in Spec::ALL {
            let model = spec.model().unwrap_or_else(|e| panic!("{spec:?}: {e}"));
            for name in model.operation_names() {
                model.operation(name).unwrap();
            }
        }
        assert_eq!(Spec::ALL.len(), 11);
    }
}
