//! Static analysis of a request before it runs: what it can cost, how deep it nests, how many
//! aliases and root fields it has.
//!
//! Cost counts what a list can return: a list field costs its item cost times its size, which is
//! its `first` argument (clamped to the argument's maximum) or, for lists without an argument,
//! the documented cap on how many an editor may store. A connection (`roles`, `category.roles`,
//! `tool.roles`) passes its page size down to its `nodes` and `edges`. Every field costs at least
//! 1, so a query's cost is an upper bound on the number of values its answer can hold.
//!
//! The model is built from the schema's own SDL, and building fails when a list field has no
//! size rule, so a new list cannot ship uncounted.
//!
//! Introspection (`__schema`, `__type`) reads the in-memory schema, not the database, so it does
//! not count against the data depth limit; it has bounds of its own: a depth
//! ([`INTROSPECTION_MAX_DEPTH`]) that fits graphql-js's standard introspection query with room,
//! and a nesting of lists ([`INTROSPECTION_MAX_LIST_NESTING`]) that allows `types.fields.args`
//! but refuses `types.fields.type.fields...`, whose answer grows exponentially.
//!
//! The analysis expands fragments with memoisation, so a fragment spread a thousand times is
//! analysed once, and refuses fragments nested deeper than [`MAX_NESTING`] before the
//! validation and execution that would recurse through them.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, FragmentDefinition, OperationType,
    Selection, SelectionSet, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Positioned, Value, Variables};
use async_graphql_value::Value as AstValue;

use crate::graphql::query::audit::{AUDIT_DEFAULT, AUDIT_MAX};
use crate::graphql::query::webhooks::{DELIVERIES_DEFAULT, DELIVERIES_MAX};
use crate::graphql::types::role::{RELATED_DEFAULT, RELATED_MAX, REVISIONS_DEFAULT, REVISIONS_MAX};
use crate::reference::{BENCHMARKS_MAX, DATASETS};
use crate::service::catalog::{MAX_CATEGORIES, MAX_SOURCES, MAX_TOOLS};
use crate::service::content::MAX_ITEMS;
use crate::service::listing::{DEFAULT_PAGE, MAX_PAGE};

/// Deepest introspection selection accepted (graphql-js 16's standard query needs 15; deeper
/// `ofType` chains only cost linearly, the list nesting bound is what stops explosions).
pub const INTROSPECTION_MAX_DEPTH: usize = 24;
/// Most introspection lists nested in one another (`types { fields { args } }` is 3).
pub const INTROSPECTION_MAX_LIST_NESTING: usize = 3;
/// Deepest nesting of selections and fragment spreads the analysis follows.
pub const MAX_NESTING: usize = 64;

/// Limits a request must stay within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest data selection (`JOBRISK_MAX_DEPTH`).
    pub max_depth: usize,
    /// Largest cost (`JOBRISK_MAX_COST`).
    pub max_cost: u64,
    /// Most aliased fields, counted after expanding fragments (`JOBRISK_MAX_ALIASES`).
    pub max_aliases: u64,
    /// Most fields at the root of the operation (`JOBRISK_MAX_ROOT_FIELDS`).
    pub max_root_fields: u64,
    /// Most fields after expanding fragments (`JOBRISK_MAX_FIELDS`).
    pub max_fields: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_cost: 50_000,
            max_aliases: 30,
            max_root_fields: 20,
            max_fields: 2_000,
        }
    }
}

/// What the analysis found out about the selected operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// Query or mutation.
    pub operation_type: OperationType,
    /// The operation's name, when it has one.
    pub operation_name: Option<String>,
    /// Upper bound of the values the answer can hold.
    pub cost: u64,
    /// Deepest data selection.
    pub depth: usize,
    /// Deepest introspection selection.
    pub introspection_depth: usize,
    /// Aliased fields after expanding fragments.
    pub aliases: u64,
    /// Fields at the root.
    pub root_fields: u64,
    /// Fields after expanding fragments.
    pub fields: u64,
}

/// Why a request is refused before it runs; the message names the measure and the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// How many items a field can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Size {
    /// Not a list.
    One,
    /// A list with a fixed cap.
    Fixed(u64),
    /// A list sized by its `first` argument.
    First { default: u64, max: u64 },
    /// A connection whose `nodes` and `edges` hold `first` items.
    Connection { default: u64, max: u64 },
    /// `nodes`/`edges` of a connection: as many as the connection's page.
    Page,
}

