//! The full role page, as a frontend asks for it.

use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error};
use crate::on_both;

/// Every section of the reference page in one request.
pub const PAGE_QUERY: &str = r#"
query Page($slug: String!) {
  role(slug: $slug) {
    slug title summary industryContext onetSocCode
    category { slug name }
    risk {
      score level modelVersion coverage
      contributions { evidence points }
      factors { kind score explanation raisesRisk }
      taskExposure { alpha beta gamma }
    }
    tasksAtRisk { text exposure taskType timeShare }
    toolsAffecting { tool { slug name vendor url } impact }
    toolsToMaster { tool { slug name } note }
    protectiveSkills
    migrationPaths { target { slug title } rationale }
    faqs { question answer }
    sources { title publisher url publishedOn }
    relatedRoles(first: 5) { slug title risk { score level } }
    status version updatedAt publishedAt
  }
}"#;

on_both!(
    backend_developer_page_has_every_section,
    unknown_slug_is_null,
    the_scoring_model_explains_every_stored_score,
);

async fn backend_developer_page_has_every_section(app: TestApp) {
    let data = app
        .data(PAGE_QUERY, json!({ "slug": "backend-developer" }))
        .await;
    let role = &data["role"];
    assert_eq!(role["title"], "Backend Developer");
    assert_eq!(role["category"]["slug"], "technology");
    assert_eq!(role["risk"]["level"], "MODERATE");
    let score = role["risk"]["score"].as_i64().expect("score");
    let points: i64 = role["risk"]["contributions"]
        .as_array()
        .expect("contributions")
        .iter()
        .map(|c| c["points"].as_i64().expect("points"))
        .sum();
    assert_eq!(points, score, "contributions add up to the score");
    for section in [
        "tasksAtRisk",
        "toolsAffecting",
        "toolsToMaster",
        "protectiveSkills",
        "migrationPaths",
        "faqs",
        "sources",
        "relatedRoles",
    ] {
        assert!(
            !role[section].as_array().expect(section).is_empty(),
            "{section} is empty"
        );
    }
    let tools: Vec<&str> = role["toolsAffecting"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["tool"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        tools,
        [
            "GitHub Copilot",
            "Claude Code",
            "Amazon CodeWhisperer",
            "Cursor"
        ]
    );
    let targets: Vec<&str> = role["migrationPaths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| p["target"]["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(
        targets,
        [
            "cloud-architect",
            "devops-engineer",
            "machine-learning-engineer"
        ]
    );
    insta::assert_json_snapshot!("backend_developer_page", redact(data));
}

async fn unknown_slug_is_null(app: TestApp) {
    let response = app
        .query(PAGE_QUERY, json!({ "slug": "no-such-role" }))
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    assert_eq!(response["data"]["role"], Value::Null);
    let bad = app.query("{ role(slug: 1) { title } }", json!({})).await;
    assert_eq!(first_error(&bad).0, "BAD_USER_INPUT");
}

/// Timestamps differ per run; everything else must not.
fn redact(mut data: Value) -> Value {
    for key in ["updatedAt", "publishedAt"] {
        if data["role"][key].is_string() {
            data["role"][key] = json!("[timestamp]");
        }
    }
    data
}

async fn the_scoring_model_explains_every_stored_score(app: TestApp) {
    let data = app
        .data(
            r#"{ scoringModel { version repetitivenessWeight aiAdoptionWeight humanJudgmentWeight
                 maxTaskWeight levels { level minScore maxScore } disclaimer }
               roles(first: 100) { nodes { risk { modelVersion score level } } } }"#,
            json!({}),
        )
        .await;
    let model = &data["scoringModel"];
    let weights: f64 = [
        "repetitivenessWeight",
        "aiAdoptionWeight",
        "humanJudgmentWeight",
    ]
    .iter()
    .map(|k| model[k].as_f64().expect("weight"))
    .sum();
    assert!((weights - 1.0).abs() < 1e-9);
    let bands: Vec<(String, i64, i64)> = model["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|b| {
            (
                b["level"].as_str().expect("level").to_owned(),
                b["minScore"].as_i64().expect("min"),
                b["maxScore"].as_i64().expect("max"),
            )
        })
        .collect();
    assert_eq!(
        bands.iter().map(|b| b.1).collect::<Vec<_>>(),
        [0, 25, 50, 75]
    );
    assert!(
        model["disclaimer"]
            .as_str()
            .expect("disclaimer")
            .contains("estimates")
    );
    for role in data["roles"]["nodes"].as_array().expect("roles") {
        assert_eq!(role["risk"]["modelVersion"], model["version"]);
        let score = role["risk"]["score"].as_i64().expect("score");
        let band = bands
            .iter()
            .find(|b| b.1 <= score && score <= b.2)
            .expect("a band");
        assert_eq!(role["risk"]["level"], json!(band.0));
    }
}
