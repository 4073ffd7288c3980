//! The home side of a server: memory and the directory of the keys whose ring primary it is.
//! The directory serialises each line's transactions: one at a time, from the bus request
//! through the snoops (forwarded BusRd, invalidations) to the requester's acknowledgement of
//! its fill; requests that arrive meanwhile queue. The line (memory, directory and the
//! transaction in progress) is persisted at every change, so a home crash loses nothing.

use std::sync::Arc;

use crate::base::sorted::{SortedMap, SortedSet};

use super::actor::{CacheActor, CacheCtx, CacheDurableOp};
use super::msg::*;
use super::protocol::{fill_state, memory_written, snoop_targets, BusOp, LineState, Supply};
use super::reasons::TxnFacts;
use super::store::Data;
use crate::base::text::Text;
use crate::base::Time;
use crate::sim::ActorId;

/// One line at its home.
///
/// The directory, the completed requests and the transaction sit behind `Arc`s: the line is
/// persisted at every change, and a change usually touches one of them, so the durable copy
/// shares the others instead of copying their vectors (issue 14). Changes go through
/// `Arc::make_mut`, which copies a part only while the durable store still shares it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HomeLine {
    pub memory: Option<Data>,
    /// The caches that may hold a copy: their state as last known, the boot it was granted to
    /// (a holder answering from a later boot has lost its copy in a crash) and the transaction
    /// that granted it (a write-back names it, so a delayed or duplicated one cannot remove a
    /// later grant). A superset: E and S copies leave silently.
    pub dir: Arc<SortedMap<ActorId, DirEntry>>,
    pub next_txn: u64,
    pub busy: Option<Arc<Txn>>,
    /// The last request completed for each requester (repeats of older ones are ignored).
    pub done_req: Arc<SortedMap<ActorId, ReqId>>,
}

/// A directory entry: `(state, boot, granting transaction)`.
pub type DirEntry = (LineState, u64, u64);

impl HomeLine {
    pub fn memory_version(&self) -> u64 {
        self.memory.as_ref().map_or(0, |d| d.version)
    }
    /// The directory, to change.
    fn dir_mut(&mut self) -> &mut SortedMap<ActorId, DirEntry> {
        Arc::make_mut(&mut self.dir)
    }
    /// Drop `n` from the directory, copying it only if `n` is there.
    fn dir_remove(&mut self, n: ActorId) -> Option<DirEntry> {
        if self.dir.contains_key(&n) {
            self.dir_mut().remove(&n)
        } else {
            None
        }
    }
    /// A cache other than `except` owns dirty data (or is being given it).
    fn owned_elsewhere(&self, except: ActorId) -> bool {
        self.dir
            .iter()
            .any(|(&n, (s, _, _))| n != except && s.dirty())
            || self.busy.as_ref().is_some_and(|t| {
                t.requester != except && t.fill.as_ref().is_some_and(|(s, _)| s.dirty())
            })
    }
}

/// A bus request as the home received it.
#[derive(Clone, Debug, PartialEq)]
pub struct BusRequest {
    pub from: ActorId,
    pub req: ReqId,
    pub bus: BusOp,
    pub proc: ProcAction,
    pub prev: LineState,
    pub boot: u64,
    pub data: Option<Data>,
}

/// A transaction in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Txn {
    pub txn: u64,
    pub requester: ActorId,
    pub req: ReqId,
    pub req_boot: u64,
    /// As carried out (a BusUpgr from a cache that lost its copy becomes a BusRdX).
    pub bus: BusOp,
    pub proc: ProcAction,
    pub prev: LineState,
    pub asked: Vec<(ActorId, bool)>,
    pub waiting: SortedSet<ActorId>,
    pub best: Option<Data>,
    pub supplier: Supplier,
    pub transitions: Vec<(ActorId, LineState, LineState)>,
    pub write_memory: bool,
    pub memory_before: Option<u64>,
    /// Once every snoop is answered: the state and data sent to the requester.
    pub fill: Option<(LineState, Option<Data>)>,
    pub started: Time,
    /// Last (re)transmission of what the transaction waits for, and how many retries.
    pub sent: Time,
    pub tries: u32,
    /// A holder the directory listed as owner answered from a new boot without data: its
    /// copy died in a crash.
    pub lost_from: Option<ActorId>,
}

