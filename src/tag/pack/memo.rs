//! Recognizer outputs remembered for one call of [`super::tag`].
//!
//! A changed sentence is read up to three times per change: once for the change itself, then
//! once per version in the facts check ([`super::facts`]), where the same block (under the same
//! heading) is among those that state the proposed values. The recognizers are pure functions of
//! their arguments (the sentence, its context, the language or flags; the pack data is fixed), so
//! an output computed once in the call is reused for the same arguments, compared whole (never by
//! hash alone). The memo lives only while the call runs: nothing is kept from one change to the
//! next.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::model::Lang;
use crate::tag::countries::Placement;
use crate::tag::quantity::Quantity;

/// Placements of countries a sentence states (as [`crate::tag::countries::placements`]).
type Placements = Vec<(&'static str, Placement)>;

/// Outputs by their arguments.
#[derive(Default)]
struct Memo {
    norm: HashMap<String, String>,
    columns: HashMap<String, Option<(usize, usize, usize)>>,
    quantities: HashMap<(String, String, Lang), Vec<Quantity>>,
    placements: HashMap<(String, String, bool), Placements>,
}

thread_local! {
    /// The memo of the call running on this thread, if any.
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// Keeps a memo while it lives (the outermost call's; a nested call shares it), and drops it
/// after, also on unwinding.
pub(super) struct Scope {
    outer: bool,
}

impl Scope {
    /// Starts a memo for this call unless one is running.
    pub(super) fn enter() -> Scope {
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.is_some() {
                Scope { outer: false }
            } else {
                *m = Some(Memo::default());
                Scope { outer: true }
            }
        })
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if self.outer {
            MEMO.with(|m| *m.borrow_mut() = None);
        }
    }
}

/// `f()`, or its output remembered under `key` in the table `table` picks.
fn remembered<K, V>(
    table: impl Fn(&mut Memo) -> &mut HashMap<K, V>,
    key: impl FnOnce() -> K,
    f: impl FnOnce() -> V,
) -> V
where
    K: std::hash::Hash + Eq,
    V: Clone,
{
    let key = MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let memo = m.as_mut()?;
        let key = key();
        match table(memo).get(&key) {
            Some(v) => Some(Err(v.clone())),
            None => Some(Ok(key)),
        }
    });
    match key {
        None => f(),
        Some(Err(v)) => v,
        Some(Ok(key)) => {
            // Computed outside the borrow: a recognizer may itself use the memo.
            let v = f();
            MEMO.with(|m| {
                if let Some(memo) = m.borrow_mut().as_mut() {
                    table(memo).insert(key, v.clone());
                }
            });
            v
        }
    }
}

/// `f(s)`, or its output remembered under `s` in the table `table` picks (looked up without
/// copying the text first).
fn remembered_str<V: Clone>(
    table: impl Fn(&mut Memo) -> &mut HashMap<String, V>,
    s: &str,
    f: impl FnOnce(&str) -> V,
) -> V {
    let known = MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let memo = m.as_mut()?;
        Some(table(memo).get(s).cloned())
    });
    match known {
        None => f(s),
        Some(Some(v)) => v,
        Some(None) => {
            let v = f(s);
            MEMO.with(|m| {
                if let Some(memo) = m.borrow_mut().as_mut() {
                    table(memo).insert(s.to_string(), v.clone());
                }
            });
            v
        }
    }
}

/// [`crate::tag::text::norm`].
pub(super) fn norm(s: &str) -> String {
    remembered_str(|m| &mut m.norm, s, crate::tag::text::norm)
}

/// [`super::before_after_columns`]: the rows of a table are read in both versions.
pub(super) fn before_after_columns(row: &str) -> Option<(usize, usize, usize)> {
    remembered_str(|m| &mut m.columns, row, super::before_after_columns_of)
}

/// [`crate::tag::quantity::quantities`].
pub(super) fn quantities(s: &str, block: &str, lang: Lang) -> Vec<Quantity> {
    remembered(
        |m| &mut m.quantities,
        || (s.to_string(), block.to_string(), lang),
        || crate::tag::quantity::quantities(s, block, lang),
    )
}

/// [`crate::tag::countries::placements`].
pub(super) fn placements(s: &str, block: &str, doc_context: bool) -> Placements {
    remembered(
        |m| &mut m.placements,
        || (s.to_string(), block.to_string(), doc_context),
        || crate::tag::countries::placements(s, block, doc_context),
    )
}
