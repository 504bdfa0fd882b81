//! SeaORM models.
