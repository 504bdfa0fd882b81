//! Argon2id password hashes (PHC strings), computed off the async runtime: one hash costs
//! tens of milliseconds of CPU by design.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{ApiError, ApiResult};

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; we ask for more).
pub const MIN_PASSWORD: usize = 12;
/// Longest password accepted: long enough for any passphrase, short enough to hash cheaply.
pub const MAX_PASSWORD: usize = 256;

/// Argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Checks a new password against the length rules, naming `field`.
pub fn check_new(field: &str, password: &SecretString) -> ApiResult<()> {
    let length = password.expose_secret().chars().count();
    if length < MIN_PASSWORD {
        return Err(ApiError::bad_input(
            field,
            format!("must have at least {MIN_PASSWORD} characters"),
        ));
    }
    if length > MAX_PASSWORD {
        return Err(ApiError::bad_input(
            field,
            format!("must have at most {MAX_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// The PHC string of `password` with a fresh salt.
pub async fn hash(password: SecretString) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("hashing task: {e}")))?
}

/// Whether `password` matches `phc`. With no hash (an unknown login, or an account without a
/// password) it still spends one verification on a fixed hash, so the answer takes as long as
/// for a wrong password and timing does not tell which logins exist.
pub async fn verify(password: SecretString, phc: Option<String>) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| DUMMY.to_owned());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return Ok(false);
        };
        let ok = argon2()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(known && ok)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("hashing task: {e}")))?
}

/// A hash of a random password no one knows, with the same parameters as real hashes.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5Qw3+8uSPhXKrbNOV2b4ZpE8vTq7yPqTY2yrLwoJp7A";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify_only_their_password() {
        let phc = hash(SecretString::from("correct horse battery"))
            .await
            .expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            verify(
                SecretString::from("correct horse battery"),
                Some(phc.clone())
            )
            .await
            .expect("verify")
        );
        assert!(
            !verify(SecretString::from("wrong horse battery"), Some(phc))
                .await
                .expect("verify")
        );
        assert!(
            !verify(SecretString::from("anything"), None)
                .await
                .expect("verify")
        );
        assert!(
            PasswordHash::new(DUMMY).is_ok(),
            "the dummy hash parses, so it costs a real verification"
        );
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        assert!(check_new("password", &SecretString::from("short")).is_err());
        assert!(check_new("password", &SecretString::from("x".repeat(300))).is_err());
        assert!(check_new("password", &SecretString::from("twelve chars")).is_ok());
    }
}
