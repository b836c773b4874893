//! Protocol-layer benchmarks: model loading, XML to value, serializing a large request.

use crate::{median, ms};
use inia_model::{Root, SpecPath};
use inia_protocol::{generic_xml, parse, serialize_operation};
use serde_json::{json, Value};
use std::time::Duration;

/// A DescribeInstances response of about `target` bytes, shaped like EC2's.
pub fn describe_instances_xml(target: usize) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
"#,
    );
    let mut i = 0u32;
    while s.len() < target {
        s.push_str(&format!(r#"        <item>
            <reservationId>r-{i:017x}</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-{i:017x}</instanceId>
                    <imageId>ami-0abcdef1234567890</imageId>
                    <instanceState><code>16</code><name>running</name></instanceState>
                    <privateDnsName>ip-10-0-{a}-{b}.ec2.internal</privateDnsName>
                    <dnsName>ec2-54-0-{a}-{b}.compute-1.amazonaws.com</dnsName>
                    <reason/>
                    <keyName>my-key &amp; pair</keyName>
                    <amiLaunchIndex>0</amiLaunchIndex>
                    <productCodes/>
                    <instanceType>t3.micro</instanceType>
                    <launchTime>2026-11-23T10:{m:02}:00.000Z</launchTime>
                    <placement><availabilityZone>us-east-1d</availabilityZone><groupName/><tenancy>default</tenancy></placement>
                    <monitoring><state>disabled</state></monitoring>
                    <subnetId>subnet-0123456789abcdef0</subnetId>
                    <vpcId>vpc-0123456789abcdef0</vpcId>
                    <privateIpAddress>10.0.{a}.{b}</privateIpAddress>
                    <ipAddress>54.0.{a}.{b}</ipAddress>
                    <sourceDestCheck>true</sourceDestCheck>
                    <groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>default</groupName></item></groupSet>
                    <architecture>x86_64</architecture>
                    <rootDeviceType>ebs</rootDeviceType>
                    <rootDeviceName>/dev/xvda</rootDeviceName>
                    <blockDeviceMapping>
                        <item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-{i:017x}</volumeId><status>attached</status><attachTime>2026-11-23T10:00:01.000Z</attachTime><deleteOnTermination>true</deleteOnTermination></ebs></item>
                    </blockDeviceMapping>
                    <virtualizationType>hvm</virtualizationType>
                    <clientToken/>
                    <tagSet>
                        <item><key>Name</key><value>web-{i}</value></item>
                        <item><key>env</key><value>prod</value></item>
                    </tagSet>
                    <hypervisor>xen</hypervisor>
                    <ebsOptimized>false</ebsOptimized>
                    <enaSupport>true</enaSupport>
                    <cpuOptions><coreCount>1</coreCount><threadsPerCore>2</threadsPerCore></cpuOptions>
                </item>
            </instancesSet>
        </item>
"#, a = i / 250 % 250, b = i % 250, m = i % 60));
        i += 1;
    }
    s.push_str("    </reservationSet>\n</DescribeInstancesResponse>\n");
    s.into_bytes()
}

fn tokenize(xml: &[u8]) -> usize {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            Ok(_) => n += 1,
        }
    }
    n
}

fn big_run_instances() -> Value {
    let tags: Vec<Value> = (0..50).map(|i| json!({"Key": format!("key-{i}"), "Value": format!("value {i} with spaces & symbols")})).collect();
    let bdm: Vec<Value> = (0..20)
        .map(|i| json!({"DeviceName": format!("/dev/sd{}", (b'b' + i as u8) as char),
                        "Ebs": {"VolumeSize": 100 + i, "VolumeType": "gp3", "DeleteOnTermination": true, "Iops": 3000, "Encrypted": true}}))
        .collect();
    let nics: Vec<Value> = (0..8)
        .map(|i| json!({"DeviceIndex": i, "SubnetId": "subnet-0123456789abcdef0", "Groups": ["sg-1", "sg-2", "sg-3"],
                        "PrivateIpAddresses": [{"PrivateIpAddress": format!("10.0.0.{i}"), "Primary": true}]}))
        .collect();
    json!({
        "ImageId": "ami-0abcdef1234567890", "MinCount": 2, "MaxCount": 5, "InstanceType": "t3.micro",
        "KeyName": "my-key", "Placement": {"AvailabilityZone": "us-east-1d"},
        "DisableApiTermination": true, "BlockDeviceMappings": bdm, "NetworkInterfaces": nics,
        "TagSpecifications": [{"ResourceType": "instance", "Tags": tags.clone()}, {"ResourceType": "volume", "Tags": tags}],
        "UserData": "IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo=", "ClientToken": "token-123",
    })
}

