//! What resolvers read from the schema and request context.

use async_graphql::Context;

use crate::auth::{Caller, Grant, Permit};
use crate::cache::{Collector, Tag};
use crate::error::{ApiError, ApiResult};
use crate::reference::Reference;
use crate::service::{Store, Visibility, visibility};

/// The content store (schema data): every read and write goes through it.
pub fn store<'a>(ctx: &Context<'a>) -> ApiResult<&'a Store> {
    ctx.data::<Store>()
        .map_err(|_| ApiError::Internal("schema has no store".into()))
}

/// The shipped research data (schema data).
pub fn reference<'a>(ctx: &Context<'a>) -> ApiResult<&'a Reference> {
    ctx.data::<Reference>()
        .map_err(|_| ApiError::Internal("schema has no reference data".into()))
}

/// What a request's writes changed, as cache tags (request data on mutations): shown in the
/// result's `extensions.cacheTags`.
#[derive(Debug, Clone, Default)]
pub struct Written(pub Collector);

/// The content store for a mutation: its committed writes report what they changed to the
/// request's [`Written`], when it has one.
pub fn writer(ctx: &Context<'_>) -> ApiResult<Store> {
    let store = store(ctx)?;
    Ok(match ctx.data_opt::<Written>() {
        Some(Written(collector)) => store.reporting_to(collector.clone()),
        None => store.clone(),
    })
}

/// The request's caller (request data); anonymous when the request carried no token.
pub fn caller<'a>(ctx: &Context<'a>) -> &'a Caller {
    static NOBODY: Caller = Caller::Anonymous {
        auth_enabled: false,
    };
    ctx.data::<Caller>().unwrap_or(&NOBODY)
}

/// A permit of kind `G` for the request's caller, or the error to answer with.
pub fn permit<G: Grant>(ctx: &Context<'_>) -> ApiResult<Permit<G>> {
    caller(ctx).permit::<G>()
}

/// Which roles the request may see, given whether it asks for unpublished ones.
pub fn visibility(ctx: &Context<'_>, asks_for_unpublished: bool) -> ApiResult<Visibility> {
    visibility::decide(caller(ctx), asks_for_unpublished)
}

/// Records that the answer read what `tags` name, so that the response cache drops it when a
/// write changes one of them. Requests that the cache does not keep carry no collector.
pub fn read(ctx: &Context<'_>, tags: impl IntoIterator<Item = Tag>) {
    if let Some(collector) = ctx.data_opt::<Collector>() {
        collector.extend(tags);
    }
}
