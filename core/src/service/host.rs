//! The node host: one kernel actor that runs every registered service's actor.
//!
//! `node_services!` generates, from one list of `name: Variant => ActorType`, the composed
//! actor (a struct with one field per service), its message, command and durable types (enums
//! and a struct tagged by service), and the `ServiceSet` and `Hosts<S>` impls. The glue below is
//! the only place that maps a service's effects to the node's:
//! - a send is wrapped in the node message variant of the service;
//! - timer kind `k` of service `i` becomes `offset_i + k`, where `offset_i` is the sum of the
//!   `TIMERS` of the services before it (so the first service keeps its kinds unchanged);
//! - a persist is wrapped in the node durable op of the service;
//! - a protocol note's code gets the service's slot in its high bits.

use crate::sim::{Actor, ActorId, Ctx, Durable, Effect, EffectSink, Note, TimerKind};

use super::NOTE_SLOT_SHIFT;

/// Run one callback of a service's actor inside a node callback and lift its effects.
/// `slot` is the service's registration index, `timer_offset` its first timer kind.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn run_part<S, NM, NO>(
    slot: u16,
    timer_offset: u8,
    now: crate::base::Time,
    me: ActorId,
    rng: &mut crate::base::SimRng,
    durable: &S::Durable,
    out: &mut dyn EffectSink<NM, NO>,
    notes: bool,
    wrap_msg: impl Fn(S::Msg) -> NM,
    wrap_op: impl Fn(<S::Durable as Durable>::Op) -> NO,
    f: impl FnOnce(&mut Ctx<'_, S::Msg, S::Durable>),
) where
    S: Actor,
{
    // Each effect is lifted as the service emits it, straight into the node's sink: the
    // same effects in the same order as collecting them first, without a buffer per call.
    let mut lift = Lift {
        out,
        slot,
        timer_offset,
        wrap_msg,
        wrap_op,
    };
    let mut ctx = Ctx {
        now,
        me,
        rng,
        durable,
        out: &mut lift,
        notes,
    };
    f(&mut ctx);
}

/// The sink of a service's callback: wraps each effect into the node's terms (see the module
/// docs) and passes it on.
struct Lift<'o, NM, NO, WM, WO> {
    out: &'o mut dyn EffectSink<NM, NO>,
    slot: u16,
    timer_offset: u8,
    wrap_msg: WM,
    wrap_op: WO,
}

impl<M, P, NM, NO, WM, WO> EffectSink<M, P> for Lift<'_, NM, NO, WM, WO>
where
    WM: Fn(M) -> NM,
    WO: Fn(P) -> NO,
{
    fn push(&mut self, e: Effect<M, P>) {
        let lifted = match e {
            Effect::Send { to, msg } => Effect::Send {
                to,
                msg: (self.wrap_msg)(msg),
            },
            Effect::SetTimer { kind, after } => Effect::SetTimer {
                kind: kind + self.timer_offset,
                after,
            },
            Effect::CancelTimer { kind } => Effect::CancelTimer {
                kind: kind + self.timer_offset,
            },
            Effect::Persist(op) => Effect::Persist((self.wrap_op)(op)),
            Effect::Note(Note::Proto { code, a, b }) => Effect::Note(Note::Proto {
                code: (self.slot << NOTE_SLOT_SHIFT) | code,
                a,
                b,
            }),
            Effect::Note(Note::Why(mut w)) => {
                w.code |= self.slot << NOTE_SLOT_SHIFT;
                Effect::Note(Note::Why(w))
            }
            Effect::Note(n) => Effect::Note(n),
        };
        self.out.push(lifted);
    }
}

/// Which service a node timer kind belongs to, given every service's `TIMERS`: `(slot, kind)`.
pub fn timer_owner(kind: TimerKind, timers: &[u8]) -> Option<(usize, TimerKind)> {
    let mut offset = 0u8;
    for (slot, &n) in timers.iter().enumerate() {
        if kind < offset.saturating_add(n) {
            return Some((slot, kind - offset));
        }
        offset = offset.saturating_add(n);
    }
    None
}

