//! Spec files for inia: botocore-format service models (`service-2.json`), paginators
//! and waiters, found along a search path or compiled into the binary.
//!
//! Models are loaded lazily: loading indexes the text, and each shape or operation is
//! parsed the first time it is used. Documentation text is never kept.
//!
//! ```
//! use inia_model::SpecPath;
//! let specs = SpecPath::embedded_only();
//! let sts = specs.load_service("sts")?;
//! let op = sts.operation("GetCallerIdentity")?;
//! assert_eq!(op.http.method, "POST");
//! assert_eq!(sts.parsed_shape_count(), 0);
//! # Ok::<(), inia_model::ModelError>(())
//! ```
//!
//! Owns: file formats, the search path, the shape graph. Does not own: the network,
//! protocols, signing.

mod embedded;
mod error;
mod loader;
mod provider;
mod service;
mod shape;
pub mod template;

pub use error::ModelError;
pub use loader::{deep_merge, read_text, strip_documentation, Root, SpecPath};
pub use provider::{
    fill_template, template_variables, Addressing, ChecksumWhen, Checksums, CredentialSource,
    EndpointRule, KeyNames, ProviderFile, ServiceBinding, Setting, Signing,
};
pub use service::{ClientContextParam, Metadata, Protocol, ServiceModel};
pub use shape::{
    ContextParam, EndpointTrait, ErrorTrait, HttpChecksumTrait, HttpTrait, Location, Member,
    Operation, OperationContextParam, RequestCompressionTrait, RetryableTrait, Shape, ShapeType,
    StaticContextParam, TimestampFormat, XmlNamespace,
};
