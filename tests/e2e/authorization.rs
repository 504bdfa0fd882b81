//! Every mutation, read from the live schema, is refused unless the caller holds its
//! permission: a new mutation is covered without editing this test, and one that does not say
//! which permission it needs fails it.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, first_error, token};
use crate::on_both;

/// The scopes a token can carry, one permission each.
const SCOPES: [&str; 4] = [
    "content:read",
    "content:write",
    "content:publish",
    "content:delete",
];

const SCHEMA: &str = r#"{
  __schema {
    mutationType { fields { name description args { name type { ...Ref } } type { ...Ref } } }
    types { name kind inputFields { name defaultValue type { ...Ref } } enumValues { name } }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// A mutation as introspection describes it.
struct Mutation {
    name: String,
    needs: String,
    args: Vec<(String, Value)>,
    returns_object: bool,
}

/// The scope the description says the mutation needs ("Needs `content:write`.").
fn needed_scope(name: &str, description: &str) -> String {
    let words: Vec<&str> = description.split_whitespace().collect();
    let found = words.windows(2).find_map(|w| {
        (w[0] == "Needs")
            .then(|| w[1].trim_end_matches('.').trim_matches('`'))
            .filter(|scope| SCOPES.contains(scope))
    });
    found
        .unwrap_or_else(|| {
            panic!("mutation {name} must say which permission it needs (\"Needs `content:...`.\"): {description:?}")
        })
        .to_owned()
}

/// The type's GraphQL spelling, e.g. `[String!]!`.
fn spelling(ty: &Value) -> String {
    match ty["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", spelling(&ty["ofType"])),
        Some("LIST") => format!("[{}]", spelling(&ty["ofType"])),
        _ => ty["name"].as_str().expect("a named type").to_owned(),
    }
}

/// A value of the type that passes GraphQL validation: required fields only, lists empty.
fn sample(ty: &Value, types: &BTreeMap<String, Value>) -> Value {
    match ty["kind"].as_str() {
        Some("NON_NULL") => sample(&ty["ofType"], types),
        Some("LIST") => json!([]),
        _ => {
            let name = ty["name"].as_str().expect("a named type");
            let def = &types[name];
            match (def["kind"].as_str(), name) {
                (_, "String" | "ID") => json!("x"),
                (_, "Int") => json!(1),
                (_, "Float") => json!(1.0),
                (_, "Boolean") => json!(false),
                (_, "NaiveDate") => json!("2024-01-01"),
                (_, "DateTime") => json!("2024-01-01T00:00:00Z"),
                (Some("ENUM"), _) => def["enumValues"][0]["name"].clone(),
                (Some("INPUT_OBJECT"), _) => {
                    let mut fields = Map::new();
                    for field in def["inputFields"].as_array().expect("input fields") {
                        let required =
                            field["type"]["kind"] == "NON_NULL" && field["defaultValue"].is_null();
                        if required {
                            let name = field["name"].as_str().expect("name").to_owned();
                            fields.insert(name, sample(&field["type"], types));
                        }
                    }
                    Value::Object(fields)
                }
                _ => json!({}),
            }
        }
    }
}

