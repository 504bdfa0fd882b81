//! Editors' private edit buffers: the latest unsaved form of one user for one role, kept every
//! few seconds while they type so that a closed tab or an expired session loses nothing. Never
//! a revision, never seen by anyone else; a save drops it.

use chrono::{DateTime, Utc};
use entity::edit_buffer;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Store;
use super::editing::find_role;
use crate::auth::Permit;
use crate::auth::permit::Write;
use crate::error::{ApiError, ApiResult};

/// Largest form kept (the content rules' own limits are far below it).
pub const MAX_FORM_BYTES: usize = 512 * 1024;

/// A kept form.
#[derive(Debug, Clone)]
pub struct EditBuffer {
    /// The role version the form was opened at.
    pub base_version: i32,
    /// The form's fields, URL-encoded.
    pub form: String,
    /// When it was kept.
    pub saved_at: DateTime<Utc>,
}

impl Store {
    /// Keeps `form` as `user_id`'s buffer for role `slug`, replacing the previous one.
    pub async fn keep_edit_buffer(
        &self,
        _editor: &Permit<Write>,
        user_id: i32,
        slug: &str,
        base_version: i32,
        form: String,
    ) -> ApiResult<()> {
        if form.len() > MAX_FORM_BYTES {
            return Err(ApiError::bad_input(
                "form",
                format!("must be at most {MAX_FORM_BYTES} bytes"),
            ));
        }
        let role = find_role(self.db(), slug).await?;
        let txn = self.begin().await?;
        edit_buffer::Entity::insert(edit_buffer::ActiveModel {
            user_id: Set(user_id),
            role_id: Set(role.id),
            base_version: Set(base_version),
            form: Set(form),
            saved_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([edit_buffer::Column::UserId, edit_buffer::Column::RoleId])
                .update_columns([
                    edit_buffer::Column::BaseVersion,
                    edit_buffer::Column::Form,
                    edit_buffer::Column::SavedAt,
                ])
                .to_owned(),
        )
        .exec(&*txn)
        .await?;
        txn.commit().await
    }

    /// `user_id`'s buffer for role `role_id`, if any.
    pub async fn edit_buffer(&self, user_id: i32, role_id: i32) -> ApiResult<Option<EditBuffer>> {
        Ok(edit_buffer::Entity::find_by_id((user_id, role_id))
            .one(self.db())
            .await?
            .map(|b| EditBuffer {
                base_version: b.base_version,
                form: b.form,
                saved_at: b.saved_at,
            }))
    }

    /// Drops `user_id`'s buffer for role `role_id` (after a save, or when they discard it).
    pub async fn drop_edit_buffer(&self, user_id: i32, role_id: i32) -> ApiResult<()> {
        let txn = self.begin().await?;
        edit_buffer::Entity::delete_many()
            .filter(edit_buffer::Column::UserId.eq(user_id))
            .filter(edit_buffer::Column::RoleId.eq(role_id))
            .exec(&*txn)
            .await?;
        txn.commit().await
    }
}

/// How long after their last heartbeat a user still counts as having a role open.
pub const PRESENT_FOR: chrono::Duration = chrono::Duration::seconds(75);

/// Someone else with the role open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    /// Their display name.
    pub name: String,
    /// Their login.
    pub login: String,
}

/// What a heartbeat learns.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    /// The others with the role open.
    pub others: Vec<Present>,
    /// The role's version now (newer than the form's when someone saved meanwhile).
    pub version: i32,
    /// Who saved the newest revision.
    pub last_editor: Option<String>,
}

impl Store {
    /// Records that `user_id` has role `slug` open, and tells who else has and the role's
    /// current version. Advisory: nothing is locked.
    pub async fn heartbeat(
        &self,
        _reader: &Permit<crate::auth::permit::Read>,
        user_id: i32,
        slug: &str,
    ) -> ApiResult<Heartbeat> {
        use entity::{role_revision, studio_presence, user};
        use sea_orm::QueryOrder;
        let role = find_role(self.db(), slug).await?;
        let now = Utc::now();
        let txn = self.begin().await?;
        studio_presence::Entity::insert(studio_presence::ActiveModel {
            role_id: Set(role.id),
            user_id: Set(user_id),
            seen_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                studio_presence::Column::RoleId,
                studio_presence::Column::UserId,
            ])
            .update_column(studio_presence::Column::SeenAt)
            .to_owned(),
        )
        .exec(&*txn)
        .await?;
        // Old heartbeats of this role go as new ones come, so the table stays small.
        studio_presence::Entity::delete_many()
            .filter(studio_presence::Column::RoleId.eq(role.id))
            .filter(studio_presence::Column::SeenAt.lt(now - PRESENT_FOR))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        let ids: Vec<i32> = studio_presence::Entity::find()
            .filter(studio_presence::Column::RoleId.eq(role.id))
            .filter(studio_presence::Column::UserId.ne(user_id))
            .all(self.db())
            .await?
            .into_iter()
            .map(|p| p.user_id)
            .collect();
        let others = if ids.is_empty() {
            Vec::new()
        } else {
            user::Entity::find()
                .filter(user::Column::Id.is_in(ids))
                .order_by_asc(user::Column::Name)
                .all(self.db())
                .await?
                .into_iter()
                .map(|u| Present {
                    name: u.name,
                    login: u.login,
                })
                .collect()
        };
        let last_editor = role_revision::Entity::find()
            .filter(role_revision::Column::RoleId.eq(role.id))
            .order_by_desc(role_revision::Column::Version)
            .one(self.db())
            .await?
            .map(|r| r.editor);
        Ok(Heartbeat {
            others,
            version: role.version,
            last_editor,
        })
    }
}
