//! `inia cloudformation package --template-file T --s3-bucket B [--s3-prefix P]
//! [--output-template-file O] [--use-json] [--force-upload] [--kms-key-id K]
//! [--metadata K=V ...]`, as the AWS CLI packages a template:
//!
//! - the template is JSON, or YAML with the short-form intrinsic functions (read in their
//!   long form, `yaml_load`);
//! - each resource property of the AWS CLI's table (`AWS::Lambda::Function` `Code`,
//!   `AWS::Serverless::Function` `CodeUri`, `AWS::CloudFormation::Stack` `TemplateURL`,
//!   ...) that names a local file or folder (relative to the template's folder; a missing
//!   one, where the table says so, is that folder) is uploaded (`cfn_upload`; folders
//!   zipped, and files zipped too where the resource needs a zip) and replaced by its
//!   `s3://` URL, or by a `{Bucket, Key}` mapping under the property's own names;
//!   a nested stack's template is packaged in turn and uploaded as `<md5>.template`,
//!   referred to by its path-style `https://` URL; `Fn::Transform` `AWS::Include`
//!   locations and the `AWS::ServerlessRepo::Application` readme and license too;
//! - the result is written as YAML (PyYAML's layout, `yaml_dump`) or, with `--use-json`,
//!   JSON indented by 4, to the output file (with the AWS CLI's message) or stdout.
//!
//! Owns the table of artifacts and the template walk. Does not own uploads or zipping
//! (`cfn_upload`) or YAML (`yaml_load`, `yaml_dump`).

use super::cfn_upload::{self, TempFile, Uploader};
use super::yaml_dump::dump;
use super::yaml_load::{load, Node, Tags};
use super::{command_error, key_values, Args};
use crate::error::CliError;
use crate::globals::Globals;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