impl CacheActor {
    /// The durable copy of a line (cheap: its parts are shared), taken while the caller still
    /// holds the line, to persist later in the handler: a second lookup of the key cost more.
    fn durable_copy(key: &Text, line: &HomeLine) -> CacheDurableOp {
        CacheDurableOp::Put(key.clone(), Box::new(line.clone()))
    }

    fn persist_line(&self, ctx: &mut CacheCtx<'_, '_>, key: &Text) {
        if let Some(l) = self.home.get_str(key) {
            ctx.persist(CacheDurableOp::Put(key.clone(), Box::new(l.clone())));
        }
    }

    pub(super) fn home_message(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        from: ActorId,
        msg: CacheMsg,
    ) {
        match msg {
            CacheMsg::BusReq {
                epoch,
                key,
                req,
                bus,
                proc,
                prev,
                boot,
                data,
            } if epoch == self.epoch => {
                let r = BusRequest {
                    from,
                    req,
                    bus,
                    proc,
                    prev,
                    boot,
                    data,
                };
                self.on_bus_request(ctx, key, r)
            }
            CacheMsg::SnoopReply {
                epoch,
                key,
                txn,
                prev,
                next,
                supply,
                write_memory,
                data,
                handoff,
                boot,
            } if epoch == self.epoch => {
                let reply = SnoopAnswer {
                    prev,
                    next,
                    supply,
                    write_memory,
                    data,
                    handoff,
                    boot,
                };
                self.on_snoop_reply(ctx, from, key, txn, reply)
            }
            CacheMsg::FillAck {
                epoch,
                key,
                txn,
                accepted,
                holding,
                holding_grant,
                boot,
            } if epoch == self.epoch => {
                let refused = (!accepted).then_some((holding, boot, holding_grant));
                self.on_fill_ack(ctx, from, key, txn, refused)
            }
            CacheMsg::PutM {
                epoch,
                key,
                data,
                reason,
                boot,
                txn,
            } if epoch == self.epoch => self.on_put(ctx, from, key, data, (reason, boot, txn)),
            CacheMsg::WriteThrough { epoch, key, data } if epoch == self.epoch => {
                let line = self.home.get_str_or_default(&key);
                if data.version > line.memory_version() {
                    line.memory = Some(data.clone());
                }
                if line.busy.is_none() {
                    let e = line
                        .dir
                        .contains_key(&from)
                        .then(|| line.dir_mut().get_mut(&from));
                    if let Some(e) = e.flatten() {
                        match e.0 {
                            LineState::M => e.0 = LineState::E,
                            LineState::O => e.0 = LineState::S,
                            _ => {}
                        }
                    }
                }
                self.persist_line(ctx, &key);
                let msg = CacheMsg::WtAck {
                    epoch: self.epoch,
                    key,
                    version: data.version,
                };
                self.send(ctx, from, msg);
            }
            _ => {}
        }
    }

    fn on_bus_request(&mut self, ctx: &mut CacheCtx<'_, '_>, key: Text, r: BusRequest) {
        let line = self.home.get_str_or_default(&key);
        if line.done_req.get(&r.from).is_some_and(|&d| d >= r.req) {
            return; // a repeat of a completed request
        }
        if let Some(t) = &line.busy {
            if t.requester == r.from && t.req == r.req {
                // Its repeat: the home's own retransmissions (`home_tick`) answer it.
            } else {
                let q = self.queue.get_str_or_default(&key);
                q.retain(|x| x.from != r.from);
                q.push_back(r);
            }
            return;
        }
        self.start_txn(ctx, key, r);
    }

