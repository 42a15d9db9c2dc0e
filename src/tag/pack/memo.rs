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
use std::rc::Rc;

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
    /// Each context text seen, by a number (a sentence's context is its whole block: it is
    /// hashed once per block, not once per sentence).
    contexts: HashMap<String, u32>,
    /// The context looked up last, with its number (kept alive, so the pointer stays its own).
    last_context: Option<(Rc<str>, u32)>,
    quantities: HashMap<(u32, Lang), HashMap<String, Vec<Quantity>>>,
    placements: HashMap<(u32, bool), HashMap<String, Placements>>,
}

impl Memo {
    /// The number of a context text (the same text, the same number).
    fn context_id(&mut self, context: &Rc<str>) -> u32 {
        if let Some((last, id)) = &self.last_context
            && Rc::ptr_eq(last, context)
        {
            return *id;
        }
        let id = match self.contexts.get(&**context) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.contexts.len()).unwrap_or(u32::MAX);
                self.contexts.insert(context.to_string(), id);
                id
            }
        };
        self.last_context = Some((Rc::clone(context), id));
        id
    }
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

/// `f(s)`, or its output remembered under `s` and the number of its context in the table
/// `table` picks (looked up without copying the sentence or the context).
fn remembered_in<F, V>(
    table: impl Fn(&mut Memo, u32) -> &mut HashMap<String, V>,
    s: &str,
    context: &Rc<str>,
    f: F,
) -> V
where
    F: FnOnce() -> V,
    V: Clone,
{
    let known = MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let memo = m.as_mut()?;
        let id = memo.context_id(context);
        Some((id, table(memo, id).get(s).cloned()))
    });
    match known {
        None => f(),
        Some((_, Some(v))) => v,
        Some((id, None)) => {
            // Computed outside the borrow: a recognizer may itself use the memo.
            let v = f();
            MEMO.with(|m| {
                if let Some(memo) = m.borrow_mut().as_mut() {
                    table(memo, id).insert(s.to_string(), v.clone());
                }
            });
            v
        }
    }
}

/// [`crate::tag::quantity::quantities`].
pub(super) fn quantities(s: &str, block: &Rc<str>, lang: Lang) -> Vec<Quantity> {
    remembered_in(
        |m, id| m.quantities.entry((id, lang)).or_default(),
        s,
        block,
        || crate::tag::quantity::quantities(s, block, lang),
    )
}

/// [`crate::tag::countries::placements`].
pub(super) fn placements(s: &str, block: &Rc<str>, doc_context: bool) -> Placements {
    remembered_in(
        |m, id| m.placements.entry((id, doc_context)).or_default(),
        s,
        block,
        || crate::tag::countries::placements(s, block, doc_context),
    )
}