/// How a property's uploaded artifact is written back.
#[derive(Clone, Copy)]
enum Form {
    /// The `s3://bucket/key` URL.
    Url,
    /// A mapping: names of the bucket, key and (optional) version members.
    Dict(&'static str, &'static str, Option<&'static str>),
    /// A nested template, packaged and referred to by its `https://` URL.
    Template,
}

/// One exportable property: resource type, property path (dotted), whether a missing
/// value means the template's folder, whether a single file is zipped, and its form.
struct Exporter {
    resource: &'static str,
    property: &'static str,
    null_is_folder: bool,
    force_zip: bool,
    form: Form,
}

const fn ex(
    resource: &'static str,
    property: &'static str,
    null_is_folder: bool,
    force_zip: bool,
    form: Form,
) -> Exporter {
    Exporter {
        resource,
        property,
        null_is_folder,
        force_zip,
        form,
    }
}

/// The AWS CLI's list, in its order.
const RESOURCES: &[Exporter] = &[
    ex(
        "AWS::Serverless::Function",
        "CodeUri",
        true,
        true,
        Form::Url,
    ),
    ex(
        "AWS::Serverless::Api",
        "DefinitionUri",
        false,
        false,
        Form::Url,
    ),
    ex(
        "AWS::AppSync::GraphQLSchema",
        "DefinitionS3Location",
        false,
        false,
        Form::Url,
    ),
    ex(
        "AWS::AppSync::Resolver",
        "RequestMappingTemplateS3Location",
        false,
        false,
        Form::Url,
    ),
    ex(
        "AWS::AppSync::Resolver",
        "ResponseMappingTemplateS3Location",
        false,
        false,
        Form::Url,
    ),
    ex(
        "AWS::AppSync::FunctionConfiguration",
        "RequestMappingTemplateS3Location",
        false,
        false,
        Form::Url,
    ),
    ex(
        "AWS::AppSync::FunctionConfiguration",
        "ResponseMappingTemplateS3Location",
        false,
        false,
        Form::Url,
    ),
    ex(
        "AWS::ApiGateway::RestApi",
        "BodyS3Location",
        false,
        false,
        Form::Dict("Bucket", "Key", Some("Version")),
    ),
    ex(
        "AWS::Lambda::Function",
        "Code",
        true,
        true,
        Form::Dict("S3Bucket", "S3Key", Some("S3ObjectVersion")),
    ),
    ex(
        "AWS::ElasticBeanstalk::ApplicationVersion",
        "SourceBundle",
        true,
        false,
        Form::Dict("S3Bucket", "S3Key", None),
    ),
    ex(
        "AWS::CloudFormation::Stack",
        "TemplateURL",
        true,
        false,
        Form::Template,
    ),
    ex(
        "AWS::Serverless::Application",
        "Location",
        true,
        false,
        Form::Template,
    ),
    ex(
        "AWS::Serverless::LayerVersion",
        "ContentUri",
        true,
        true,
        Form::Url,
    ),
    ex(
        "AWS::Lambda::LayerVersion",
        "Content",
        true,
        true,
        Form::Dict("S3Bucket", "S3Key", Some("S3ObjectVersion")),
    ),
    ex(
        "AWS::Glue::Job",
        "Command.ScriptLocation",
        true,
        false,
        Form::Url,
    ),
    ex(
        "AWS::StepFunctions::StateMachine",
        "DefinitionS3Location",
        false,
        false,
        Form::Dict("Bucket", "Key", Some("Version")),
    ),
    ex(
        "AWS::Serverless::StateMachine",
        "DefinitionUri",
        false,
        false,
        Form::Dict("Bucket", "Key", Some("Version")),
    ),
    ex(
        "AWS::CodeCommit::Repository",
        "Code.S3",
        false,
        true,
        Form::Dict("Bucket", "Key", Some("ObjectVersion")),
    ),
];

const METADATA: &[Exporter] = &[
    ex(
        "AWS::ServerlessRepo::Application",
        "ReadmeUrl",
        false,
        false,
        Form::Url,
    ),
    ex(
        "AWS::ServerlessRepo::Application",
        "LicenseUrl",
        false,
        false,
        Form::Url,
    ),
];

pub async fn package(g: &Globals, args: &Args) -> Result<(), CliError> {
    let template = args.get("--template-file").unwrap_or_default();
    if !Path::new(template).is_file() {
        return Err(command_error(format!("Invalid template path {template}")));
    }
    let metadata = key_values(args.list("--metadata"), "metadata")?;
    let uploader = Uploader::new(
        g,
        args.get("--s3-bucket").unwrap_or_default(),
        args.get("--s3-prefix"),
        args.get("--kms-key-id"),
        args.flag("--force-upload"),
        metadata,
    )?;
    let cwd = std::env::current_dir().map_err(|e| CliError::other(e.to_string()))?;
    let exported = export_template(&uploader, &cwd.join(template)).await?;
    let text = if args.flag("--use-json") {
        json_text(&exported)
    } else {
        dump(&exported)
    };
    println!();
    match args.get("--output-template-file") {
        None => print!("{text}"),
        Some(out) => {
            std::fs::write(out, &text).map_err(|e| CliError::other(format!("{out}: {e}")))?;
            let abs = cwd.join(out);
            print!(
                "Successfully packaged artifacts and wrote output template to file {out}.\nExecute the following command to deploy the packaged template\ninia cloudformation deploy --template-file {} --stack-name <YOUR STACK NAME>\n",
                abs.display()
            );
        }
    }
    Ok(())
}

/// JSON indented by 4, non-ASCII kept (Python's `json.dumps(indent=4, ensure_ascii=False)`).
fn json_text(node: &Node) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    let _ = serde::Serialize::serialize(&node.to_json(), &mut ser);
    String::from_utf8_lossy(&buf).into_owned()
}

/// A template read as the AWS CLI reads one: JSON if it parses as JSON, else YAML.
pub fn parse_template(text: &str) -> Result<Node, CliError> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        return Ok(Node::from_json(&v));
    }
    load(text, Tags::CloudFormation)
        .map_err(|e| command_error(format!("cannot read the template: {e}")))
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, CliError>> + 'a>>;

/// The template at `path` with its artifacts uploaded (boxed: nested stacks recurse).
fn export_template<'a>(up: &'a Uploader, path: &'a Path) -> Boxed<'a, Node> {
    Box::pin(async move {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
        let mut t = parse_template(&text)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(Node::Map(meta)) = t.get_mut("Metadata") {
            for (kind, body) in meta.iter_mut() {
                let kind = kind.as_str().unwrap_or_default().to_string();
                for e in METADATA.iter().filter(|e| e.resource == kind) {
                    export_one(up, e, &kind, body, &dir).await?;
                }
            }
        }
        if t.get("Resources").is_none() {
            return Ok(t);
        }
        export_includes(up, &mut t, &dir).await?;
        if let Some(resources) = t.get_mut("Resources") {
            export_resources(up, resources, &dir).await?;
        }
        Ok(t)
    })
}

