//! Compile the shipped S3 rule set in a loop (for profiling the compiler).
fn main() {
    let text = include_str!("../../../service-specs/s3/2006-03-01/endpoint-rule-set-1.json");
    let t = std::time::Instant::now();
    for _ in 0..200 {
        std::hint::black_box(inia_endpoint::RuleSet::from_text(text, "s3").ok());
    }
    println!("{:?} per compile", t.elapsed() / 200);
    let t = std::time::Instant::now();
    for _ in 0..200 {
        std::hint::black_box(serde_json::from_str::<serde_json::Value>(text).ok());
    }
    println!("{:?} per parse to a value", t.elapsed() / 200);
}
