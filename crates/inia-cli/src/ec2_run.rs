//! The arguments the AWS CLI adds to `ec2 run-instances` by hand, with the rules its
//! customizations apply (read from awscli's `ec2/addcount.py` and `ec2/runinstances.py`;
//! the code is written afresh):
//! - `--count N` or `--count MIN:MAX` replaces `--min-count` and `--max-count` (which are
//!   not offered); a count not given is 1 for both, also when `--cli-input-json` gave none;
//! - `--secondary-private-ip-addresses IP...`, `--secondary-private-ip-address-count N` and
//!   `--associate-public-ip-address` / `--no-associate-public-ip-address` build the first
//!   network interface (`NetworkInterfaces[0]`, device index 0); they cannot be mixed with
//!   `--network-interfaces`;
//! - when that first interface carries private addresses, a secondary address count or a
//!   public-address choice, the top-level `SubnetId`, `SecurityGroupIds`,
//!   `PrivateIpAddress`, `Ipv6AddressCount`, `Ipv6Addresses` and `EnablePrimaryIpv6` move
//!   into it (EC2 refuses them beside a network interface).
//!
//! Owns those arguments and their effect on the parameters. Does not own parsing the
//! command line (see `params`).

use crate::error::CliError;
use crate::params::Param;
use inia::model::{Operation, ServiceModel, Shape};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// One hand-added argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Custom {
    /// `--count N|MIN:MAX`.
    Count,
    /// `--secondary-private-ip-addresses IP...`.
    SecondaryAddresses,
    /// `--secondary-private-ip-address-count N`.
    SecondaryCount,
    /// `--associate-public-ip-address` / `--no-associate-public-ip-address`.
    AssociatePublicIp,
}

/// What the words of the hand-added arguments said.
#[derive(Debug, Default)]
pub struct Given {
    pub count: Option<String>,
    pub addresses: Option<Vec<String>>,
    pub address_count: Option<String>,
    pub public_ip: Option<bool>,
}

impl Given {
    /// Record the words of one hand-added argument (`on` is false for the `--no-` form).
    pub fn set(&mut self, which: Custom, words: Vec<String>, on: bool) {
        match which {
            Custom::Count => self.count = words.into_iter().next(),
            Custom::SecondaryAddresses => self.addresses = Some(words),
            Custom::SecondaryCount => self.address_count = words.into_iter().next(),
            Custom::AssociatePublicIp => self.public_ip = Some(on),
        }
    }
}

/// True for the operation these arguments belong to.
pub fn applies(model: &ServiceModel, op: &Operation) -> bool {
    model.metadata().service_id.as_deref() == Some("EC2") && op.name == "RunInstances"
}

fn synthetic(kind: &str) -> Result<Arc<Shape>, CliError> {
    serde_json::from_value::<Shape>(json!({ "type": kind }))
        .map(Arc::new)
        .map_err(|e| CliError::other(e.to_string()))
}

/// The arguments of `run-instances`: the model's, without `--min-count` and
/// `--max-count`, then the hand-added ones.
pub fn adjust(params: &mut Vec<Param>) -> Result<(), CliError> {
    params.retain(|p| p.member != "MinCount" && p.member != "MaxCount");
    let added = [
        ("count", "Count", Custom::Count, "string"),
        (
            "secondary-private-ip-addresses",
            "SecondaryPrivateIpAddresses",
            Custom::SecondaryAddresses,
            "list",
        ),
        (
            "secondary-private-ip-address-count",
            "SecondaryPrivateIpAddressCount",
            Custom::SecondaryCount,
            "integer",
        ),
        (
            "associate-public-ip-address",
            "AssociatePublicIpAddress",
            Custom::AssociatePublicIp,
            "boolean",
        ),
    ];
    for (flag, member, custom, kind) in added {
        params.push(Param {
            member: format!("__custom_{member}"),
            flag: flag.to_string(),
            shape: synthetic(kind)?,
            required: false,
            negatable: custom == Custom::AssociatePublicIp,
            upload: false,
            nested: None,
            no_flag: format!("no-{flag}"),
            custom: Some(custom),
        });
    }
    Ok(())
}

/// Apply the hand-added arguments to `params` (the command line's members and those of
/// `--cli-input-json`, merged), then the defaults and moves the AWS CLI makes before the
/// call.
pub fn apply(params: &mut Map<String, Value>, given: Given) -> Result<(), CliError> {
    let scalar_options = given.addresses.as_ref().is_some_and(|a| !a.is_empty())
        || given.address_count.is_some()
        || given.public_ip == Some(true);
    if scalar_options && params.contains_key("NetworkInterfaces") {
        return Err(CliError::usage(
            "Mixing the --network-interfaces option with the simple, scalar options is not supported.",
        ));
    }
    if let Some(text) = &given.count {
        let (min, max) = count(text)?;
        params.insert("MinCount".into(), Value::from(min));
        params.insert("MaxCount".into(), Value::from(max));
    }
    if let Some(addresses) = given.addresses.filter(|a| !a.is_empty()) {
        let list = addresses
            .into_iter()
            .map(|a| json!({"PrivateIpAddress": a, "Primary": false}))
            .collect();
        let first = first_interface(params)?;
        if !first.contains_key("PrivateIpAddresses") {
            first.insert("PrivateIpAddresses".into(), Value::Array(list));
        }
    }
    if let Some(text) = &given.address_count {
        let n: i64 = text.trim().parse().map_err(|_| {
            CliError::usage(format!(
                "argument --secondary-private-ip-address-count: invalid int value: '{text}'"
            ))
        })?;
        // As the AWS CLI: a count of 0 adds nothing.
        if n != 0 {
            first_interface(params)?.insert("SecondaryPrivateIpAddressCount".into(), n.into());
        }
    }
    if let Some(b) = given.public_ip {
        first_interface(params)?.insert("AssociatePublicIpAddress".into(), Value::Bool(b));
    }
    params.entry("MaxCount").or_insert_with(|| Value::from(1));
    params.entry("MinCount").or_insert_with(|| Value::from(1));
    move_into_interface(params);
    Ok(())
}