pub fn run() -> Result<(), String> {
    // (a) ec2 model: load + resolve one operation and its input shape.
    let load_embedded = median(
        || {
            let m = SpecPath::embedded_only()
                .load_service("ec2")
                .expect("ec2 embedded");
            let op = m.operation("RunInstances").expect("op");
            let _ = m
                .target(op.input.as_ref().expect("input"), "RunInstances")
                .expect("shape");
        },
        31,
    );
    let full_parse = median(
        || {
            let v: Value = serde_json::from_str(include_str!(
                "../../service-specs/ec2/2016-11-15/service-2.json"
            ))
            .expect("json");
            std::hint::black_box(v);
        },
        31,
    );
    println!("| ec2 model load (embedded) + RunInstances resolved | {} | full `serde_json::Value` parse of the same file: {} | {:.1}x faster |",
        ms(load_embedded), ms(full_parse), full_parse.as_secs_f64() / load_embedded.as_secs_f64());
    if let Ok(data) = inia_conformance::botocore::wheel_data() {
        let sp = SpecPath::new(vec![Root::Dir(data)]);
        let load_disk = median(
            || {
                let m = sp.load_service("ec2").expect("ec2 from botocore data");
                let op = m.operation("RunInstances").expect("op");
                let _ = m
                    .target(op.input.as_ref().expect("input"), "RunInstances")
                    .expect("shape");
            },
            11,
        );
        println!("| ec2 model load from botocore's data/ (.json.gz, with docs, stripped at load) + RunInstances resolved | {} | | |", ms(load_disk));
    }

    // (b) XML to value.
    let xml = describe_instances_xml(5 << 20);
    let mb = xml.len() as f64 / (1 << 20) as f64;
    let ec2 = SpecPath::embedded_only()
        .load_service("ec2")
        .map_err(|e| e.to_string())?;
    let op = ec2
        .operation("DescribeInstances")
        .map_err(|e| e.to_string())?;
    let headers = http::HeaderMap::new();
    let check = parse(&ec2, &op, 200, &headers, &xml).map_err(|e| e.to_string())?;
    let n = check["Reservations"].as_array().map_or(0, Vec::len);
    let t_tok = median(
        || {
            std::hint::black_box(tokenize(&xml));
        },
        11,
    );
    let t_shaped = median(
        || {
            std::hint::black_box(parse(&ec2, &op, 200, &headers, &xml).ok());
        },
        11,
    );
    let t_generic = median(
        || {
            std::hint::black_box(generic_xml::to_value(&xml).ok());
        },
        11,
    );
    let rate = |d: Duration| mb / d.as_secs_f64();
    println!("| DescribeInstances {mb:.1} MB ({n} reservations) to value, shaped by the ec2 model | {:.0} MB/s ({}) | quick-xml tokenizing only: {:.0} MB/s ({}) | {:.0}% |",
        rate(t_shaped), ms(t_shaped), rate(t_tok), ms(t_tok), 100.0 * t_tok.as_secs_f64() / t_shaped.as_secs_f64());
    println!("| same bytes, generic XML to value (no shape) | {:.0} MB/s ({}) | quick-xml tokenizing only: {:.0} MB/s | {:.0}% |",
        rate(t_generic), ms(t_generic), rate(t_tok), 100.0 * t_tok.as_secs_f64() / t_generic.as_secs_f64());

    // (c) serialize a large RunInstances.
    let params = big_run_instances();
    let run = ec2.operation("RunInstances").map_err(|e| e.to_string())?;
    let req = serialize_operation(&ec2, &run, &params).map_err(|e| e.to_string())?;
    let t_ser = median(
        || {
            std::hint::black_box(serialize_operation(&ec2, &run, &params).ok());
        },
        201,
    );
    let t_val = median(
        || {
            std::hint::black_box(inia_protocol::validate::validate(&ec2, &run, &params).ok());
        },
        201,
    );
    let t_json = median(
        || {
            std::hint::black_box(serde_json::to_vec(&params).ok());
        },
        201,
    );
    println!("| RunInstances with 100 tags, 20 block devices, 8 interfaces: serialize ({} byte body) | {:.1} µs | `serde_json::to_vec` of the same params: {:.1} µs | |",
        req.body().len(), t_ser.as_secs_f64() * 1e6, t_json.as_secs_f64() * 1e6);
    println!(
        "| same params: validate | {:.1} µs | | |",
        t_val.as_secs_f64() * 1e6
    );
    Ok(())
}