    fn start_txn(&mut self, ctx: &mut CacheCtx<'_, '_>, key: Text, r: BusRequest) {
        let epoch = self.epoch;
        let line = self.home.get_str_or_default(&key);
        line.next_txn += 1;
        let txn = line.next_txn;
        let entry = line.dir.get(&r.from).copied();
        let known = entry.map_or(LineState::I, |e| e.0);
        // The requester owned the line in an earlier boot: its copy died in a crash.
        let lost_from = entry
            .is_some_and(|(s, boot, _)| s.owner() && boot != r.boot)
            .then_some(r.from);
        let invalidate = r.proc == ProcAction::Invalidate;
        let mut bus = r.bus;
        if !invalidate {
            if bus == BusOp::BusUpgr && !matches!(known, LineState::S | LineState::O) {
                bus = BusOp::BusRdX; // its copy was invalidated meanwhile: it needs the data
            }
            if bus != BusOp::BusUpgr {
                line.dir_remove(r.from); // a miss: whatever the directory thought, it has none
            }
        }
        let holders: Vec<(ActorId, LineState)> = line
            .dir
            .iter()
            .filter(|(&n, _)| invalidate || n != r.from)
            .map(|(&n, e)| (n, e.0))
            .collect();
        let mut asked = snoop_targets(&holders, bus);
        if lost_from.is_some() && bus == BusOp::BusRd {
            // The requester's own dirty copy died in a crash: any sharer may hold the latest
            // data (MOESI: S beside the lost O), so ask them all, not one.
            asked = holders
                .iter()
                .filter(|(_, s)| s.valid())
                .map(|&(n, _)| (n, true))
                .collect();
        }
        line.busy = Some(Arc::new(Txn {
            txn,
            requester: r.from,
            req: r.req,
            req_boot: r.boot,
            bus,
            proc: r.proc,
            prev: r.prev,
            waiting: asked.iter().map(|&(n, _)| n).collect(),
            asked: asked.clone(),
            best: if bus == BusOp::BusUpgr {
                r.data.clone()
            } else {
                None
            },
            supplier: Supplier::None,
            transitions: Vec::new(),
            write_memory: false,
            memory_before: line.memory.as_ref().map(|d| d.version),
            fill: None,
            started: ctx.now,
            sent: ctx.now,
            tries: 0,
            lost_from,
        }));
        match bus {
            BusOp::BusRd => self.stats.bus_rd += 1,
            BusOp::BusRdX => self.stats.bus_rdx += 1,
            BusOp::BusUpgr => self.stats.bus_upgr += 1,
        }
        // Taken now, persisted after the snoops as before: no second lookup of the line.
        let persist = (!asked.is_empty()).then(|| Self::durable_copy(&key, line));
        for (n, supplier) in asked.iter().copied() {
            let msg = CacheMsg::Snoop {
                epoch,
                key: key.clone(),
                txn,
                bus,
                supplier,
            };
            self.send(ctx, n, msg);
        }
        match persist {
            Some(p) => ctx.persist(p),
            None => self.finish(ctx, &key),
        }
    }