/// `N` or `MIN:MAX`.
fn count(text: &str) -> Result<(i64, i64), CliError> {
    let bad = || {
        CliError::usage(format!(
            "argument --count: count parameter should be of form min[:max] (e.g. 1 or 1:10), got '{text}'"
        ))
    };
    let number = |s: &str| s.trim().parse::<i64>().map_err(|_| bad());
    match text.split(':').collect::<Vec<_>>().as_slice() {
        [one] => number(one).map(|n| (n, n)),
        [min, max] => Ok((number(min)?, number(max)?)),
        _ => Err(bad()),
    }
}

/// `NetworkInterfaces[0]`, created as `{"DeviceIndex": 0}` when there is none.
fn first_interface(params: &mut Map<String, Value>) -> Result<&mut Map<String, Value>, CliError> {
    let list = params
        .entry("NetworkInterfaces")
        .or_insert_with(|| json!([{"DeviceIndex": 0}]));
    list.as_array_mut()
        .and_then(|l| l.first_mut())
        .and_then(Value::as_object_mut)
        .ok_or_else(|| CliError::usage("--network-interfaces must be a list of structures"))
}

/// The members EC2 takes only inside the network interface, when the first interface is
/// one the simple options describe.
fn move_into_interface(params: &mut Map<String, Value>) {
    const MARKS: [&str; 3] = [
        "PrivateIpAddresses",
        "SecondaryPrivateIpAddressCount",
        "AssociatePublicIpAddress",
    ];
    let marked = params
        .get("NetworkInterfaces")
        .and_then(|l| l.get(0))
        .and_then(Value::as_object)
        .is_some_and(|first| MARKS.iter().any(|k| first.contains_key(*k)));
    if !marked {
        return;
    }
    let mut moved = Map::new();
    for (from, to) in [
        ("SubnetId", "SubnetId"),
        ("SecurityGroupIds", "Groups"),
        ("Ipv6AddressCount", "Ipv6AddressCount"),
        ("Ipv6Addresses", "Ipv6Addresses"),
        ("EnablePrimaryIpv6", "PrimaryIpv6"),
    ] {
        if let Some(v) = params.shift_remove(from) {
            moved.insert(to.to_string(), v);
        }
    }
    if let Some(ip) = params.shift_remove("PrivateIpAddress") {
        moved.insert(
            "PrivateIpAddresses".into(),
            json!([{"PrivateIpAddress": ip, "Primary": true}]),
        );
    }
    if let Some(first) = params
        .get_mut("NetworkInterfaces")
        .and_then(|l| l.get_mut(0))
        .and_then(Value::as_object_mut)
    {
        first.extend(moved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn count_forms_and_default() {
        let mut p = object(json!({"ImageId": "ami-1"}));
        apply(&mut p, Given::default()).unwrap();
        assert_eq!(
            Value::Object(p),
            json!({"ImageId": "ami-1", "MaxCount": 1, "MinCount": 1})
        );
        let mut p = Map::new();
        let given = Given {
            count: Some("2:5".into()),
            ..Given::default()
        };
        apply(&mut p, given).unwrap();
        assert_eq!(
            (p["MinCount"].clone(), p["MaxCount"].clone()),
            (json!(2), json!(5))
        );
        let mut p = Map::new();
        let given = Given {
            count: Some("3".into()),
            ..Given::default()
        };
        apply(&mut p, given).unwrap();
        assert_eq!(
            (p["MinCount"].clone(), p["MaxCount"].clone()),
            (json!(3), json!(3))
        );
        for bad in ["x", "1:2:3", "1:", ""] {
            let given = Given {
                count: Some(bad.into()),
                ..Given::default()
            };
            let e = apply(&mut Map::new(), given).unwrap_err();
            assert_eq!(e.code, 252, "{bad}");
            assert!(e.message.contains("--count"), "{}", e.message);
        }
    }

    #[test]
    fn simple_options_build_the_first_interface_and_move_members_in() {
        let mut p = object(json!({
            "SubnetId": "subnet-1",
            "SecurityGroupIds": ["sg-1"],
            "PrivateIpAddress": "10.0.0.4"
        }));
        let given = Given {
            addresses: Some(vec!["10.0.0.5".into(), "10.0.0.6".into()]),
            address_count: Some("2".into()),
            public_ip: Some(true),
            ..Given::default()
        };
        apply(&mut p, given).unwrap();
        assert_eq!(
            Value::Object(p),
            json!({
                "NetworkInterfaces": [{
                    "DeviceIndex": 0,
                    "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.4", "Primary": true}],
                    "SecondaryPrivateIpAddressCount": 2,
                    "AssociatePublicIpAddress": true,
                    "SubnetId": "subnet-1",
                    "Groups": ["sg-1"]
                }],
                "MaxCount": 1,
                "MinCount": 1
            })
        );
        // Without a marked interface nothing moves.
        let mut p = object(json!({"SubnetId": "subnet-1"}));
        apply(&mut p, Given::default()).unwrap();
        assert_eq!(p["SubnetId"], "subnet-1");
        let mut p = object(json!({"NetworkInterfaces": [{"DeviceIndex": 0}]}));
        let given = Given {
            public_ip: Some(true),
            ..Given::default()
        };
        assert_eq!(apply(&mut p, given).unwrap_err().code, 252);
    }
}
