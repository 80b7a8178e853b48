//! The derived engines' front door: the lens (its loaded reading kept while the store has not
//! changed), its settings, and trace.

use chrono::NaiveDate;

use crate::chairs::Thresholds;
use crate::error::{Error, Result};
use crate::lens::{Lens, LensOptions, Loaded};
use crate::model::Kind;
use crate::trace::{Evidence, Trace, TxView, View};

use super::Workspace;

/// The `meta` key of the between-chairs days.
const CHAIRS_DAYS: &str = "lens.chairs_days";

impl Workspace {
    /// The days after which something falls between chairs: this workspace's setting, or the
    /// defaults while none is kept.
    pub fn chairs_thresholds(&mut self) -> Result<Thresholds> {
        let kept = self.store.read(|tx| tx.meta(CHAIRS_DAYS))?;
        Ok(kept.map(|s| Thresholds::from_setting(&s)).unwrap_or_default())
    }

    /// Keeps `t` as this workspace's between-chairs days (`None`: back to the defaults). A
    /// negative number of days is refused and nothing is kept.
    pub fn set_chairs_thresholds(&mut self, t: Option<Thresholds>) -> Result<()> {
        if let Some(t) = &t {
            t.check()?;
        }
        self.store.write(|tx| match t {
            Some(t) => tx.set_meta(CHAIRS_DAYS, &t.to_setting()),
            None => tx.delete_meta(CHAIRS_DAYS),
        })
    }

    /// Computes the integration lens from the store. What it reads is kept in the open workspace
    /// and read again only when the store has changed since (a save here, or a commit by any other
    /// process), so repeated views of an unchanged workspace compute without reading.
    pub fn lens(&mut self, opt: &LensOptions) -> Result<Lens> {
        let generation = self.store.generation()?;
        if self.lens.as_ref().is_some_and(|l| l.generation() != generation) {
            self.lens = None; // freed before reading anew, not alongside
        }
        let loaded = match self.lens.take() {
            Some(l) => l,
            None => Box::new(Loaded::read(&mut self.store)?),
        };
        let lens = loaded.lens(opt);
        self.lens = Some(loaded);
        lens
    }

    /// Traces an item both ways, `depth` links deep, with ages counted to `today`.
    pub fn trace(&mut self, id: &str, depth: usize, today: NaiveDate) -> Result<Trace> {
        self.store.read(|tx| crate::trace::trace(&mut TxView::new(tx), id, depth, today))
    }

    /// The evidence strength of an insight as of `today`.
    pub fn evidence(&mut self, id: &str, today: NaiveDate) -> Result<Evidence> {
        self.store.read(|tx| {
            let mut view = TxView::new(tx);
            match view.node(id)? {
                Some(n) if n.kind == Kind::Insight => crate::trace::evidence(&mut view, id, today),
                Some(n) => Err(Error::invalid(format!("'{}' is a {}: evidence strength is for insights", n.title, n.kind))),
                None => Err(Error::NotFound(id.to_string())),
            }
        })
    }
}