/// The first timer kind of service `slot`.
pub const fn timer_offset(timers: &[u8], slot: usize) -> u8 {
    let mut offset = 0u8;
    let mut i = 0;
    while i < slot {
        offset += timers[i];
        i += 1;
    }
    offset
}

/// Compose services into one node actor. See the module docs; used once, in `services/mod.rs`.
#[macro_export]
macro_rules! node_services {
    (
        $(#[$meta:meta])*
        pub struct $node:ident / $msg:ident / $cmd:ident / $durable:ident / $op:ident {
            $( $slot:literal : $field:ident : $variant:ident => $svc:ty, api: $api:expr; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $node {
            $( pub $field: $svc, )+
        }

        /// A node message, tagged by the service that sent it.
        #[derive(Clone, Debug)]
        pub enum $msg {
            $( $variant(<$svc as $crate::sim::Actor>::Msg), )+
        }

        /// An outside command for one service of a node.
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $cmd {
            $( $variant(<$svc as $crate::sim::Actor>::Cmd), )+
        }

        // The share link reads a node's command by hand (`base::json_read` says why): the
        // service's name in lowercase, as serde's `rename_all` writes it, then the service's
        // own command, through its `FromJson`.
        impl $crate::base::json_read::FromJson for $cmd {
            fn from_json(v: &serde_json::Value) -> $crate::base::json_read::R<Self> {
                let mut f = $crate::base::json_read::Reader::variant(v, stringify!($cmd))?;
                let name = f.name();
                $(
                    if name == stringify!($variant).to_ascii_lowercase() {
                        let cmd = $cmd::$variant(f.newtype(
                            <<$svc as $crate::sim::Actor>::Cmd as $crate::base::json_read::FromJson>::from_json,
                        )?);
                        return f.done(cmd);
                    }
                )+
                Err(f.unknown())
            }
        }

        /// Every service's durable store on one node.
        #[derive(Clone, Debug, Default)]
        pub struct $durable {
            $( pub $field: <$svc as $crate::sim::Actor>::Durable, )+
        }

        /// A durable write of one service.
        #[derive(Clone, Debug)]
        pub enum $op {
            $( $variant(<<$svc as $crate::sim::Actor>::Durable as $crate::sim::Durable>::Op), )+
        }

        impl $crate::sim::Durable for $durable {
            type Op = $op;
            fn apply(&mut self, op: $op) {
                match op {
                    $( $op::$variant(o) => self.$field.apply(o), )+
                }
            }
        }

        impl $crate::sim::Message for $msg {
            fn kind(&self) -> &'static str {
                match self {
                    $( $msg::$variant(m) => m.kind(), )+
                }
            }
            fn size_bytes(&self) -> u32 {
                match self {
                    $( $msg::$variant(m) => m.size_bytes(), )+
                }
            }
        }

        impl $node {
            const TIMERS: &'static [u8] = &[ $( <$svc as $crate::service::Service>::TIMERS, )+ ];

            fn facts(&self) -> $crate::service::NodeFacts {
                $crate::service::NodeFacts {
                    consensus: $crate::service::ServiceSet::consensus(self),
                    memory: $crate::service::ServiceSet::memory_estimate(self),
                }
            }
        }

        impl $crate::sim::Actor for $node {
            type Msg = $msg;
            type Durable = $durable;
            type Cmd = $cmd;

            fn on_start(&mut self, ctx: &mut $crate::sim::Ctx<'_, $msg, $durable>) {
                $(
                    $crate::service::host::run_part::<$svc, _, _>(
                        $slot, $crate::service::host::timer_offset(Self::TIMERS, $slot),
                        ctx.now, ctx.me, ctx.rng, &ctx.durable.$field, ctx.out, ctx.notes,
                        $msg::$variant, $op::$variant,
                        |c| self.$field.on_start(c),
                    );
                )+
            }

            fn on_message(
                &mut self,
                ctx: &mut $crate::sim::Ctx<'_, $msg, $durable>,
                from: $crate::sim::ActorId,
                msg: $msg,
            ) {
                match msg {
                    $(
                        $msg::$variant(m) => {
                            if <$svc as $crate::service::Service>::WANTS_FACTS {
                                let facts = self.facts();
                                $crate::service::Service::see_facts(&mut self.$field, &facts);
                            }
                            $crate::service::host::run_part::<$svc, _, _>(
                                $slot, $crate::service::host::timer_offset(Self::TIMERS, $slot),
                                ctx.now, ctx.me, ctx.rng, &ctx.durable.$field, ctx.out, ctx.notes,
                                $msg::$variant, $op::$variant,
                                |c| self.$field.on_message(c, from, m),
                            );
                        }
                    )+
                }
            }

            fn on_timer(
                &mut self,
                ctx: &mut $crate::sim::Ctx<'_, $msg, $durable>,
                kind: $crate::sim::TimerKind,
            ) {
                let Some((slot, k)) = $crate::service::host::timer_owner(kind, Self::TIMERS) else {
                    return;
                };
                $(
                    if slot == $slot {
                        $crate::service::host::run_part::<$svc, _, _>(
                            $slot, $crate::service::host::timer_offset(Self::TIMERS, $slot),
                            ctx.now, ctx.me, ctx.rng, &ctx.durable.$field, ctx.out, ctx.notes,
                            $msg::$variant, $op::$variant,
                            |c| self.$field.on_timer(c, k),
                        );
                        return;
                    }
                )+
            }

            fn on_command(&mut self, ctx: &mut $crate::sim::Ctx<'_, $msg, $durable>, cmd: $cmd) {
                match cmd {
                    $(
                        $cmd::$variant(c) => $crate::service::host::run_part::<$svc, _, _>(
                            $slot, $crate::service::host::timer_offset(Self::TIMERS, $slot),
                            ctx.now, ctx.me, ctx.rng, &ctx.durable.$field, ctx.out, ctx.notes,
                            $msg::$variant, $op::$variant,
                            |x| self.$field.on_command(x, c),
                        ),
                    )+
                }
            }

            fn on_crash(&mut self) {
                $( self.$field.on_crash(); )+
            }
        }

        impl $crate::service::ServiceSet for $node {
            fn services() -> &'static [&'static dyn $crate::service::ServiceApi<Self>] {
                &[ $( &$api, )+ ]
            }
            fn consensus(&self) -> Option<$crate::service::Consensus> {
                None $( .or_else(|| $crate::service::Service::consensus(&self.$field)) )+
            }
            fn raft_view(&self, max_log: usize) -> Option<$crate::raft::RaftView> {
                None $( .or_else(|| $crate::service::Service::raft_view(&self.$field, max_log)) )+
            }
            fn memory_estimate(&self) -> usize {
                0 $( + $crate::service::Service::memory_estimate(&self.$field) )+
            }
            fn badges(&self) -> Vec<String> {
                let mut out = Vec::new();
                $( out.extend($crate::service::Service::badge(&self.$field)); )+
                out
            }
        }

        $(
            impl $crate::service::Part<$svc> for $node {
                fn part(&self) -> &$svc {
                    &self.$field
                }
                fn part_mut(&mut self) -> &mut $svc {
                    &mut self.$field
                }
            }

            impl $crate::service::Hosts<$svc> for $node {
                fn wrap_cmd(cmd: <$svc as $crate::sim::Actor>::Cmd) -> $cmd {
                    $cmd::$variant(cmd)
                }
                #[allow(unreachable_patterns)]
                fn unwrap_cmd(cmd: &$cmd) -> Option<&<$svc as $crate::sim::Actor>::Cmd> {
                    match cmd {
                        $cmd::$variant(c) => Some(c),
                        _ => None,
                    }
                }
            }
        )+
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_kinds_are_split_by_service_in_registration_order() {
        let timers = [3, 2, 4];
        assert_eq!(timer_offset(&timers, 0), 0);
        assert_eq!(timer_offset(&timers, 1), 3);
        assert_eq!(timer_offset(&timers, 2), 5);
        assert_eq!(timer_owner(0, &timers), Some((0, 0)));
        assert_eq!(timer_owner(2, &timers), Some((0, 2)));
        assert_eq!(timer_owner(3, &timers), Some((1, 0)));
        assert_eq!(timer_owner(5, &timers), Some((2, 0)));
        assert_eq!(timer_owner(8, &timers), Some((2, 3)));
        assert_eq!(timer_owner(9, &timers), None);
    }
}
