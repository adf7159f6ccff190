pub use ckb_testtool;
