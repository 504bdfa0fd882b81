//! Which roles a request may see, decided once from the caller and what the request asks for.
//!
//! Every read of role rows starts from [`roles`], which takes a [`Visibility`]; the editor one
//! holds a read permit, so nothing can show drafts without a caller who may read them. The
//! rest of the crate cannot start a query on its own (`clippy.toml` forbids `Entity::find`
//! outside `service/`).

use entity::{RoleStatus, role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};

use crate::auth::{Caller, Permit, permit::Read};
use crate::error::ApiResult;

/// Who is reading: decides which roles exist for the request.
#[derive(Debug)]
pub enum Visibility {
    /// Anonymous readers and frontends: published roles only.
    Public,
    /// An editor previewing: every role, whatever its status.
    Editor(Permit<Read>),
}

impl Visibility {
    /// Whether drafts and archived roles are visible.
    pub fn is_editor(&self) -> bool {
        matches!(self, Self::Editor(_))
    }
}

/// The visibility for a request by `caller` that asks for unpublished roles (`preview: true`, a
/// status filter) or not. Asking needs `content:read`; not asking is public, whoever asks.
pub fn decide(caller: &Caller, asks_for_unpublished: bool) -> ApiResult<Visibility> {
    if asks_for_unpublished {
        Ok(Visibility::Editor(caller.permit::<Read>()?))
    } else {
        Ok(Visibility::Public)
    }
}

/// The one query builder every read of role rows starts from.
pub fn roles(visibility: &Visibility) -> Select<role::Entity> {
    match visibility {
        Visibility::Public => {
            role::Entity::find().filter(role::Column::Status.eq(RoleStatus::Published))
        }
        Visibility::Editor(_) => role::Entity::find(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_reader_may_see_unpublished_roles() {
        let anonymous = Caller::Anonymous { auth_enabled: true };
        assert!(matches!(decide(&anonymous, false), Ok(Visibility::Public)));
        assert_eq!(
            decide(&anonymous, true)
                .map(|_| ())
                .expect_err("refused")
                .code(),
            "UNAUTHENTICATED"
        );
    }
}
