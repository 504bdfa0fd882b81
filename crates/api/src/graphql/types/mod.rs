//! GraphQL object, input and enum types: our own structs built from models, so a column rename
//! never changes the public schema by accident.

pub mod catalog;
pub mod connection;
pub mod enums;
pub mod inputs;
pub mod reference;
pub mod revision;
pub mod risk;
pub mod role;
pub mod webhook;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::loaders::DbLoader;
use crate::error::{ApiError, ApiResult};

/// The request's loader, put there by the HTTP handler.
pub fn loader<'a>(ctx: &Context<'a>) -> ApiResult<&'a DataLoader<DbLoader>> {
    ctx.data::<DataLoader<DbLoader>>()
        .map_err(|_| ApiError::Internal("request has no DataLoader".into()))
}
