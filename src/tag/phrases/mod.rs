//! Language the pack recognises in a sentence: rescission and non-enforcement, license review
//! policies and exceptions, bill stages, ECCNs and accelerator models.

mod bills;
mod licensing;
mod named;
mod rescission;

pub use bills::{STAGES, bill_stages, speaks_of_bill};
pub use licensing::{exception_withdrawn, license_exceptions, review_policies};
pub use named::{chip_groups_found, chips, eccns};
pub use rescission::{rescission, rescission_kinds, rescission_kinds_in};
