//! Pieces the integration tests share.
pub mod tracking;