#[derive(Debug, Clone)]
struct FieldInfo {
    type_name: String,
    size: Size,
}

/// The size rule of each list field of the schema, and the connections.
fn size_rule(parent: &str, field: &str) -> Option<Size> {
    let items = MAX_ITEMS as u64;
    let page = Size::Connection {
        default: DEFAULT_PAGE,
        max: MAX_PAGE,
    };
    Some(match (parent, field) {
        ("Query", "roles") | ("Category", "roles") | ("Tool", "roles") => page,
        ("RoleConnection", "nodes" | "edges") => Size::Page,
        ("Query", "categories") => Size::Fixed(MAX_CATEGORIES as u64),
        ("Query", "tools") => Size::Fixed(MAX_TOOLS as u64),
        ("Query", "sources") => Size::Fixed(MAX_SOURCES as u64),
        (
            "Role",
            "tasks" | "tasksAtRisk" | "toolsAffecting" | "toolsToMaster" | "protectiveSkills"
            | "migrationPaths" | "faqs" | "sources" | "staleSources",
        ) => Size::Fixed(items),
        ("Role", "relatedRoles") => Size::First {
            default: RELATED_DEFAULT as u64,
            max: RELATED_MAX as u64,
        },
        ("Role", "revisions") => Size::First {
            default: REVISIONS_DEFAULT as u64,
            max: REVISIONS_MAX as u64,
        },
        ("Query", "auditEvents") => Size::First {
            default: AUDIT_DEFAULT as u64,
            max: AUDIT_MAX as u64,
        },
        ("Query", "occupations") => page,
        ("OccupationConnection", "nodes" | "edges") => Size::Page,
        ("Occupation", "tasks") => Size::Fixed(items),
        ("Role" | "Occupation", "benchmarks") => Size::Fixed(BENCHMARKS_MAX as u64),
        ("Query", "referenceDatasets") => Size::Fixed(DATASETS.len() as u64),
        ("Query", "webhooks") => Size::Fixed(50),
        ("Query", "webhookDeliveries") => Size::Connection {
            default: DELIVERIES_DEFAULT,
            max: DELIVERIES_MAX,
        },
        ("WebhookDeliveryConnection", "nodes" | "edges") => Size::Page,
        ("Webhook", "events") => Size::Fixed(6),
        // One per factor kind, one per evidence kind, one per level band.
        ("Risk", "factors") => Size::Fixed(3),
        ("Risk", "contributions") => Size::Fixed(4),
        ("ScoringModel", "levels") => Size::Fixed(4),
        _ => return None,
    })
}

/// Introspection types' fields: (type, field) -> (field type, is a list).
fn introspection_field(parent: &str, field: &str) -> Option<(&'static str, bool)> {
    Some(match (parent, field) {
        ("__Schema", "types") => ("__Type", true),
        ("__Schema", "queryType" | "mutationType" | "subscriptionType") => ("__Type", false),
        ("__Schema", "directives") => ("__Directive", true),
        ("__Type", "fields") => ("__Field", true),
        ("__Type", "interfaces" | "possibleTypes") => ("__Type", true),
        ("__Type", "enumValues") => ("__EnumValue", true),
        ("__Type", "inputFields") => ("__InputValue", true),
        ("__Type", "ofType") => ("__Type", false),
        ("__Field", "args") | ("__Directive", "args") => ("__InputValue", true),
        ("__Field", "type") | ("__InputValue", "type") => ("__Type", false),
        ("__Directive", "locations") => ("__DirectiveLocation", true),
        _ => return None,
    })
}

/// The schema's types as the analysis needs them.
#[derive(Debug, Clone)]
pub struct CostModel {
    types: HashMap<String, HashMap<String, FieldInfo>>,
    query: String,
    mutation: String,
}