fn export_resources<'a>(up: &'a Uploader, resources: &'a mut Node, dir: &'a Path) -> Boxed<'a, ()> {
    Box::pin(async move {
        let Node::Map(pairs) = resources else {
            return Ok(());
        };
        for (id, resource) in pairs.iter_mut() {
            let id = id.as_str().unwrap_or_default().to_string();
            if id.starts_with("Fn::ForEach::") {
                match resource {
                    Node::Seq(items) if items.len() == 3 => {
                        export_resources(up, &mut items[2], dir).await?;
                        continue;
                    }
                    _ => {
                        return Err(command_error(format!(
                            "The value of {id} has an invalid \"Fn::ForEach::\" format: Must be a list of three entries"
                        )))
                    }
                }
            }
            let kind = resource
                .get("Type")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string();
            let Some(props) = resource.get_mut("Properties") else {
                continue;
            };
            for e in RESOURCES.iter().filter(|e| e.resource == kind) {
                export_one(up, e, &id, props, dir).await?;
            }
        }
        Ok(())
    })
}

/// Python's truth of a value.
fn truthy(n: Option<&Node>) -> bool {
    match n {
        None | Some(Node::Null | Node::Bool(false) | Node::Int(0)) => false,
        Some(Node::Float(f)) => *f != 0.0,
        Some(Node::Str(s)) => !s.is_empty(),
        Some(Node::Seq(s)) => !s.is_empty(),
        Some(Node::Map(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

fn lookup<'n>(node: &'n Node, path: &str) -> Option<&'n Node> {
    path.split('.').try_fold(node, |n, part| n.get(part))
}

/// Set a dotted path, making the mappings on the way.
fn set_path(node: &mut Node, path: &str, value: Node) {
    match path.split_once('.') {
        None => node.set(path, value),
        Some((head, rest)) => {
            if !matches!(node.get(head), Some(Node::Map(_))) {
                node.set(head, Node::Map(Vec::new()));
            }
            if let Some(child) = node.get_mut(head) {
                set_path(child, rest, value);
            }
        }
    }
}

/// Python's `str()` of a property value, for messages.
fn shown(n: Option<&Node>) -> String {
    match n {
        None | Some(Node::Null) => "None".into(),
        Some(Node::Str(s)) => s.clone(),
        Some(other) => other.to_json().to_string(),
    }
}

fn is_s3_url(s: &str) -> bool {
    s.strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
}

/// `bucket` and `key` (and `versionId`) of an `s3://` URL.
fn s3_parts(url: &str) -> Option<(String, String, Option<String>)> {
    let rest = url.strip_prefix("s3://")?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (bucket, key) = path.split_once('/')?;
    let version = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("versionId="))
        .next()
        .map(str::to_string);
    Some((bucket.to_string(), key.to_string(), version))
}

fn absolute(dir: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Export one property of one resource (`props` is its `Properties`).
async fn export_one(
    up: &Uploader,
    e: &Exporter,
    id: &str,
    props: &mut Node,
    dir: &Path,
) -> Result<(), CliError> {
    if *props == Node::Null {
        return Ok(());
    }
    let value = lookup(props, e.property).cloned();
    if !truthy(value.as_ref()) && !e.null_is_folder {
        return Ok(());
    }
    if matches!(value, Some(Node::Map(_))) {
        return Ok(());
    }
    let failed = |err: CliError| {
        command_error(format!(
            "Unable to upload artifact {} referenced by {} parameter of {id} resource.\n{}",
            shown(value.as_ref()),
            e.property,
            err.message.trim_start()
        ))
    };
    let result = match e.form {
        Form::Template => export_nested(up, e, id, props, dir).await,
        _ => match upload_artifact(up, e, id, value.as_ref(), dir).await {
            Ok(url) => {
                let new = match (e.form, s3_parts(&url)) {
                    (Form::Dict(b, k, v), Some((bucket, key, version))) => {
                        let mut pairs = vec![(b, Node::Str(bucket)), (k, Node::Str(key))];
                        if let (Some(v), Some(version)) = (v, version) {
                            pairs.push((v, Node::Str(version)));
                        }
                        Node::map(pairs)
                    }
                    _ => Node::Str(url),
                };
                set_path(props, e.property, new);
                Ok(())
            }
            Err(err) => Err(err),
        },
    };
    result.map_err(failed)
}

/// Upload the local file or folder a property names; its `s3://` URL (an `s3://` value
/// is kept).
async fn upload_artifact(
    up: &Uploader,
    e: &Exporter,
    id: &str,
    value: Option<&Node>,
    dir: &Path,
) -> Result<String, CliError> {
    let local = match value {
        None | Some(Node::Null) => dir.to_string_lossy().into_owned(),
        Some(Node::Str(s)) => s.clone(),
        Some(other) => shown(Some(other)),
    };
    if is_s3_url(&local) {
        return Ok(local);
    }
    let path = absolute(dir, &local);
    if path.is_dir() {
        let zipped = cfn_upload::zip_folder(&path)?;
        return up.upload_with_dedup(&zipped.0, None).await;
    }
    if path.is_file() {
        if e.force_zip && !cfn_upload::is_zip(&path) {
            return zip_file(up, &path).await;
        }
        return up.upload_with_dedup(&path, None).await;
    }
    Err(command_error(format!(
        "Parameter {} of resource {id} refers to a file or folder that does not exist {}",
        e.property,
        path.display()
    )))
}

/// A single file zipped on its own (at the archive's root) and uploaded.
async fn zip_file(up: &Uploader, path: &Path) -> Result<String, CliError> {
    let tmp = cfn_upload::temp_path("package-");
    std::fs::create_dir_all(&tmp).map_err(|e| CliError::other(e.to_string()))?;
    let copy = tmp.join(path.file_name().unwrap_or_default());
    let zipped = std::fs::copy(path, &copy)
        .map_err(|e| CliError::other(format!("{}: {e}", path.display())))
        .and_then(|_| cfn_upload::zip_folder(&tmp));
    let result = match zipped {
        Ok(z) => up.upload_with_dedup(&z.0, None).await,
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// A nested stack (or application): its template packaged, uploaded, and referred to.
async fn export_nested(
    up: &Uploader,
    e: &Exporter,
    id: &str,
    props: &mut Node,
    dir: &Path,
) -> Result<(), CliError> {
    let Some(Node::Str(given)) = props.get(e.property).cloned() else {
        return Ok(());
    };
    if is_s3_url(&given) || given.starts_with("http://") || given.starts_with("https://") {
        return Ok(());
    }
    let path = absolute(dir, &given);
    if !path.is_file() {
        return Err(command_error(format!(
            "{} parameter of {id} resource is invalid. It must be a S3 URL or path to CloudFormation template file. Actual: {}",
            e.property,
            path.display()
        )));
    }
    let nested = export_template(up, &path).await?;
    let tmp = TempFile(cfn_upload::temp_path("template-"));
    std::fs::write(&tmp.0, dump(&nested)).map_err(|e| CliError::other(e.to_string()))?;
    let url = up.upload_with_dedup(&tmp.0, Some("template")).await?;
    let (_, key, version) = s3_parts(&url).unwrap_or_default();
    let https = up.path_style_url(&key, version.as_deref()).await?;
    props.set(e.property, Node::Str(https));
    Ok(())
}

/// `Fn::Transform` `AWS::Include` with a local `Location`, anywhere in the template.
fn export_includes<'a>(up: &'a Uploader, node: &'a mut Node, dir: &'a Path) -> Boxed<'a, ()> {
    Box::pin(async move {
        match node {
            Node::Map(pairs) => {
                for (k, v) in pairs.iter_mut() {
                    if k.as_str() == Some("Fn::Transform") {
                        include(up, v, dir).await?;
                    } else if matches!(v, Node::Map(_) | Node::Seq(_)) {
                        export_includes(up, v, dir).await?;
                    }
                }
            }
            Node::Seq(items) => {
                for item in items.iter_mut().filter(|i| matches!(i, Node::Map(_))) {
                    export_includes(up, item, dir).await?;
                }
            }
            _ => {}
        }
        Ok(())
    })
}

async fn include(up: &Uploader, transform: &mut Node, dir: &Path) -> Result<(), CliError> {
    if transform.get("Name").and_then(Node::as_str) != Some("AWS::Include") {
        return Ok(());
    }
    let Some(Node::Str(location)) = transform
        .get("Parameters")
        .and_then(|p| p.get("Location"))
        .cloned()
    else {
        return Ok(());
    };
    if location.is_empty() || is_s3_url(&location) {
        return Ok(());
    }
    let path = dir.join(&location);
    if !path.is_file() {
        return Err(command_error(format!(
            "Parameter Location of resource AWS::Include refers to a file or folder that does not exist {}",
            path.display()
        )));
    }
    let url = up.upload_with_dedup(&path, None).await?;
    if let Some(params) = transform.get_mut("Parameters") {
        params.set("Location", Node::Str(url));
    }
    Ok(())
}
