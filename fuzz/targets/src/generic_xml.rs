//! The generic XML target: any bytes as an XML document, turned into a value with no
//! shape (`inia_protocol::generic_xml`, the fallback for undescribed XML). Both entry
//! points must agree.
//!
//! Owns nothing but the call. Does not own the conversion (inia-protocol).

use inia_protocol::generic_xml;

/// Convert the document `data` holds.
pub fn xml(data: &[u8]) {
    let with_root = generic_xml::to_value_with_root(data);
    let plain = generic_xml::to_value(data);
    match (with_root, plain) {
        (Ok((_, a)), Ok(b)) => assert_eq!(a, b, "to_value is to_value_with_root's value"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("the two entry points disagree: {a:?} / {b:?}"),
    }
}