impl CostModel {
    /// Builds the model from the schema's SDL; fails when a list field has no size rule.
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let doc = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut types = HashMap::new();
        let mut query = "Query".to_owned();
        let mut mutation = "Mutation".to_owned();
        for definition in doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    if let Some(q) = &schema.node.query {
                        query = q.node.to_string();
                    }
                    if let Some(m) = &schema.node.mutation {
                        mutation = m.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let TypeKind::Object(object) = &t.node.kind else {
                        continue;
                    };
                    let parent = t.node.name.node.to_string();
                    let mut fields = HashMap::new();
                    for f in &object.fields {
                        let name = f.node.name.node.as_str();
                        let (type_name, is_list) = unwrap_type(&f.node.ty.node.base);
                        let size = match size_rule(&parent, name) {
                            Some(size) => size,
                            None if is_list => {
                                return Err(format!(
                                    "list field {parent}.{name} has no size rule in graphql::cost"
                                ));
                            }
                            None => Size::One,
                        };
                        fields.insert(name.to_owned(), FieldInfo { type_name, size });
                    }
                    types.insert(parent, fields);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(Self {
            types,
            query,
            mutation,
        })
    }

    /// Analyses the operation a request selects and checks it against `limits`.
    pub fn check(
        &self,
        doc: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
        limits: &Limits,
    ) -> Result<Analysis, Refusal> {
        let analysis = self.analyze(doc, operation_name, variables)?;
        for (what, value, limit, variable) in [
            (
                "nests",
                analysis.depth as u64,
                limits.max_depth as u64,
                "JOBRISK_MAX_DEPTH",
            ),
            (
                "has root fields:",
                analysis.root_fields,
                limits.max_root_fields,
                "JOBRISK_MAX_ROOT_FIELDS",
            ),
            (
                "has aliases:",
                analysis.aliases,
                limits.max_aliases,
                "JOBRISK_MAX_ALIASES",
            ),
            (
                "has fields (after expanding fragments):",
                analysis.fields,
                limits.max_fields,
                "JOBRISK_MAX_FIELDS",
            ),
        ] {
            if value > limit {
                return Err(Refusal(format!(
                    "the query {what} {value}, more than the limit of {limit} ({variable})"
                )));
            }
        }
        if analysis.cost > limits.max_cost {
            return Err(Refusal(format!(
                "the query costs {}, more than the limit of {} (JOBRISK_MAX_COST); a list costs \
                 its size (`first`, or its cap) times the cost of each item, so ask for smaller \
                 pages or fewer nested lists",
                analysis.cost, limits.max_cost
            )));
        }
        Ok(analysis)
    }

    /// Measures the operation a request selects, without checking limits (but refusing
    /// introspection beyond its own bounds and nesting beyond [`MAX_NESTING`]).
    pub fn analyze(
        &self,
        doc: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Result<Analysis, Refusal> {
        let (name, operation) = select_operation(&doc.operations, operation_name)?;
        let root = match operation.node.ty {
            OperationType::Query => self.query.as_str(),
            OperationType::Mutation => self.mutation.as_str(),
            OperationType::Subscription => "Subscription",
        };
        let mut defaults = HashMap::new();
        for definition in &operation.node.variable_definitions {
            if let Some(default) = &definition.node.default_value {
                defaults.insert(definition.node.name.node.as_str(), default.node.clone());
            }
        }
        let mut walker = Walker {
            model: self,
            fragments: &doc.fragments,
            variables,
            defaults,
            memo: HashMap::new(),
            visiting: HashSet::new(),
        };
        let place = Place {
            type_name: root,
            page: 1,
            introspection: None,
        };
        let stats = walker.selection_set(&operation.node.selection_set.node, place, 1)?;
        Ok(Analysis {
            operation_type: operation.node.ty,
            operation_name: name,
            cost: stats.cost,
            depth: stats.depth,
            introspection_depth: stats.introspection_depth,
            aliases: stats.aliases,
            root_fields: stats.direct_fields,
            fields: stats.fields,
        })
    }
}

/// The operation a request runs, as async-graphql selects it.
pub fn select_operation<'a>(
    operations: &'a DocumentOperations,
    operation_name: Option<&str>,
) -> Result<
    (
        Option<String>,
        &'a Positioned<async_graphql::parser::types::OperationDefinition>,
    ),
    Refusal,
> {
    match (operations, operation_name) {
        (DocumentOperations::Single(op), None) => Ok((None, op)),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .get(name)
            .map(|op| (Some(name.to_owned()), op))
            .ok_or_else(|| Refusal(format!("the document has no operation named {name:?}"))),
        (DocumentOperations::Single(_), Some(name)) => Err(Refusal(format!(
            "the document has no operation named {name:?} (its only operation is anonymous)"
        ))),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops
            .iter()
            .next()
            .map(|(name, op)| (Some(name.to_string()), op))
            .ok_or_else(|| Refusal("the document has no operation".into())),
        (DocumentOperations::Multiple(_), None) => Err(Refusal(
            "the document has several operations: name the one to run with operationName".into(),
        )),
    }
}

