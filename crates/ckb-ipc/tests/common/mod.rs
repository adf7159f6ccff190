//! Pieces the integration tests share.
pub mod batches;
pub mod methods;
pub mod tracking;
pub mod unions;
