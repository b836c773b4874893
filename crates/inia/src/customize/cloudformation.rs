//! CloudFormation's one output customization, as botocore applies it: GetTemplate's
//! `TemplateBody`, when it is a JSON template, is given parsed (an object, keys in the
//! template's order); a YAML template stays text.
//!
//! Owns that rewrite; `customize` registers it.

use super::Notes;
use inia_model::{Operation, ServiceModel};
use serde_json::Value;

pub(crate) fn decode_template_body(_: &ServiceModel, _: &Operation, _: &Notes, v: &mut Value) {
    if let Some(body) = v.get_mut("TemplateBody") {
        if let Some(parsed) = body
            .as_str()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
        {
            *body = parsed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_templates_are_parsed_and_yaml_stays_text() {
        let n = Notes::default();
        let m = crate::customize::testing::model(
            "CloudFormation",
            "query",
            json!({"GetTemplate": {"name": "GetTemplate", "http": {"method": "POST", "requestUri": "/"}}}),
            json!({}),
        );
        let out = crate::customize::testing::output(
            &m,
            "GetTemplate",
            &n,
            json!({"TemplateBody": "{\"Z\": 1, \"A\": {\"B\": [true]}}"}),
        );
        assert_eq!(out["TemplateBody"], json!({"Z": 1, "A": {"B": [true]}}));
        let keys: Vec<&String> = out["TemplateBody"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Z", "A"], "the template's order");
        let yaml = json!({"TemplateBody": "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"});
        assert_eq!(
            crate::customize::testing::output(&m, "GetTemplate", &n, yaml.clone()),
            yaml
        );
    }
}
