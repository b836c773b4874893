//! Names as the AWS CLI spells them: `DescribeKeyPairs` → `describe-key-pairs`,
//! `MaxResults` → `max-results` (botocore's `xform_name`), and the loose key used to
//! match what a user typed against model names.
//!
//! Owns name conversion. Does not own lookups (see `run`, `params`).

use regex_lite::Regex;
use std::sync::OnceLock;

/// botocore's `xform_name(name, '-')`.
pub fn kebab(name: &str) -> String {
    static RES: OnceLock<Option<[Regex; 3]>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        Some([
            Regex::new("[A-Z]{2,}s$").ok()?,
            Regex::new("(.)([A-Z][a-z]+)").ok()?,
            Regex::new("([a-z0-9])([A-Z])").ok()?,
        ])
    });
    let Some([special, first, end]) = res else {
        return name.to_ascii_lowercase();
    };
    if name.contains('-') {
        return name.to_string();
    }
    let mut name = name.to_string();
    if let Some(m) = special.find(&name) {
        let matched = m.as_str().to_ascii_lowercase();
        name = format!("{}-{}", &name[..m.start()], matched);
    }
    let s1 = first.replace_all(&name, "${1}-${2}");
    end.replace_all(&s1, "${1}-${2}").to_ascii_lowercase()
}

/// The key names are matched by: lower case, without `-` and `_`.
pub fn loose(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_like_botocore() {
        assert_eq!(kebab("DescribeKeyPairs"), "describe-key-pairs");
        assert_eq!(kebab("MaxResults"), "max-results");
        assert_eq!(kebab("DryRun"), "dry-run");
        assert_eq!(kebab("DBInstanceIdentifier"), "db-instance-identifier");
        assert_eq!(kebab("ListObjectsV2"), "list-objects-v2");
        assert_eq!(kebab("VpcIds"), "vpc-ids");
        assert_eq!(kebab("TagARNs"), "tag-arns");
        assert_eq!(kebab("GetCallerIdentity"), "get-caller-identity");
        assert_eq!(loose("describe-key_pairs"), "describekeypairs");
    }
}