fn unwrap_type(base: &BaseType) -> (String, bool) {
    match base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (unwrap_type(&inner.base).0, true),
    }
}

/// Where a selection set is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Place<'a> {
    type_name: &'a str,
    /// The page size of the enclosing connection, for its `nodes` and `edges`.
    page: u64,
    /// Inside introspection: (depth so far, lists nested so far).
    introspection: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    cost: u64,
    depth: usize,
    introspection_depth: usize,
    aliases: u64,
    fields: u64,
    /// Fields of this selection set itself (fragments expanded), for the root field count.
    direct_fields: u64,
}

impl Stats {
    fn add(&mut self, other: Stats) {
        self.cost = self.cost.saturating_add(other.cost);
        self.depth = self.depth.max(other.depth);
        self.introspection_depth = self.introspection_depth.max(other.introspection_depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.fields = self.fields.saturating_add(other.fields);
        self.direct_fields = self.direct_fields.saturating_add(other.direct_fields);
    }
}

struct Walker<'a> {
    model: &'a CostModel,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    variables: &'a Variables,
    defaults: HashMap<&'a str, Value>,
    memo: HashMap<(&'a str, Place<'a>), Stats>,
    visiting: HashSet<&'a str>,
}

impl<'a> Walker<'a> {
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        place: Place<'a>,
        nesting: usize,
    ) -> Result<Stats, Refusal> {
        if nesting > MAX_NESTING {
            return Err(Refusal(format!(
                "the query nests selections and fragments more than {MAX_NESTING} levels deep"
            )));
        }
        let mut total = Stats::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let stats = self.field(&field.node, place, nesting)?;
                    total.add(Stats {
                        direct_fields: 1,
                        ..stats
                    });
                }
                Selection::InlineFragment(fragment) => {
                    let inner = match &fragment.node.type_condition {
                        Some(condition) if place.introspection.is_none() => Place {
                            type_name: self.type_name(condition.node.on.node.as_str()),
                            ..place
                        },
                        _ => place,
                    };
                    let stats =
                        self.selection_set(&fragment.node.selection_set.node, inner, nesting + 1)?;
                    total.add(stats);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let stats = self.fragment(name, place, nesting)?;
                    total.add(stats);
                }
            }
        }
        Ok(total)
    }

    /// A type name with the lifetime of the model, or of the document for unknown types.
    fn type_name(&self, name: &'a str) -> &'a str {
        self.model
            .types
            .get_key_value(name)
            .map_or(name, |(k, _)| k.as_str())
    }

    fn fragment(
        &mut self,
        name: &'a str,
        place: Place<'a>,
        nesting: usize,
    ) -> Result<Stats, Refusal> {
        // Unknown fragments are left to validation, which names them.
        let Some(definition) = self.fragments.get(name) else {
            return Ok(Stats::default());
        };
        let inner = if place.introspection.is_none() {
            Place {
                type_name: self.type_name(definition.node.type_condition.node.on.node.as_str()),
                ..place
            }
        } else {
            place
        };
        if let Some(stats) = self.memo.get(&(name, inner)) {
            return Ok(*stats);
        }
        if !self.visiting.insert(name) {
            return Err(Refusal(format!(
                "fragment {name:?} spreads itself, directly or through other fragments"
            )));
        }
        let stats = self.selection_set(&definition.node.selection_set.node, inner, nesting + 1);
        self.visiting.remove(name);
        let stats = stats?;
        self.memo.insert((name, inner), stats);
        Ok(stats)
    }

    fn field(
        &mut self,
        field: &'a Field,
        place: Place<'a>,
        nesting: usize,
    ) -> Result<Stats, Refusal> {
        let name = field.name.node.as_str();
        let alias = u64::from(field.alias.is_some());
        if name == "__typename" {
            return Ok(Stats {
                cost: 1,
                depth: usize::from(place.introspection.is_none()),
                aliases: alias,
                fields: 1,
                ..Stats::default()
            });
        }
        let children = &field.selection_set.node;
        // Introspection: its own depth and list-nesting bounds; every field costs 1.
        let entering = matches!(name, "__schema" | "__type") && place.introspection.is_none();
        if let Some((depth, lists)) = place.introspection.or(entering.then_some((0, 0))) {
            let depth = depth + 1;
            let (type_name, is_list) = if entering {
                (
                    if name == "__schema" {
                        "__Schema"
                    } else {
                        "__Type"
                    },
                    false,
                )
            } else {
                introspection_field(place.type_name, name).unwrap_or(("", false))
            };
            let lists = lists + usize::from(is_list);
            if depth > INTROSPECTION_MAX_DEPTH {
                return Err(Refusal(format!(
                    "the introspection query nests {depth}, more than the limit of {INTROSPECTION_MAX_DEPTH}"
                )));
            }
            if lists > INTROSPECTION_MAX_LIST_NESTING {
                return Err(Refusal(format!(
                    "the introspection query nests {lists} lists in one another, more than the limit of {INTROSPECTION_MAX_LIST_NESTING}"
                )));
            }
            let inner = Place {
                type_name,
                page: 1,
                introspection: Some((depth, lists)),
            };
            let stats = self.selection_set(children, inner, nesting + 1)?;
            return Ok(Stats {
                cost: stats.cost.saturating_add(1),
                depth: 0,
                introspection_depth: stats.introspection_depth.max(depth),
                aliases: stats.aliases.saturating_add(alias),
                fields: stats.fields.saturating_add(1),
                direct_fields: 0,
            });
        }
        let info = self
            .model
            .types
            .get(place.type_name)
            .and_then(|fields| fields.get(name));
        // Unknown fields are left to validation, which names them; count them as scalars.
        let (type_name, size) = info.map_or(("", Size::One), |i| (i.type_name.as_str(), i.size));
        let (multiplier, page) = match size {
            Size::One => (1, 1),
            Size::Fixed(n) => (n, 1),
            Size::First { default, max } => (self.first(field, default, max), 1),
            Size::Connection { default, max } => (1, self.first(field, default, max)),
            Size::Page => (place.page, 1),
        };
        let inner = Place {
            type_name,
            page,
            introspection: None,
        };
        let stats = self.selection_set(children, inner, nesting + 1)?;
        Ok(Stats {
            cost: multiplier.saturating_mul(stats.cost.saturating_add(1)),
            depth: stats.depth + 1,
            introspection_depth: stats.introspection_depth,
            aliases: stats.aliases.saturating_add(alias),
            fields: stats.fields.saturating_add(1),
            direct_fields: 0,
        })
    }

    /// The `first` argument's value, clamped to `0..=max`; `default` when absent or null.
    fn first(&self, field: &Field, default: u64, max: u64) -> u64 {
        let value = field
            .arguments
            .iter()
            .find(|(name, _)| name.node.as_str() == "first")
            .map(|(_, value)| &value.node);
        let resolved = match value {
            Some(AstValue::Variable(var)) => self
                .variables
                .get(var)
                .cloned()
                .or_else(|| self.defaults.get(var.as_str()).cloned()),
            Some(v) => v.clone().into_const(),
            None => None,
        };
        match resolved {
            Some(Value::Number(n)) => n
                .as_i64()
                .map_or(max, |n| u64::try_from(n).unwrap_or(0))
                .min(max),
            // Validation refuses other types; until then assume the worst.
            Some(Value::Null) | None => default,
            Some(_) => max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> CostModel {
        CostModel::from_sdl(&crate::graphql::sdl()).expect("every list field has a size rule")
    }

    fn analyze(query: &str) -> Analysis {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        model()
            .analyze(&doc, None, &Variables::default())
            .expect("analysable")
    }

    #[test]
    fn a_list_costs_its_size_times_its_items() {
        // roles(first: 10) { nodes { slug } }: 1 + 10 * (1 + 1)
        assert_eq!(analyze("{ roles(first: 10) { nodes { slug } } }").cost, 21);
        // Default page of 20.
        assert_eq!(analyze("{ roles { nodes { slug } } }").cost, 41);
        // first above the maximum counts as the maximum (execution refuses it anyway).
        assert_eq!(
            analyze("{ roles(first: 5000) { nodes { slug } } }").cost,
            201
        );
        // A list without an argument counts its storage cap.
        let tasks = analyze(r#"{ role(slug: "a") { tasks { text } } }"#);
        assert_eq!(tasks.cost, 1 + MAX_ITEMS as u64 * 2);
    }

    #[test]
    fn nested_lists_multiply() {
        let bomb = analyze(
            "{ a: roles(first: 100) { nodes { relatedRoles(first: 50) { relatedRoles(first: 50) \
             { slug title summary industryContext } } } } }",
        );
        assert_eq!(bomb.cost, 1 + 100 * (1 + 50 * (1 + 50 * 5)));
        assert_eq!(bomb.aliases, 1);
        assert_eq!(bomb.depth, 5);
    }

    #[test]
    fn variables_and_their_defaults_size_lists() {
        let doc = async_graphql::parser::parse_query(
            "query($n: Int, $m: Int = 7) { roles(first: $n) { nodes { relatedRoles(first: $m) { slug } } } }",
        )
        .expect("parses");
        let vars = Variables::from_json(serde_json::json!({ "n": 3 }));
        let a = model().analyze(&doc, None, &vars).expect("ok");
        assert_eq!(a.cost, 1 + 3 * (1 + 7 * 2));
    }

    #[test]
    fn fragments_are_expanded_once_and_cycles_refused() {
        let a = analyze(
            "{ roles(first: 2) { nodes { ...R ...R } } } fragment R on Role { slug title }",
        );
        assert_eq!(a.cost, 1 + 2 * (1 + 4));
        let doc = async_graphql::parser::parse_query(
            "{ roles { nodes { ...A } } } fragment A on Role { ...B } fragment B on Role { ...A }",
        )
        .expect("parses");
        assert!(model().analyze(&doc, None, &Variables::default()).is_err());
    }

    #[test]
    fn a_fragment_flood_is_analysed_in_linear_time() {
        // 40 fragments each spreading the next twice: 2^40 fields when expanded naively.
        let mut q = String::from("{ roles(first: 1) { nodes { ...F0 } } }\n");
        for i in 0..40 {
            q.push_str(&format!(
                "fragment F{i} on Role {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        q.push_str("fragment F40 on Role { slug }\n");
        let a = analyze(&q);
        assert!(a.fields > 1 << 39, "{a:?}");
        assert!(
            model()
                .check(
                    &async_graphql::parser::parse_query(&q).expect("parses"),
                    None,
                    &Variables::default(),
                    &Limits::default()
                )
                .is_err()
        );
    }

    #[test]
    fn introspection_has_its_own_depth_and_list_bounds() {
        let standard = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/introspection.graphql"
        ))
        .expect("fixture");
        let doc = async_graphql::parser::parse_query(&standard).expect("parses");
        let a = model()
            .check(
                &doc,
                Some("IntrospectionQuery"),
                &Variables::default(),
                &Limits::default(),
            )
            .expect("the standard introspection query passes");
        assert_eq!(a.depth, 0);
        assert_eq!(a.introspection_depth, 15, "{a:?}");
        let bomb =
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        let doc = async_graphql::parser::parse_query(bomb).expect("parses");
        let err = model()
            .analyze(&doc, None, &Variables::default())
            .expect_err("refused");
        assert!(err.0.contains("lists"), "{err}");
    }

    #[test]
    fn every_limit_names_its_variable() {
        let m = model();
        let check = |q: &str| {
            let doc = async_graphql::parser::parse_query(q).expect("parses");
            m.check(&doc, None, &Variables::default(), &Limits::default())
                .expect_err("refused")
                .0
        };
        let deep = format!(
            "{{ role(slug: \"a\") {{ {}slug{} }} }}",
            "migrationPaths { target { ".repeat(6),
            " } }".repeat(6)
        );
        assert!(check(&deep).contains("JOBRISK_MAX_DEPTH"));
        let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
        assert!(check(&format!("{{ {aliases} }}")).contains("JOBRISK_MAX_ROOT_FIELDS"));
        let cost = "{ roles(first: 100) { nodes { relatedRoles(first: 50) { relatedRoles(first: 50) { slug } } } } }";
        let message = check(cost);
        assert!(message.contains("costs 505101"), "{message}");
        assert!(message.contains("JOBRISK_MAX_COST"), "{message}");
    }
}
