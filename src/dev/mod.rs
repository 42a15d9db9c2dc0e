//! Developer tools that ship in the binary but are not the product: the offline showcase
//! (`regwatch demo`), the end-to-end benchmark (`regwatch bench`, `measure`), the in-memory
//! page server they and the tests use, and a fast seeder of many changes (the web benchmark). Only `cli` (the `demo`, `bench` and `measure` commands)
//! imports this tree (`tests/architecture.rs` enforces it); `--no-default-features` leaves it,
//! and `libc`, out of the build.

pub mod bench;
pub mod demo;
pub mod measure;
pub mod seed;
pub mod serve;
