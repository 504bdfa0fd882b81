//! What resolvers read from the schema and request context.

use async_graphql::Context;
use entity::Visibility;
use sea_orm::DatabaseConnection;

use crate::auth::{Caller, Permission, Principal};
use crate::error::{ApiError, ApiResult};
use crate::service::editing::Editing;

/// The database (schema data).
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::Internal("schema has no database".into()))
}

/// The editing service (schema data).
pub fn editing<'a>(ctx: &Context<'a>) -> ApiResult<&'a Editing> {
    ctx.data::<Editing>()
        .map_err(|_| ApiError::Internal("schema has no editing service".into()))
}

/// The request's caller (request data); anonymous when the request carried no token.
pub fn caller<'a>(ctx: &Context<'a>) -> &'a Caller {
    static NOBODY: Caller = Caller::Anonymous {
        auth_enabled: false,
    };
    ctx.data::<Caller>().unwrap_or(&NOBODY)
}

/// The caller, who must hold `permission`.
pub fn require<'a>(ctx: &Context<'a>, permission: Permission) -> ApiResult<&'a Principal> {
    caller(ctx).require(permission)
}

/// Public visibility, or editor visibility when `preview` is asked for by a caller who may read
/// drafts.
pub fn visibility_for(ctx: &Context<'_>, preview: bool) -> ApiResult<Visibility> {
    if preview {
        require(ctx, Permission::Read)?;
        Ok(Visibility::Editor)
    } else {
        Ok(Visibility::Public)
    }
}
