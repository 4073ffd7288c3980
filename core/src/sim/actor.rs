//! The contract between the simulator and the protocols that run on it.

use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use crate::base::SimRng;

pub use crate::base::time::{Time, MS, SEC};

/// Index of an actor in the simulation (servers first: 0 is "n1"; clients follow).
pub type ActorId = usize;

/// A timer slot of an actor. Setting a slot again replaces (cancels) the pending one.
pub type TimerKind = u8;

/// A message that can travel over the simulated network.
pub trait Message: Clone + Debug {
    /// Short kind label used by the trace, the UI colours and the event log,
    /// e.g. "RequestVote", "AppendEntries", "Heartbeat", "ClientRequest".
    fn kind(&self) -> &'static str;
    /// Size on the wire, used by the bandwidth model.
    fn size_bytes(&self) -> u32 {
        64
    }
}

/// Durable storage of one actor: survives crashes. Written only through `Effect::Persist`.
pub trait Durable: Clone + Default + Debug {
    type Op: Clone + Debug;
    fn apply(&mut self, op: Self::Op);
}

/// The unit durable store, for actors that keep nothing across a crash.
#[derive(Clone, Default, Debug)]
pub struct NoDurable;
impl Durable for NoDurable {
    type Op = ();
    fn apply(&mut self, _op: ()) {}
}

/// An annotation that goes into the trace. Plain data (no heap) so that recording one costs
/// nothing on the hot path. The kernel gives no meaning to `Proto` notes: the protocol that emits
/// one (a role change, a commit, a suspicion) decodes it again for the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Note {
    /// A protocol-defined event: `code` says what happened, `a` and `b` carry its values.
    Proto { code: u16, a: u64, b: u64 },
    /// A client invoked operation `op` (client-local id).
    Invoke { op: u64 },
    /// A client's operation `op` completed; `ok` says whether it succeeded.
    Complete { op: u64, ok: bool },
    /// A protocol decision's reason (`why.rs`), namespaced like `Proto`.
    Why(super::why::Why),
}

/// What an actor asks the simulator to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect<M, P> {
    Send { to: ActorId, msg: M },
    SetTimer { kind: TimerKind, after: Time },
    CancelTimer { kind: TimerKind },
    Persist(P),
    Note(Note),
}

/// Where a callback's effects go: a buffer (`Vec`: the kernel's, a test's), or a service
/// host's lift of a service's effects into its node's (`service::host::run_part`). Why a sink
/// rather than a `Vec` for everybody: a host gave each callback of a service a fresh `Vec`
/// and copied it into the node's afterwards, an allocation and a copy of every effect per
/// handler (twice for the queue's Raft groups).
pub trait EffectSink<M, P> {
    fn push(&mut self, e: Effect<M, P>);
}

impl<M, P> EffectSink<M, P> for Vec<Effect<M, P>> {
    #[inline]
    fn push(&mut self, e: Effect<M, P>) {
        Vec::push(self, e);
    }
}

/// Handed to every actor callback: the clock, the shared PRNG, the durable store (read-only;
/// writes go through `persist`) and the effect sink.
pub struct Ctx<'a, M, D: Durable> {
    /// This node's own clock reading (`clock.rs`), not true time: with skew two nodes read
    /// different values at one instant. It never decreases for a node. Timer durations
    /// (`set_timer`) are measured on the same clock.
    pub now: Time,
    pub me: ActorId,
    pub rng: &'a mut SimRng,
    pub durable: &'a D,
    pub out: &'a mut dyn EffectSink<M, D::Op>,
    /// Whether anyone keeps notes: the trace records or hashes them. A benchmark's simulation
    /// does neither, so `note` drops them there, and a protocol may skip working one out
    /// (`Ctx::notes`). Why: in the seeds' report a fifth of all effects were notes that went
    /// nowhere (issue 14). Notes never change what an actor does, so results are the same.
    pub notes: bool,
}

impl<M, D: Durable> Ctx<'_, M, D> {
    pub fn send(&mut self, to: ActorId, msg: M) {
        self.out.push(Effect::Send { to, msg });
    }
    pub fn set_timer(&mut self, kind: TimerKind, after: Time) {
        self.out.push(Effect::SetTimer { kind, after });
    }
    pub fn cancel_timer(&mut self, kind: TimerKind) {
        self.out.push(Effect::CancelTimer { kind });
    }
    pub fn persist(&mut self, op: D::Op) {
        self.out.push(Effect::Persist(op));
    }
    pub fn note(&mut self, note: Note) {
        if self.notes {
            self.out.push(Effect::Note(note));
        }
    }
    /// Whether a note would be kept: a caller whose note takes work to write asks first.
    pub fn notes(&self) -> bool {
        self.notes
    }
}

/// A sans-I/O state machine run by the simulator. `Clone` is what makes checkpoints cheap.
pub trait Actor: Clone + Debug {
    type Msg: Message;
    type Durable: Durable;
    /// An input from outside the simulated world: a UI button, an API-console request, a
    /// benchmark driver (e.g. "client 3: acquire db", "node 2: transfer leadership").
    type Cmd: Clone + Debug;

    /// Boot, and every restart after a crash: rebuild volatile state from `ctx.durable`.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Durable>);
    fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, Self::Msg, Self::Durable>,
        from: ActorId,
        msg: Self::Msg,
    );
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Durable>, kind: TimerKind);
    fn on_command(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Durable>, cmd: Self::Cmd);
    /// The node crashed: forget every volatile field. The simulator keeps the durable store,
    /// drops pending timers and the messages this incarnation still had in flight.
    fn on_crash(&mut self);
}
