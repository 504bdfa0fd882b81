//! What templates show: the page chrome (user, CSRF token, asset URLs) and the score panel,
//! computed from assessments so that the preview and the saved page agree.

use api::service::accounts::{SessionUser, StudioRole};
use scoring::{Assessment, EvidenceKind, Level};

use crate::Studio;

/// The parts of every page around its content.
pub struct Chrome {
    /// Page title.
    pub title: String,
    /// The signed-in user's name and role, if any.
    pub user: Option<(String, String)>,
    /// The session's CSRF token (empty when signed out).
    pub csrf: String,
    /// `studio.css`'s URL.
    pub css: String,
    /// `htmx.min.js`'s URL.
    pub htmx: String,
    /// `studio.js`'s URL.
    pub js: String,
    /// Whether the user manages users.
    pub admin: bool,
}

impl Studio {
    /// The chrome of a page titled `title` for `user`.
    pub fn chrome(&self, title: impl Into<String>, user: Option<&SessionUser>) -> Chrome {
        Chrome {
            title: title.into(),
            user: user.map(|u| (u.name.clone(), u.role.to_string())),
            csrf: user.map(|u| u.csrf.clone()).unwrap_or_default(),
            css: self.assets.url("studio.css"),
            htmx: self.assets.url("htmx.min.js"),
            js: self.assets.url("studio.js"),
            admin: user.is_some_and(|u| u.role == StudioRole::Admin),
        }
    }
}

/// A level's words and CSS class (the words are always shown: not by colour alone).
pub fn level(level: Level) -> (&'static str, &'static str) {
    match level {
        Level::Low => ("Low", "level-low"),
        Level::Moderate => ("Moderate", "level-moderate"),
        Level::High => ("High", "level-high"),
        Level::VeryHigh => ("Very high", "level-very-high"),
    }
}

fn kind_label(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::TaskExposure => "tasks",
        EvidenceKind::Repetitiveness => "repetitiveness",
        EvidenceKind::AiAdoption => "adoption",
        EvidenceKind::HumanJudgment => "judgment",
    }
}

/// One line of the panel: a measure, its value and its change against the working copy and
/// the published page.
pub struct PanelRow {
    /// What is measured.
    pub label: String,
    /// Its value.
    pub value: String,
    /// Change against the saved working copy ("" when none).
    pub vs_working: String,
    /// Change against the published page ("" when none or unpublished).
    pub vs_published: String,
}

/// The score panel.
pub struct ScorePanel {
    /// The score shown.
    pub score: u8,
    /// Its level in words.
    pub level: &'static str,
    /// Its level's CSS class.
    pub level_class: &'static str,
    /// "47, +4: tasks +6.2, adoption -2.2" against the working copy, or "as saved".
    pub headline: String,
    /// The same against the published page, if there is one.
    pub published_headline: Option<String>,
    /// Coverage, indices and contributions.
    pub rows: Vec<PanelRow>,
    /// A rule the form breaks, with its field (the score is the working copy's until fixed).
    pub error: Option<String>,
}

fn signed(delta: f64, digits: usize) -> String {
    if delta.abs() < 0.05 {
        String::new()
    } else {
        format!("{delta:+.digits$}")
    }
}

/// "+4: tasks +6.2, adoption -2.2", or `same` when nothing moved.
fn change(now: &Assessment, then: &Assessment, same: &str) -> String {
    let points = i32::from(now.score) - i32::from(then.score);
    let mut parts = Vec::new();
    for c in &now.contributions {
        let before = then
            .contributions
            .iter()
            .find(|t| t.kind == c.kind)
            .map_or(0.0, |t| t.exact);
        let d = signed(c.exact - before, 1);
        if !d.is_empty() {
            parts.push(format!("{} {d}", kind_label(c.kind)));
        }
    }
    if points == 0 && parts.is_empty() {
        return same.to_owned();
    }
    let head = if points == 0 {
        "±0".to_owned()
    } else {
        format!("{points:+}")
    };
    if parts.is_empty() {
        head
    } else {
        format!("{head}: {}", parts.join(", "))
    }
}

impl ScorePanel {
    /// The panel for `now` (the form), against the working copy and the published page.
    pub fn new(now: &Assessment, working: &Assessment, published: Option<&Assessment>) -> Self {
        let (level, level_class) = level(now.level);
        let percent = |v: f64| format!("{:.1}%", v * 100.0);
        let index =
            |a: &Assessment, f: fn(&scoring::TaskExposure) -> f64| a.task_exposure.as_ref().map(f);
        let mut rows = Vec::new();
        let mut row =
            |label: &str, v: Option<f64>, w: Option<f64>, p: Option<Option<f64>>, pct: bool| {
                let fmt = |x: f64| if pct { percent(x) } else { format!("{x:.1}") };
                let scale = if pct { 100.0 } else { 1.0 };
                let d = |other: Option<f64>| match (v, other) {
                    (Some(a), Some(b)) => signed((a - b) * scale, 1),
                    _ => String::new(),
                };
                rows.push(PanelRow {
                    label: label.to_owned(),
                    value: v.map_or_else(|| "—".to_owned(), fmt),
                    vs_working: d(w),
                    vs_published: p.map(d).unwrap_or_default(),
                });
            };
        row(
            "Coverage",
            Some(now.coverage),
            Some(working.coverage),
            published.map(|p| Some(p.coverage)),
            true,
        );
        for (label, f) in [
            (
                "Alpha (E1)",
                (|t: &scoring::TaskExposure| t.alpha) as fn(&scoring::TaskExposure) -> f64,
            ),
            ("Beta (E1 + ½ E2)", |t| t.beta),
            ("Gamma (E1 + E2)", |t| t.gamma),
        ] {
            row(
                label,
                index(now, f),
                index(working, f),
                published.map(|p| index(p, f)),
                true,
            );
        }
        for c in &now.contributions {
            let of = |a: &Assessment| {
                a.contributions
                    .iter()
                    .find(|x| x.kind == c.kind)
                    .map(|x| x.exact)
            };
            let label = match c.kind {
                EvidenceKind::TaskExposure => "Points from tasks",
                EvidenceKind::Repetitiveness => "Points from repetitiveness",
                EvidenceKind::AiAdoption => "Points from AI adoption",
                EvidenceKind::HumanJudgment => "Points from (little) human judgment",
            };
            row(label, Some(c.exact), of(working), published.map(of), false);
        }
        Self {
            score: now.score,
            level,
            level_class,
            headline: format!("{}, {}", now.score, change(now, working, "as saved")),
            published_headline: published
                .map(|p| format!("{}, {}", now.score, change(now, p, "as published"))),
            rows,
            error: None,
        }
    }
}