    fn on_snoop_reply(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        from: ActorId,
        key: Text,
        txn: u64,
        a: SnoopAnswer,
    ) {
        let epoch = self.epoch;
        let Some(line) = self.home.get_str_mut(&key) else {
            return;
        };
        let current = line
            .busy
            .as_ref()
            .is_some_and(|t| t.txn == txn && t.waiting.contains(&from));
        if !current {
            // A repeat: the data it hands off was taken the first time.
            if a.handoff && txn <= line.next_txn {
                if let Some(d) = &a.data {
                    let msg = CacheMsg::PutAck {
                        epoch,
                        key,
                        version: d.version,
                    };
                    self.send(ctx, from, msg);
                }
            }
            return;
        }
        let mem_v = line.memory_version();
        let before = line.dir.get(&from).copied();
        if a.next.valid() {
            let grant = before.map_or(0, |b| b.2);
            line.dir_mut().insert(from, (a.next, a.boot, grant));
        } else {
            line.dir_remove(from);
        }
        let lost = before.is_some_and(|(s, b, _)| s.owner() && b != a.boot) && a.data.is_none();
        let others: Vec<ActorId> = line
            .dir
            .iter()
            .filter(|(_, e)| e.0.valid())
            .map(|(&n, _)| n)
            .collect();
        let Some(t) = line.busy.as_mut().map(Arc::make_mut) else {
            return;
        };
        t.waiting.remove(&from);
        t.transitions.push((from, a.prev, a.next));
        t.write_memory |= a.write_memory;
        if lost {
            t.lost_from = Some(from);
            // The owner's copy is gone; sharers (MOESI: S beside the lost O) may still hold
            // the latest data: ask them to supply it rather than fall back to stale memory.
            for n in others {
                if n != t.requester && !t.asked.iter().any(|&(m, _)| m == n) {
                    t.asked.push((n, true));
                    t.waiting.insert(n);
                    let msg = CacheMsg::Snoop {
                        epoch,
                        key: key.clone(),
                        txn,
                        bus: BusOp::BusRd,
                        supplier: true,
                    };
                    ctx.send(n, msg);
                }
            }
        }
        if let Some(d) = &a.data {
            let offered = a.supply != Supply::None || d.version > mem_v;
            if offered && t.best.as_ref().is_none_or(|b| d.version > b.version) {
                t.best = Some(d.clone());
                let supply = if a.supply == Supply::None {
                    Supply::Flush
                } else {
                    a.supply
                };
                t.supplier = Supplier::Cache { node: from, supply };
            }
        }
        let done = t.waiting.is_empty();
        let persist = (!done).then(|| Self::durable_copy(&key, line));
        match persist {
            Some(p) => ctx.persist(p),
            None => self.finish(ctx, &key),
        }
        if a.handoff {
            if let Some(d) = a.data {
                let msg = CacheMsg::PutAck {
                    epoch,
                    key,
                    version: d.version,
                };
                self.send(ctx, from, msg);
            }
        }
    }

    /// Every snoop answered: choose the data, write memory if the rules say so, fill.
    fn finish(&mut self, ctx: &mut CacheCtx<'_, '_>, key: &Text) {
        let bug = self.bug();
        let epoch = self.epoch;
        let Some(line) = self.home.get_str_mut(key) else {
            return;
        };
        let Some(mut busy) = line.busy.take() else {
            return;
        };
        let t = Arc::make_mut(&mut busy);
        let mem_v = line.memory_version();
        let (data, supplier) = match &t.best {
            Some(b) if b.version >= mem_v => (Some(b.clone()), t.supplier),
            _ => (
                line.memory.clone(),
                if line.memory.is_some() {
                    Supplier::Memory
                } else {
                    Supplier::None
                },
            ),
        };
        let others = line.dir.iter().filter(|(&n, _)| n != t.requester);
        let others_valid = others.clone().any(|(_, e)| e.0.valid());
        let others_dirty = others.clone().any(|(_, e)| e.0.dirty());
        let state = match t.proc {
            ProcAction::Invalidate => LineState::I,
            _ if data.is_none() && t.bus == BusOp::BusRd => LineState::I,
            _ => fill_state(t.bus, others_valid, bug),
        };
        let mut wrote = false;
        if let Some(d) = &data {
            if d.version > mem_v && memory_written(t.write_memory, state, others_dirty) {
                line.memory = Some(d.clone());
                wrote = true;
            }
        }
        if state.valid() {
            line.dir_mut()
                .insert(t.requester, (state, t.req_boot, t.txn));
        } else {
            line.dir_remove(t.requester);
        }
        if t.proc != ProcAction::Invalidate {
            t.transitions.push((t.requester, t.prev, state));
        }
        let f = TxnFacts {
            requester: t.requester,
            proc: t.proc,
            bus: Some(t.bus),
            transitions: &t.transitions,
            // Table 1.3 names no supplier for an upgrade (the upgrader has the data) nor for
            // an invalidation that only found clean copies.
            supplier: match (t.proc, t.bus, supplier) {
                (ProcAction::Invalidate, _, Supplier::Memory) | (_, BusOp::BusUpgr, _) => {
                    Supplier::None
                }
                (_, _, s) => s,
            },
            memory_before: t.memory_before,
            memory_after: line.memory.as_ref().map(|d| d.version),
        };
        // The note now, the record only if the log keeps it: `t` goes back into the line.
        let note = ctx.notes().then(|| super::reasons::facts(&f));
        let record_supplier = f.supplier;
        let record = (self.cfg.log_capacity > 0)
            .then(|| f.record(key, data.as_ref().map(|d| d.value.as_str())));
        let lost = t.lost_from.map(|node| RecordKind::Lost {
            key: key.as_str().to_owned(),
            node,
            memory: data
                .as_ref()
                .map(|d| (d.version, d.value.as_str().to_owned())),
        });
        let fill_data = data.clone();
        t.fill = Some((state, data));
        (t.sent, t.tries) = (ctx.now, 0);
        let (requester, req, txn) = (t.requester, t.req, t.txn);
        let bus = t.bus;
        line.busy = Some(busy);
        let persist = Self::durable_copy(key, line);
        if wrote {
            self.stats.write_backs += 1;
        }
        match record_supplier {
            Supplier::Cache { .. } => self.stats.cache_to_cache += 1,
            Supplier::Memory if bus != BusOp::BusUpgr => self.stats.memory_reads += 1,
            _ => {}
        }
        if let Some(l) = lost {
            self.record(ctx.now, || l);
        }
        if let Some(note) = note {
            ctx.note(note);
        }
        let record = || RecordKind::Txn(record.expect("built when the log keeps records"));
        self.record(ctx.now, record);
        ctx.persist(persist);
        let msg = CacheMsg::Fill {
            epoch,
            key: key.clone(),
            req,
            txn,
            state,
            data: fill_data,
        };
        self.send(ctx, requester, msg);
    }

