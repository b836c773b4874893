#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| inia_fuzz_targets::parse_cbor(data));
