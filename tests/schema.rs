//! The public contract: `schema.graphql` matches the schema the server builds, and every part of
//! the schema is documented.

use std::path::Path;

use serde_json::Value;

const REGENERATE: &str = "cargo run -- schema > schema.graphql";

fn checked_in() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with `{REGENERATE}`", path.display()))
}

/// The first differing line, to show what drifted.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for line in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => return "only line endings or trailing whitespace differ".into(),
            (e, a) if e != a => {
                return format!(
                    "line {line}:\n  schema.graphql: {}\n  generated:      {}",
                    e.unwrap_or("<end of file>"),
                    a.unwrap_or("<end of file>")
                );
            }
            _ => {}
        }
    }
    unreachable!("the loop returns")
}

#[test]
fn schema_graphql_matches_the_generated_schema() {
    let file = checked_in();
    let generated = api::graphql::sdl();
    assert!(
        file == generated,
        "schema.graphql is out of date; run `{REGENERATE}` and commit it. First difference at {}",
        first_difference(&file, &generated)
    );
}

#[test]
fn jobrisk_schema_prints_the_checked_in_schema() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jobrisk"))
        .arg("schema")
        .output()
        .expect("run jobrisk schema");
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        printed == checked_in(),
        "`jobrisk schema` differs from schema.graphql; run `{REGENERATE}`. First difference at {}",
        first_difference(&checked_in(), &printed)
    );
}

const INTROSPECTION: &str = r#"
{
  __schema {
    types {
      name kind description
      fields(includeDeprecated: true) { name description args { name description } }
      inputFields { name description }
      enumValues(includeDeprecated: true) { name description }
    }
  }
}"#;

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

fn has_text(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.trim().is_empty())
}

/// Our types (not `__*` introspection types, not the built-in scalars).
async fn our_types() -> Vec<Value> {
    let response = api::graphql::build_schema(None, true)
        .execute(INTROSPECTION)
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().expect("JSON");
    let types = data["__schema"]["types"].as_array().expect("types").clone();
    let ours: Vec<Value> = types
        .into_iter()
        .filter(|t| {
            let name = t["name"].as_str().expect("name");
            !name.starts_with("__") && !BUILT_IN_SCALARS.contains(&name)
        })
        .collect();
    assert!(
        ours.iter().any(|t| t["name"] == "Role"),
        "introspection lists our types"
    );
    ours
}

/// Every field, argument, input field and enum value of our schema has a description.
#[tokio::test]
async fn every_field_argument_and_enum_value_has_a_description() {
    let mut missing = Vec::new();
    for t in our_types().await {
        let name = t["name"].as_str().expect("name");
        for field in t["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().expect("name");
            if !has_text(&field["description"]) {
                missing.push(format!("field {name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !has_text(&arg["description"]) {
                    missing.push(format!("argument {name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for input in t["inputFields"].as_array().into_iter().flatten() {
            if !has_text(&input["description"]) {
                missing.push(format!("input field {name}.{}", input["name"]));
            }
        }
        for value in t["enumValues"].as_array().into_iter().flatten() {
            if !has_text(&value["description"]) {
                missing.push(format!("enum value {name}.{}", value["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented:\n{}", missing.join("\n"));
}

/// Every object, input, enum and custom scalar type of our schema has a description.
#[tokio::test]
async fn every_type_has_a_description() {
    let missing: Vec<String> = our_types()
        .await
        .iter()
        .filter(|t| !has_text(&t["description"]))
        .map(|t| {
            format!(
                "{} {}",
                t["kind"].as_str().unwrap_or_default(),
                t["name"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "undocumented types:\n{}",
        missing.join("\n")
    );
}
