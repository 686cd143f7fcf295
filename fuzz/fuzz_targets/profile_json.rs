#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| notewright::fuzz_targets::profile_json(data));
