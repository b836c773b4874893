//! `--output text` and `--output yaml-stream` of a paged listing, printed page by page as
//! the AWS CLI prints them, so memory stays flat however long the listing:
//! - text: the first page's part of the result (its non-aggregate keys and result keys),
//!   then each later page's result keys, each through `--query` and the text format on
//!   its own, then the `NextToken` when `--max-items` stopped early;
//! - yaml-stream (AWS CLI v2): each whole page (without `ResponseMetadata`) through
//!   `--query` on its own, printed as a YAML list of one item; no `NextToken`.
//!
//! Owns that loop. Does not own paging (`inia::Client::pages`) or the text format
//! (`output`).

use crate::error::CliError;
use crate::globals::Globals;
use crate::output::{self, Choice, Query};
use futures_util::StreamExt;
use inia::model::{Operation, ServiceModel};
use inia::paginate::Paginator;
use inia::{Client, PageOptions, Value};
use serde_json::Map;

/// The operation whose pages are printed.
pub struct Listing<'a> {
    pub client: &'a Client,
    pub model: &'a ServiceModel,
    pub op: &'a Operation,
    pub paginator: &'a Paginator,
}

/// Print the pages of `listing` with `params` in text.
pub async fn print(
    g: &Globals,
    listing: Listing<'_>,
    params: Value,
    query: Option<&Query>,
    choice: &Choice<'_>,
) -> Result<(), CliError> {
    let Listing {
        client,
        model,
        op,
        paginator,
    } = listing;
    let options = PageOptions {
        page_size: g.page_size,
        max_items: g.max_items,
        starting_token: g.starting_token.clone(),
    };
    let style = crate::timestamps::style(client.session().profile_value("cli_timestamp_format"))?;
    let (pages, resume) = client.pages(&op.name, params, options);
    let mut pages = Box::pin(pages);
    let mut first = true;
    while let Some(page) = pages.next().await {
        let mut page = page.map_err(crate::run::engine)?;
        if choice.format == output::Format::YamlStream {
            crate::timestamps::convert_in(model, op, &mut page, style);
            output::print(page, query, choice)?;
            continue;
        }
        let mut part = Value::Object(Map::new());
        if first {
            for key in paginator.non_aggregate_keys() {
                key.set(&mut part, key.search(&page));
            }
        }
        for key in paginator.result_keys() {
            key.set(&mut part, key.search(&page));
        }
        first = false;
        crate::timestamps::convert_in(model, op, &mut part, style);
        output::print(part, query, choice)?;
    }
    if choice.format == output::Format::YamlStream {
        return Ok(());
    }
    if let Some(token) = resume.get() {
        let mut inner = Map::new();
        inner.insert("NextToken".into(), Value::String(token));
        let mut outer = Map::new();
        outer.insert("NextToken".into(), Value::Object(inner));
        output::print(Value::Object(outer), query, choice)?;
    }
    Ok(())
}
