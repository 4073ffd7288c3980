//! Time travel: a recorded history of actions over a deterministic simulation, with periodic
//! checkpoints (clones of the `Sim`) so that seeking back costs at most one checkpoint interval
//! of re-simulation. Acting in the past discards the recorded future: history forks.

use serde::{Deserialize, Serialize};

use super::{Action, Actor, Sim, SimError, Time};

/// An action and the exact position where it was applied: after `after_events` processed
/// events, with the clock at `at`. Replaying both reproduces the run bit for bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recorded<C> {
    pub at: Time,
    pub after_events: u64,
    pub action: Action<C>,
}

/// Most checkpoints kept; beyond it they are thinned out (see `maybe_checkpoint`).
pub const MAX_CHECKPOINTS: usize = 256;

#[derive(Clone, Debug)]
struct Checkpoint<A: Actor> {
    sim: Sim<A>,
    /// How many recorded actions this state already includes.
    applied: usize,
}

/// A simulation with a recorded, replayable, forkable history.
#[derive(Clone, Debug)]
pub struct Timeline<A: Actor> {
    /// `checkpoints[0]` is the initial simulation; later ones are on the current history line.
    checkpoints: Vec<Checkpoint<A>>,
    actions: Vec<Recorded<A::Cmd>>,
    every: Time,
    current: Sim<A>,
    applied: usize,
    end_time: Time,
}

/// Bring `sim` to the recorded position of `r` (process exactly `r.after_events` events, none
/// later than `r.at`, then set the clock to `r.at`) and apply it.
fn apply_recorded<A: Actor>(sim: &mut Sim<A>, r: &Recorded<A::Cmd>) -> Result<(), SimError> {
    while sim.events_processed() < r.after_events {
        if !sim.step_bounded(r.at) {
            break;
        }
    }
    if sim.events_processed() != r.after_events || sim.now() > r.at {
        return Err(SimError(format!(
            "recorded action at t={} µs after {} events cannot be replayed: the simulation is at \
             t={} µs after {} events (different seed, settings or action order?)",
            r.at,
            r.after_events,
            sim.now(),
            sim.events_processed()
        )));
    }
    sim.set_clock(r.at);
    sim.apply(r.action.clone())
}

/// Run `sim` to time `t`, applying every recorded action from index `*applied` with `at ≤ t`.
fn advance<A: Actor>(
    sim: &mut Sim<A>,
    actions: &[Recorded<A::Cmd>],
    applied: &mut usize,
    t: Time,
) -> Result<(), SimError> {
    while let Some(r) = actions.get(*applied).filter(|r| r.at <= t) {
        apply_recorded(sim, r)?;
        *applied += 1;
    }
    sim.run_until(t);
    Ok(())
}

impl<A: Actor> Timeline<A> {
    /// `sim` becomes checkpoint 0; later checkpoints are taken every `checkpoint_every` µs of
    /// virtual time (at least 1 µs).
    pub fn new(sim: Sim<A>, checkpoint_every: Time) -> Self {
        Timeline {
            end_time: sim.now(),
            checkpoints: vec![Checkpoint {
                sim: sim.clone(),
                applied: 0,
            }],
            actions: Vec::new(),
            every: checkpoint_every.max(1),
            current: sim,
            applied: 0,
        }
    }

    /// A timeline over a previously recorded history (e.g. from a shared URL). The history is
    /// replayed once to check it, then the timeline sits at `initial`'s time with the whole
    /// history in its future.
    pub fn with_actions(
        initial: Sim<A>,
        checkpoint_every: Time,
        actions: Vec<Recorded<A::Cmd>>,
    ) -> Result<Self, SimError> {
        let until = actions.last().map_or(initial.now(), |r| r.at);
        Self::replay(initial.clone(), &actions, until)?;
        let mut tl = Self::new(initial, checkpoint_every);
        tl.actions = actions;
        Ok(tl)
    }

    pub fn sim(&self) -> &Sim<A> {
        &self.current
    }
    pub fn initial(&self) -> &Sim<A> {
        &self.checkpoints[0].sim
    }
    pub fn actions(&self) -> &[Recorded<A::Cmd>] {
        &self.actions
    }
    /// How many recorded actions the current state includes (the rest lie in its future).
    pub fn actions_applied(&self) -> usize {
        self.applied
    }
    pub fn checkpoint_times(&self) -> Vec<Time> {
        self.checkpoints.iter().map(|c| c.sim.now()).collect()
    }
    /// The current checkpoint spacing (doubles whenever the checkpoints are thinned out).
    pub fn checkpoint_every(&self) -> Time {
        self.every
    }
    /// The furthest time reached on the current history line.
    pub fn end_time(&self) -> Time {
        self.end_time
    }

