//! GraphiQL, served from assets vendored into the binary.
