//! Proof of permission, checked by the type system: every service function that writes takes a
//! [`Permit`], and the only way to get one is [`Caller::permit`] on a caller whose token was
//! verified and grants the permission. A resolver that forgets the check does not compile.

use std::fmt;
use std::marker::PhantomData;

use super::{Caller, Permission};
use crate::error::ApiResult;

mod sealed {
    pub trait Sealed {}
}

/// A kind of permit: one per [`Permission`]. Sealed, so no other crate can add one.
pub trait Grant: sealed::Sealed {
    /// The permission a caller must hold to get this permit.
    const PERMISSION: Permission;
}

macro_rules! grants {
    ($($(#[$doc:meta])* $name:ident => $permission:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub enum $name {}
        impl sealed::Sealed for $name {}
        impl Grant for $name {
            const PERMISSION: Permission = Permission::$permission;
        }
    )*};
}

grants! {
    /// Read drafts, previews and history (`content:read`).
    Read => Read,
    /// Create and edit content (`content:write`).
    Write => Write,
    /// Publish, unpublish and archive (`content:publish`).
    Publish => Publish,
    /// Delete content (`content:delete`).
    Delete => Delete,
}

/// Proof that the caller named by [`Permit::actor`] holds permission `G`.
pub struct Permit<G: Grant> {
    actor: String,
    grant: PhantomData<fn() -> G>,
}

impl<G: Grant> Permit<G> {
    /// Who holds the permit (the token's `sub`): recorded on everything written with it.
    pub fn actor(&self) -> &str {
        &self.actor
    }
}

impl<G: Grant> fmt::Debug for Permit<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permit<{:?}>({})", G::PERMISSION, self.actor)
    }
}

impl Caller {
    /// A permit of kind `G`, or UNAUTHENTICATED / FORBIDDEN when the caller does not hold it.
    pub fn permit<G: Grant>(&self) -> ApiResult<Permit<G>> {
        let principal = self.require(G::PERMISSION)?;
        Ok(Permit {
            actor: principal.sub.clone(),
            grant: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::auth::Principal;

    #[test]
    fn a_permit_needs_its_permission() {
        let editor = Caller::Authenticated(Principal {
            sub: "ed".into(),
            permissions: BTreeSet::from([Permission::Read, Permission::Write]),
        });
        assert_eq!(editor.permit::<Write>().expect("write").actor(), "ed");
        assert!(editor.permit::<Read>().is_ok());
        let refused = editor.permit::<Delete>().expect_err("no delete");
        assert_eq!(refused.code(), "FORBIDDEN");
        let anonymous = Caller::Anonymous { auth_enabled: true };
        let refused = anonymous.permit::<Read>().expect_err("anonymous");
        assert_eq!(refused.code(), "UNAUTHENTICATED");
    }
}
