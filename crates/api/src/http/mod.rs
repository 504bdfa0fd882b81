//! Everything between the socket and the schema, one file per concern; `server.rs` only assembles
//! the router from them.

pub mod graphiql;
