//! `jobrisk token` end to end: the built binary signs a token the server's rules accept.

use std::process::Command;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::Value;

const SECRET: &str = "a-local-secret-long-enough-for-hs256-0123456789";

fn token(env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jobrisk"));
    cmd.arg("token").args(args);
    for key in [
        "JOBRISK_JWT_SECRET",
        "JOBRISK_JWT_PUBLIC_KEY",
        "JOBRISK_JWT_JWKS_URL",
        "JOBRISK_JWT_ISSUER",
        "JOBRISK_JWT_AUDIENCE",
    ] {
        cmd.env_remove(key);
    }
    cmd.envs(env.iter().copied())
        .output()
        .expect("spawn jobrisk")
}

#[test]
fn token_is_signed_with_the_secret_and_carries_sub_scope_ttl_issuer_and_audience() {
    let out = token(
        &[
            ("JOBRISK_JWT_SECRET", SECRET),
            ("JOBRISK_JWT_ISSUER", "jobrisk-local"),
            ("JOBRISK_JWT_AUDIENCE", "jobrisk"),
        ],
        &[
            "--sub",
            "alice",
            "--scope",
            "content:write content:publish",
            "--ttl",
            "2h",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let jwt = String::from_utf8(out.stdout).expect("utf-8");
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&["jobrisk-local"]);
    validation.set_audience(&["jobrisk"]);
    let claims = decode::<Value>(
        jwt.trim(),
        &DecodingKey::from_secret(SECRET.as_bytes()),
        &validation,
    )
    .expect("verifies")
    .claims;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["scope"], "content:write content:publish");
    let lifetime = claims["exp"].as_u64().expect("exp") - claims["iat"].as_u64().expect("iat");
    assert_eq!(lifetime, 2 * 3600);
}

#[test]
fn token_without_a_secret_fails_naming_the_variable() {
    let out = token(&[], &["--sub", "alice"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("JOBRISK_JWT_SECRET"));
    let bad_ttl = token(
        &[("JOBRISK_JWT_SECRET", SECRET)],
        &["--sub", "alice", "--ttl", "soon"],
    );
    assert!(!bad_ttl.status.success());
}