    fn on_fill_ack(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        from: ActorId,
        key: Text,
        txn: u64,
        refused: Option<(LineState, u64, u64)>,
    ) {
        let Some(line) = self.home.get_str_mut(&key) else {
            return;
        };
        let ours = line
            .busy
            .as_ref()
            .is_some_and(|t| t.txn == txn && t.requester == from && t.fill.is_some());
        if !ours {
            return;
        }
        let Some(t) = line.busy.take() else {
            return;
        };
        let mut wrote = false;
        if let Some((holding, boot, grant)) = refused {
            // The requester gave up (or crashed): it keeps at most the copy it had (a refused
            // upgrade still holds its S/O, under the grant that filled it: the one its
            // write-back will name), and data only it was going to own must not vanish.
            if holding.valid() {
                line.dir_mut().insert(from, (holding, boot, grant));
            } else {
                line.dir_remove(from);
            }
            if let Some((_, Some(d))) = &t.fill {
                let owned = holding.dirty() || line.owned_elsewhere(from);
                if d.version > line.memory_version() && !owned {
                    line.memory = Some(d.clone());
                    wrote = true;
                }
            }
        }
        // Refused from a later boot: the requester took the line, wrote, and crashed before
        // its acknowledgement got through; what memory has now is what survived.
        let lost = refused.is_some_and(|(_, boot, _)| boot != t.req_boot)
            && t.fill.as_ref().is_some_and(|(s, _)| s.owner());
        let memory = line
            .memory
            .as_ref()
            .map(|d| (d.version, d.value.as_str().to_owned()));
        Arc::make_mut(&mut line.done_req).insert(from, t.req);
        let persist = Self::durable_copy(&key, line);
        if wrote {
            self.stats.write_backs += 1;
        }
        if lost {
            let kind = || RecordKind::Lost {
                key: key.as_str().to_owned(),
                node: from,
                memory,
            };
            self.record(ctx.now, kind);
        }
        ctx.persist(persist);
        self.next_request(ctx, &key);
    }

    fn next_request(&mut self, ctx: &mut CacheCtx<'_, '_>, key: &Text) {
        // Nothing queued on the line (the usual case): nothing to start, and nothing to forget.
        if !self.queue.contains_str(key) || self.home.get_str(key).is_some_and(|l| l.busy.is_some())
        {
            return;
        }
        let Some(q) = self.queue.get_str_mut(key) else {
            return;
        };
        let next = q.pop_front();
        if q.is_empty() {
            self.queue.remove_str(key);
        }
        if let Some(r) = next {
            self.on_bus_request(ctx, key.clone(), r);
        }
    }