    fn last_checkpoint_time(&self) -> Time {
        self.checkpoints.last().map_or(0, |c| c.sim.now())
    }

    fn maybe_checkpoint(&mut self) {
        if self.current.now() >= self.last_checkpoint_time().saturating_add(self.every) {
            self.checkpoints.push(Checkpoint {
                sim: self.current.clone(),
                applied: self.applied,
            });
            if self.checkpoints.len() > MAX_CHECKPOINTS {
                // Bound memory on long runs: keep checkpoint 0 and every other one, and space
                // future checkpoints twice as far apart.
                let mut i = 0;
                self.checkpoints.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.every = self.every.saturating_mul(2);
            }
        }
        self.end_time = self.end_time.max(self.current.now());
    }

    /// If re-applying a recorded action fails (it cannot for a history this timeline recorded,
    /// since the kernel is deterministic), the rest of the history is discarded there.
    fn forward(&mut self, t: Time) {
        while self.current.now() < t || self.has_due_action(t) {
            let target = t.min(self.last_checkpoint_time().saturating_add(self.every));
            let target = target.max(self.current.now());
            if advance(&mut self.current, &self.actions, &mut self.applied, target).is_err() {
                self.actions.truncate(self.applied);
            }
            self.maybe_checkpoint();
        }
        self.current.run_until(t);
        self.end_time = self.end_time.max(self.current.now());
    }

    fn has_due_action(&self, t: Time) -> bool {
        self.actions.get(self.applied).is_some_and(|r| r.at <= t)
    }

    /// Run forward to `t`, re-applying recorded actions and taking checkpoints.
    pub fn advance_to(&mut self, t: Time) {
        self.forward(t);
    }

    /// Process one event (first applying recorded actions due at this position); false when
    /// nothing is left to do.
    pub fn step(&mut self) -> bool {
        self.apply_due_now(Time::MAX);
        let stepped = self.current.step();
        // Actions taken right after this event, at this very time.
        let now = self.current.now();
        self.apply_due_now(now);
        self.maybe_checkpoint();
        stepped
    }

    /// Apply recorded actions whose position is the current event count and time ≤ `limit`.
    fn apply_due_now(&mut self, limit: Time) {
        while let Some(r) = self.actions.get(self.applied) {
            if r.after_events != self.current.events_processed() || r.at > limit {
                break;
            }
            if apply_recorded(&mut self.current, r).is_err() {
                self.actions.truncate(self.applied);
                break;
            }
            self.applied += 1;
        }
    }

    /// Apply and record an action now. Recorded actions in the future of now are discarded
    /// first (history forks); returns whether that happened. A refused action changes nothing.
    pub fn act(&mut self, action: Action<A::Cmd>) -> Result<bool, SimError> {
        self.current.apply(action.clone())?;
        let forked = self.applied < self.actions.len();
        if forked {
            self.actions.truncate(self.applied);
            let (now, done) = (self.current.now(), self.current.events_processed());
            let applied = self.applied;
            // Keep only checkpoints that are prefixes of the new line.
            self.checkpoints.retain(|c| {
                c.applied <= applied && c.sim.now() <= now && c.sim.events_processed() <= done
            });
            self.end_time = now;
        }
        self.actions.push(Recorded {
            at: self.current.now(),
            after_events: self.current.events_processed(),
            action,
        });
        self.applied += 1;
        Ok(forked)
    }

    /// Go to time `t`: forward from the current state, or back via the newest checkpoint ≤ `t`.
    pub fn seek(&mut self, t: Time) {
        if t < self.current.now() {
            let cp = self
                .checkpoints
                .iter()
                .rev()
                .find(|c| c.sim.now() <= t)
                .unwrap_or(&self.checkpoints[0]);
            self.current = cp.sim.clone();
            self.applied = cp.applied;
        }
        self.forward(t);
    }

    /// Re-run `actions` over `initial` up to time `until`; errors if an action cannot be
    /// applied at its recorded position.
    pub fn replay(
        initial: Sim<A>,
        actions: &[Recorded<A::Cmd>],
        until: Time,
    ) -> Result<Sim<A>, SimError> {
        let mut sim = initial;
        let mut applied = 0;
        advance(&mut sim, actions, &mut applied, until)?;
        Ok(sim)
    }
}