async fn mutations(app: &TestApp) -> Vec<Mutation> {
    let schema = app.data(SCHEMA, json!({})).await;
    let types: BTreeMap<String, Value> = schema["__schema"]["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| (t["name"].as_str().expect("name").to_owned(), t.clone()))
        .collect();
    let fields = schema["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("the schema has mutations");
    fields
        .iter()
        .map(|f| {
            let name = f["name"].as_str().expect("name").to_owned();
            let needs = needed_scope(&name, f["description"].as_str().unwrap_or_default());
            let args = f["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(|a| {
                    let arg = a["name"].as_str().expect("name").to_owned();
                    (arg, a["type"].clone())
                })
                .collect::<Vec<_>>();
            let mut unwrapped = &f["type"];
            while unwrapped["kind"] == "NON_NULL" || unwrapped["kind"] == "LIST" {
                unwrapped = &unwrapped["ofType"];
            }
            let returns_object = unwrapped["kind"] == "OBJECT";
            let args = args
                .into_iter()
                .map(|(arg, ty)| {
                    let value = sample(&ty, &types);
                    (format!("{arg}: {}", spelling(&ty)), value)
                })
                .collect();
            Mutation {
                name,
                needs,
                args,
                returns_object,
            }
        })
        .collect()
}

/// Calls the mutation with sample arguments as variables; returns the answer.
async fn call(app: &TestApp, m: &Mutation, token: Option<&str>) -> Value {
    let mut declarations = Vec::new();
    let mut arguments = Vec::new();
    let mut variables = Map::new();
    for (i, (declaration, value)) in m.args.iter().enumerate() {
        let (arg, ty) = declaration.split_once(": ").expect("name: type");
        declarations.push(format!("$v{i}: {ty}"));
        arguments.push(format!("{arg}: $v{i}"));
        variables.insert(format!("v{i}"), value.clone());
    }
    let wrap = |parts: &[String]| {
        if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        }
    };
    let selection = if m.returns_object {
        " { __typename }"
    } else {
        ""
    };
    let query = format!(
        "mutation{} {{ {}{}{} }}",
        wrap(&declarations),
        m.name,
        wrap(&arguments),
        selection
    );
    app.query_as(token, &query, Value::Object(variables)).await
}

/// Rows and versions of everything a mutation can write, to see that a refusal wrote nothing.
async fn fingerprint(app: &TestApp) -> Vec<String> {
    let mut all = Vec::new();
    for table in [
        "roles",
        "role_revisions",
        "role_tasks",
        "categories",
        "tools",
        "sources",
        "audit_events",
    ] {
        all.extend(
            app.sql_strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
                .await,
        );
    }
    for table in ["roles", "categories", "tools", "sources"] {
        all.extend(
            app.sql_strings(&format!(
                "SELECT CAST(COALESCE(SUM(version), 0) AS TEXT) FROM {table}"
            ))
            .await,
        );
    }
    all
}

on_both!(spawn_with_jwt => every_mutation_is_refused_without_its_permission);

async fn every_mutation_is_refused_without_its_permission(app: TestApp) {
    let mutations = mutations(&app).await;
    assert!(mutations.len() >= 16, "found {} mutations", mutations.len());
    let before = fingerprint(&app).await;
    let no_scope = token("nobody", None);
    let mut checked = 0;
    for m in &mutations {
        let r = call(&app, m, None).await;
        assert_eq!(
            first_error(&r).0,
            "UNAUTHENTICATED",
            "{} without a token: {r:#}",
            m.name
        );
        assert!(r["data"].is_null() || r["data"][&m.name].is_null(), "{r:#}");
        let r = call(&app, m, Some(&no_scope)).await;
        assert_eq!(
            first_error(&r).0,
            "FORBIDDEN",
            "{} with no scope: {r:#}",
            m.name
        );
        // Every permission implies content:read; the others stand alone.
        let others = SCOPES
            .iter()
            .filter(|s| **s != m.needs && m.needs != "content:read");
        for scope in others {
            let r = call(&app, m, Some(&token("other", Some(scope)))).await;
            assert_eq!(
                first_error(&r).0,
                "FORBIDDEN",
                "{} needs {} but {scope} was let in: {r:#}",
                m.name,
                m.needs
            );
            checked += 1;
        }
    }
    assert_eq!(
        fingerprint(&app).await,
        before,
        "a refused mutation wrote something"
    );
    // With its scope alone, each gets past the permission check (the sample arguments may still
    // be refused as input, or name nothing that exists).
    for m in &mutations {
        let r = call(&app, m, Some(&token("editor", Some(&m.needs)))).await;
        if r.get("errors").is_some() {
            let (code, _) = first_error(&r);
            assert!(
                !matches!(code, "UNAUTHENTICATED" | "FORBIDDEN" | "INTERNAL"),
                "{} with {}: {r:#}",
                m.name,
                m.needs
            );
        }
    }
    eprintln!(
        "[{:?}] {} mutations, {} refusals checked, each allowed with its own scope",
        app.backend,
        mutations.len(),
        checked + 2 * mutations.len()
    );
}
