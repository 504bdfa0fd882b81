//! Cache tags: what an answer read, so that a write drops exactly the answers it changes.
//!
//! The same names go to CDNs (`Surrogate-Key`, `Cache-Tag`) and into every write's result, so
//! that a purge script or a webhook receiver purges what the server itself dropped.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};

/// One thing an answer read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    /// One role's published page (by role id).
    Role(i32),
    /// Whatever is published at one address: a lookup by slug reads it even when it finds
    /// nothing, so that publishing at that address drops the empty answer.
    Slug(String),
    /// The published roles of one category (its lists and related roles).
    Category(i32),
    /// The published roles one tool affects.
    Tool(i32),
    /// Every list or search of published roles that no category or tool bounds.
    Roles,
    /// Categories, tools and sources themselves.
    Catalog,
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Slugs are lower-case letters, digits and hyphens (validated on every write), so each
        // name is one token in a space- or comma-separated header.
        match self {
            Tag::Role(id) => write!(f, "role-{id}"),
            Tag::Slug(slug) => write!(f, "slug-{slug}"),
            Tag::Category(id) => write!(f, "category-{id}"),
            Tag::Tool(id) => write!(f, "tool-{id}"),
            Tag::Roles => f.write_str("roles"),
            Tag::Catalog => f.write_str("catalog"),
        }
    }
}

impl Tag {
    /// The tag a [`Display`](fmt::Display) name stands for, if it is one.
    pub fn parse(name: &str) -> Option<Tag> {
        let number = |rest: &str| rest.parse::<i32>().ok();
        if let Some(rest) = name.strip_prefix("role-") {
            return number(rest).map(Tag::Role);
        }
        if let Some(rest) = name.strip_prefix("category-") {
            return number(rest).map(Tag::Category);
        }
        if let Some(rest) = name.strip_prefix("tool-") {
            return number(rest).map(Tag::Tool);
        }
        if let Some(rest) = name.strip_prefix("slug-") {
            let valid = !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            return valid.then(|| Tag::Slug(rest.to_owned()));
        }
        match name {
            "roles" => Some(Tag::Roles),
            "catalog" => Some(Tag::Catalog),
            _ => None,
        }
    }
}

/// A set of tags, ordered so that headers and write results list them the same way each time.
pub type TagSet = BTreeSet<Tag>;

/// The names of `tags` joined by `separator`, as a header or a purge list wants them.
pub fn joined(tags: &TagSet, separator: &str) -> String {
    tags.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

/// Collects the tags of one request while it runs; resolvers reach it through the context.
#[derive(Debug, Clone, Default)]
pub struct Collector(Arc<Mutex<TagSet>>);

impl Collector {
    /// Records that the answer read `tag`.
    pub fn add(&self, tag: Tag) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(tag);
        }
    }

    /// Records every tag of `tags`.
    pub fn extend(&self, tags: impl IntoIterator<Item = Tag>) {
        if let Ok(mut set) = self.0.lock() {
            set.extend(tags);
        }
    }

    /// The tags recorded so far.
    pub fn tags(&self) -> TagSet {
        self.0.lock().map(|set| set.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_join_in_order() {
        let tags: TagSet = [
            Tag::Roles,
            Tag::Role(12),
            Tag::Slug("backend-developer".into()),
            Tag::Category(3),
            Tag::Tool(7),
            Tag::Catalog,
        ]
        .into_iter()
        .collect();
        for tag in &tags {
            assert_eq!(Tag::parse(&tag.to_string()).as_ref(), Some(tag));
        }
        assert_eq!(
            joined(&tags, " "),
            "role-12 slug-backend-developer category-3 tool-7 roles catalog"
        );
        assert_eq!(Tag::parse("role-x"), None);
        assert_eq!(Tag::parse("slug-Bad Slug"), None);
        assert_eq!(Tag::parse("everything"), None);
    }

    #[test]
    fn a_collector_shared_by_clones_sees_every_tag_once() {
        let collector = Collector::default();
        let other = collector.clone();
        collector.add(Tag::Role(1));
        other.extend([Tag::Role(1), Tag::Roles]);
        assert_eq!(collector.tags().len(), 2);
    }
}
