//! Running one command line after the global options are taken out: find the service
//! (loading only its model), the operation or waiter, parse its parameters, build the
//! session and client, call (paging, uploading or downloading as the operation needs) and
//! print the result.
//!
//! Owns the command's flow. Does not own parameter parsing (`params`), output (`output`)
//! or any engine logic (the `inia` crate).

use crate::binary::BinaryFormat;
use crate::error::CliError;
use crate::globals::Globals;
use crate::help::{self, cli_service_name};
use crate::help_route;
use crate::lookup;
use crate::output::{self, Query};
use crate::params::{self, Parsed};
use crate::timestamps::{self, TimestampStyle};
use inia::connection::HttpConfig;
use inia::model::ServiceModel;
use inia::{Body, Client, PageOptions, Session, Value, WaitOptions};
use serde_json::Map;

pub(crate) fn engine(e: inia::Error) -> CliError {
    CliError::from(e)
}

fn model_error(e: inia::model::ModelError) -> CliError {
    CliError::from(inia::Error::from(e))
}

/// Run `<service> <operation> [parameters]`.
pub async fn run(g: &Globals, words: Vec<String>) -> Result<(), CliError> {
    let Some(word) = words.first() else {
        return Err(CliError::usage(format!(
            "the following arguments are required: command\n\n{}",
            help::USAGE_BLURB
        )));
    };
    // The shared files' own commands work even when a session cannot be built from them.
    if word == "configure" {
        return crate::configure::run(g, &words[1..]).await;
    }
    if let Some(done) = crate::commands::run(g, &words).await {
        return done;
    }
    if word == "sso" {
        if let Some(done) = crate::sso_login::run(g, &words[1..]).await {
            return done;
        }
    }
    // Help and usage errors need no session (see `help_route`); `inia s3` builds its own.
    if help_route::is_help(Some(word)) {
        return help_route::top(g);
    }
    let service = match word.as_str() {
        "s3api" => "s3",
        "s3" => return crate::s3cmd::run(g, &words[1..]).await,
        w => w,
    };
    let rest = &words[1..];
    if help_route::answers(rest) {
        return help_route::answer(g, service, word, rest);
    }
    let mut session = session(g)?;
    let style = timestamps::style(session.profile_value("cli_timestamp_format"))?;
    if style == TimestampStyle::Wire {
        // Timestamps exactly as the server sent them: the engine keeps them unparsed.
        session = builder(g).wire_timestamps(true).build().map_err(engine)?;
    }
    let folder = lookup::folder(session.specs(), session.provider(), service, word)?;
    let folder = folder.as_str();
    let cli_name = cli_service_name(service).to_string();
    let query = g.query.as_deref().map(Query::compile).transpose()?;
    if rest[0] == "wait" {
        let format = g.binary_format;
        return wait(&session, format, service, folder, &cli_name, &rest[1..]).await;
    }
    let model = session.model(folder).map_err(engine)?;
    let name = lookup::operation(&model, &rest[0], &cli_name)?;
    let op = model.operation(&name).map_err(model_error)?;
    let mut desc = params::describe(&cli_name, &model, &op)?;
    desc.binary_format =
        BinaryFormat::resolve(g.binary_format, session.profile_value("cli_binary_format"))?;
    let parsed = desc.parse(&model, &op, &rest[1..])?;
    if let Some(which) = &parsed.skeleton {
        return print_skeleton(&model, &op, which);
    }
    let client = session.client(service).map_err(engine)?;
    let choice = output::Choice::resolve(g.output, session.profile_value("output"), &name)?;
    // Text and yaml-stream are printed page by page, as the AWS CLI prints them.
    let plain_call = g.no_paginate || parsed.outfile.is_some() || parsed.upload.is_some();
    let by_page = matches!(
        choice.format,
        output::Format::Text | output::Format::YamlStream
    );
    if !plain_call && by_page {
        if let Some(p) = client.paginator(&name).map_err(engine)? {
            let listing = crate::text_pages::Listing {
                client: &client,
                model: &model,
                op: &op,
                paginator: &p,
            };
            crate::pager::start(g)?;
            let q = query.as_ref();
            return crate::text_pages::print(g, listing, parsed.params, q, &choice).await;
        }
    }
    let mut value = if desc.records_outfile {
        crate::records::call(&client, &name, parsed).await?
    } else {
        call(g, &client, &name, parsed).await?
    };
    timestamps::convert_in(&model, &op, &mut value, style);
    crate::pager::start(g)?;
    output::print(value, query.as_ref(), &choice)
}

/// The session the global options describe (the API commands and `inia s3` alike).
pub(crate) fn session(g: &Globals) -> Result<Session, CliError> {
    builder(g).build().map_err(engine)
}

