//! A member reference seen together with its target shape: serialization traits set on
//! the member override the same traits on the shape. Owns that merge; does not own any
//! protocol's use of it.

use crate::error::ProtocolError;
use inia_model::{Member, ServiceModel, Shape, ShapeType, TimestampFormat, XmlNamespace};
use std::sync::Arc;

/// A member and its resolved shape.
#[derive(Debug, Clone)]
pub struct MemberRef<'a> {
    pub member: &'a Member,
    pub shape: Arc<Shape>,
}

impl<'a> MemberRef<'a> {
    pub fn resolve(
        model: &ServiceModel,
        member: &'a Member,
        referrer: &str,
    ) -> Result<Self, ProtocolError> {
        Ok(MemberRef {
            member,
            shape: model.target(member, referrer)?,
        })
    }

    pub fn kind(&self) -> ShapeType {
        self.shape.kind
    }

    /// The shape's name in the model.
    pub fn shape_name(&self) -> &str {
        &self.member.shape
    }

    /// `locationName` of the member, else of the shape.
    pub fn location_name(&self) -> Option<&str> {
        self.member
            .location_name
            .as_deref()
            .or(self.shape.location_name.as_deref())
    }

    pub fn flattened(&self) -> bool {
        self.member.flattened.unwrap_or(self.shape.flattened)
    }

    pub fn xml_namespace(&self) -> Option<&XmlNamespace> {
        self.member
            .xml_namespace
            .as_ref()
            .or(self.shape.xml_namespace.as_ref())
    }

    pub fn timestamp_format(&self) -> Option<TimestampFormat> {
        self.member.timestamp_format.or(self.shape.timestamp_format)
    }

    pub fn json_value(&self) -> bool {
        self.member.json_value || self.shape.json_value
    }

    /// Where the member travels: the member's `location`, else the shape's (legacy).
    pub fn location(&self) -> Option<inia_model::Location> {
        self.member.location.or(self.shape.location)
    }

    /// The payload member of an operation's input: named on the reference (legacy) or on
    /// the shape.
    pub fn payload(&self) -> Option<&str> {
        self.member
            .payload
            .as_deref()
            .or(self.shape.payload.as_deref())
    }

    pub fn streaming(&self) -> bool {
        self.member.streaming || self.shape.streaming
    }
}
