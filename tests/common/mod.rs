//! Helpers shared by the integration tests (`mod common;` from a file in `tests/`).
#![allow(dead_code)]

pub mod cases;
pub mod flamegraph;
pub mod go_demo;
pub mod process;
pub mod tools;
pub mod twin;
pub mod webdriver;