/// The builder of [`session`].
fn builder(g: &Globals) -> inia::SessionBuilder {
    let mut http = HttpConfig::default();
    http.insecure = g.no_verify_ssl;
    if g.no_verify_ssl {
        eprintln!(
            "warning: --no-verify-ssl: TLS certificates are not verified; any server can pretend to be the one you call"
        );
    }
    // The option wins over AWS_CA_BUNDLE and the profile's ca_bundle, as in the AWS CLI.
    http.ca_bundle = g.ca_bundle.clone();
    let mut b = Session::builder()
        .user_agent_name("inia-cli", env!("CARGO_PKG_VERSION"))
        .http_config(http)
        .unsigned(g.no_sign_request);
    if let Some(t) = g.connect_timeout {
        b = b.connect_timeout(t);
    }
    if let Some(t) = g.read_timeout {
        b = b.read_timeout(t);
    }
    if let Some(r) = &g.region {
        b = b.region(r);
    }
    if let Some(p) = &g.profile {
        b = b.profile(p);
    }
    if let Some(u) = &g.endpoint_url {
        b = b.endpoint_url(u);
    }
    if let Some(p) = &g.provider {
        b = b.provider(p);
    }
    for d in &g.spec_paths {
        b = b.spec_dir(d);
    }
    b
}

fn print_skeleton(
    model: &ServiceModel,
    op: &inia::model::Operation,
    which: &str,
) -> Result<(), CliError> {
    let member = if which == "output" {
        &op.output
    } else {
        &op.input
    };
    let value = match member {
        Some(m) => {
            let shape = model.target(m, &op.name).map_err(model_error)?;
            params::skeleton(model, &shape, 0)
        }
        None => Value::Object(Map::new()),
    };
    output::print_json(&value)
}

/// One operation call: a download, an upload, all pages, or a single call.
async fn call(g: &Globals, client: &Client, name: &str, parsed: Parsed) -> Result<Value, CliError> {
    let Parsed {
        params,
        upload,
        outfile,
        ..
    } = parsed;
    if let Some(path) = outfile {
        // S3 objects go through the engine's downloads: resumed where a body breaks off
        // (ranged GET, If-Match) and checked against a plain-MD5 ETag.
        let s3 = client.model().metadata().service_id.as_deref() == Some("S3");
        if s3 && name == "GetObject" {
            return client
                .transfer()
                .download_file_with(params, &path)
                .await
                .map_err(engine);
        }
        let out = client.call_with(name, params, None).await.map_err(engine)?;
        if let Some(body) = out.body {
            // A temporary file renamed into place: a failed or interrupted download
            // leaves the destination as it was.
            inia::transfer::write_body_to_file(body, &path)
                .await
                .map_err(engine)?;
        }
        return Ok(out.value);
    }
    if let Some(path) = upload {
        let body = Body::from_file(&path).map_err(|e| {
            CliError::usage(format!(
                "Error parsing parameter '--body': {}: {e}",
                path.display()
            ))
        })?;
        let out = client
            .call_with(name, params, Some(body))
            .await
            .map_err(engine)?;
        return Ok(out.value);
    }
    if g.no_paginate || client.paginator(name).map_err(engine)?.is_none() {
        return client.call(name, params).await.map_err(engine);
    }
    if !params.is_object() {
        return Err(CliError::usage("parameters must be a JSON object"));
    }
    // As the AWS CLI: --page-size sets the limit member, --max-items cuts the listing
    // (the last page too) and prints a NextToken that --starting-token resumes from.
    let options = PageOptions {
        page_size: g.page_size,
        max_items: g.max_items,
        starting_token: g.starting_token.clone(),
    };
    client
        .paginate_all_with(name, params, options)
        .await
        .map_err(|e| match e {
            inia::Error::Param { path, message } if path == "starting_token" => {
                CliError::usage(format!("Bad --starting-token: {message}"))
            }
            e => engine(e),
        })
}

/// `inia <service> wait <waiter> [parameters]`.
async fn wait(
    session: &Session,
    format: Option<BinaryFormat>,
    service: &str,
    folder: &str,
    cli_name: &str,
    words: &[String],
) -> Result<(), CliError> {
    let file = help_route::waiters_file(session.specs(), folder)?;
    let names = help_route::waiter_names(&file);
    let waiter = help_route::find_waiter(&names, &words[0], cli_name)?;
    let op_name = file["waiters"][waiter.as_str()]["operation"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let model = session.model(folder).map_err(engine)?;
    let op = model.operation(&op_name).map_err(model_error)?;
    let mut desc = params::describe(cli_name, &model, &op)?;
    desc.binary_format = BinaryFormat::resolve(format, session.profile_value("cli_binary_format"))?;
    let parsed = desc.parse(&model, &op, &words[1..])?;
    if let Some(which) = &parsed.skeleton {
        return print_skeleton(&model, &op, which);
    }
    let client = session.client(service).map_err(engine)?;
    client
        .wait(waiter, parsed.params, WaitOptions::default())
        .await
        .map_err(engine)?;
    Ok(())
}