    /// A dirty line written back (eviction, expiry, or the repeat of a handed-off Flush).
    fn on_put(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        from: ActorId,
        key: Text,
        data: Data,
        (reason, boot, txn): (ProcAction, u64, u64),
    ) {
        let line = self.home.get_str_or_default(&key);
        let before = line.memory.as_ref().map(|d| d.version);
        let mut wrote = false;
        // Only the copy the directory granted (this boot, this transaction; E included, as it
        // turns M silently) writes memory. An older grant's write-back (delayed, duplicated,
        // or of data a snoop already took) is acknowledged and dropped: a transaction put its
        // data where it belonged. The version alone cannot tell: after a write lost in the
        // write-back window, new writes restart from memory's version, below the lost ones.
        let granted = line
            .dir
            .get(&from)
            .is_some_and(|e| e.0.owner() && e.1 == boot && e.2 == txn);
        if granted && data.version > line.memory_version() && !line.owned_elsewhere(from) {
            line.memory = Some(data.clone());
            wrote = true;
        }
        let asked = line
            .busy
            .as_ref()
            .is_some_and(|t| t.waiting.contains(&from));
        let mut prev = None;
        if !asked
            && line
                .dir
                .get(&from)
                .is_some_and(|e| e.1 == boot && e.2 == txn && e.0.dirty())
        {
            prev = line.dir_remove(from).map(|e| e.0);
        }
        let after = line.memory.as_ref().map(|d| d.version);
        let persist = Self::durable_copy(&key, line);
        if wrote {
            self.stats.write_backs += 1;
        }
        if let (Some(p), ProcAction::Evict | ProcAction::Expire) = (prev, reason) {
            let f = TxnFacts {
                requester: from,
                proc: reason,
                bus: None,
                transitions: &[(from, p, LineState::I)],
                supplier: Supplier::None,
                memory_before: before,
                memory_after: after,
            };
            self.log_txn(ctx, &f, &key, Some(&data.value));
        }
        ctx.persist(persist);
        let msg = CacheMsg::PutAck {
            epoch: self.epoch,
            key,
            version: data.version,
        };
        self.send(ctx, from, msg);
    }

    /// Send again what a line's transaction is waiting for.
    fn resend(&mut self, ctx: &mut CacheCtx<'_, '_>, key: &str) {
        let epoch = self.epoch;
        let Some(t) = self.home.get_str(key).and_then(|l| l.busy.clone()) else {
            return;
        };
        let key = Text::from(key);
        match &t.fill {
            Some((state, data)) => {
                let msg = CacheMsg::Fill {
                    epoch,
                    key: key.clone(),
                    req: t.req,
                    txn: t.txn,
                    state: *state,
                    data: data.clone(),
                };
                self.send(ctx, t.requester, msg);
            }
            None => {
                for (n, supplier) in t.asked.iter().copied() {
                    if t.waiting.contains(&n) {
                        let msg = CacheMsg::Snoop {
                            epoch,
                            key: key.clone(),
                            txn: t.txn,
                            bus: t.bus,
                            supplier,
                        };
                        self.send(ctx, n, msg);
                    }
                }
            }
        }
    }

    pub(super) fn home_tick(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        let (now, base) = (ctx.now, self.cfg.retry_every);
        let mut due = Vec::new();
        for (k, l) in self.home.iter_mut() {
            let due_now = (l.busy.as_ref())
                .is_some_and(|t| now >= super::actor::retry_due(base, t.sent, t.tries));
            // Copied (`make_mut`) only when due: the durable store shares the transaction.
            if let Some(t) = l.busy.as_mut().filter(|_| due_now).map(Arc::make_mut) {
                t.sent = now;
                t.tries += 1;
                due.push(k.clone());
            }
        }
        for k in due {
            self.resend(ctx, &k);
        }
    }
}

/// A snoop's answer, as the home reads it.
pub struct SnoopAnswer {
    pub prev: LineState,
    pub next: LineState,
    pub supply: Supply,
    pub write_memory: bool,
    pub data: Option<Data>,
    pub handoff: bool,
    pub boot: u64,
}
