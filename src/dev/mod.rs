//! Developer tools that ship in the binary but are not the product: the offline showcase
//! (`regwatch demo`), the end-to-end benchmark (`regwatch bench`, `measure`) and the in-memory
//! page server they and the tests use. The product's modules never import this tree
//! (`tests/architecture.rs` enforces it).

pub mod bench;
pub mod demo;
pub mod measure;
pub mod serve;
