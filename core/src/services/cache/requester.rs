//! The cache side of a server: the processor's reads and writes (hits served locally, misses
//! and upgrades sent to the key's home as bus requests), fills, snoops from homes, LRU
//! eviction and TTL expiry (dirty lines Flush to memory exactly once), write-through.

use super::actor::{
    retry_due, ttl_us, CacheActor, CacheCtx, ClientOp, Handoff, Pending, WtPending,
};
use super::msg::*;
use super::protocol::{
    on_processor, on_snoop, writes_back_on_evict, BusOp, LineState, ProcOp, ProcOutcome, Supply,
};
use super::reasons::TxnFacts;
use super::store::{Data, Line};
use crate::base::text::Text;
use crate::sim::ActorId;

impl CacheActor {
    /// A request from a client: stats at once; operations on a key queue behind that key's
    /// request in flight (one bus request per line per node).
    pub(super) fn client_op(&mut self, ctx: &mut CacheCtx<'_, '_>, op: ClientOp) {
        let key = match &op.op {
            CacheOp::Stats => {
                let reply = CacheReply::Stats {
                    node: self.id,
                    total_entries: self.store.len(),
                    stats: Box::new(self.stats.clone()),
                };
                self.reply(ctx, &op, reply);
                return;
            }
            CacheOp::Reset { .. } => return,
            o => o.key().unwrap_or_default().to_string(),
        };
        if self.key_busy(&key) {
            self.waiting.get_str_or_default(&key).push_back(op);
        } else {
            self.start_op(ctx, op, key);
        }
    }

    /// A key with a bus request, a write-through or a write-back in flight: its next operation
    /// waits (a new request must not overtake this node's own write-back at the home).
    fn key_busy(&self, key: &str) -> bool {
        self.pending.contains_str(key) || self.wt.contains_str(key) || self.wb.contains_str(key)
    }

    /// Start `op` on `key` (its key, which the caller has already copied out of it).
    fn start_op(&mut self, ctx: &mut CacheCtx<'_, '_>, op: ClientOp, key: String) {
        if op.op.key().is_none() {
            return;
        }
        // The line is looked up once here and read through `at` (no change to the store
        // between the reads).
        let mut at = self.store.find(&key);
        if at.is_some_and(|a| self.store.line(a).expires_at <= ctx.now) {
            self.evict(ctx, &key, ProcAction::Expire);
            if self.key_busy(&key) {
                // The expired copy was dirty: its write-back must reach the home first.
                self.waiting.get_str_or_default(&key).push_front(op);
                return;
            }
            at = None;
        }
        let state = at.map_or(LineState::I, |a| self.store.line(a).state);
        // By place, binding nothing: the arms move `op` on without a copy.
        match op.op {
            CacheOp::Get { .. } => {
                self.stats.reads += 1;
                match on_processor(state, ProcOp::PrRd) {
                    ProcOutcome::Hit(_) => {
                        self.stats.hits += 1;
                        let Some(a) = at else { return };
                        self.store.touch_at(a);
                        let data = self.store.line(a).data.clone();
                        self.log_hit(ctx, &key, ProcAction::PrRd, state, state, &data.value);
                        self.serve_read(ctx, &op, &key, (state, true), Some(data));
                    }
                    ProcOutcome::Bus(bus) => {
                        self.stats.misses += 1;
                        self.request(ctx, op, key, bus, ProcAction::PrRd, state);
                    }
                }
            }
            CacheOp::Set { .. } => {
                self.stats.writes += 1;
                match on_processor(state, ProcOp::PrWr) {
                    ProcOutcome::Hit(_) => {
                        self.stats.hits += 1;
                        let base = at.map(|a| {
                            self.store.touch_at(a);
                            self.store.line(a).data.clone()
                        });
                        self.perform_write(ctx, op, &key, base, state, None);
                    }
                    ProcOutcome::Bus(bus) => {
                        self.stats.misses += 1;
                        self.request(ctx, op, key, bus, ProcAction::PrWr, state);
                    }
                }
            }
            CacheOp::Invalidate { .. } => {
                self.request(ctx, op, key, BusOp::BusRdX, ProcAction::Invalidate, state)
            }
            _ => {}
        }
    }

    fn request(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        op: ClientOp,
        key: String,
        bus: BusOp,
        proc: ProcAction,
        prev: LineState,
    ) {
        self.next_req += 1;
        let req = (self.boot << 32) | self.next_req;
        let home = self.home_of(&key);
        let msg = CacheMsg::BusReq {
            epoch: self.epoch,
            key: Text::from(key.as_str()),
            req,
            bus,
            proc,
            prev,
            boot: self.boot,
            data: self.upgrade_data(&key, bus),
        };
        self.pending.insert_str(
            key,
            Pending {
                op,
                req,
                bus,
                proc,
                prev,
                started: ctx.now,
                sent: ctx.now,
                tries: 0,
            },
        );
        self.send(ctx, home, msg);
    }

    fn upgrade_data(&self, key: &str, bus: BusOp) -> Option<Data> {
        (bus == BusOp::BusUpgr)
            .then(|| self.store.peek(key).map(|l| l.data.clone()))
            .flatten()
    }

    fn log_hit(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        key: &str,
        proc: ProcAction,
        before: LineState,
        after: LineState,
        value: &str,
    ) {
        let f = TxnFacts {
            requester: self.id,
            proc,
            bus: None,
            transitions: &[(self.id, before, after)],
            supplier: Supplier::None,
            memory_before: None,
            memory_after: None,
        };
        self.log_txn(ctx, &f, key, Some(value));
    }

    /// Answer a read: `(state, hit)` is the copy's state and whether it was already cached.
    fn serve_read(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        op: &ClientOp,
        key: &str,
        (state, hit): (LineState, bool),
        data: Option<Data>,
    ) {
        let reply = match data {
            Some(d) => {
                self.record(ctx.now, || RecordKind::Read {
                    key: key.to_string(),
                    version: d.version,
                    value: d.value.as_str().to_owned(),
                });
                CacheReply::Value {
                    key: key.to_string(),
                    value: d.value.as_str().to_owned(),
                    state,
                    version: d.version,
                    hit,
                }
            }
            None => {
                let kind = || RecordKind::Read {
                    key: key.to_string(),
                    version: 0,
                    value: String::new(),
                };
                self.record(ctx.now, kind);
                CacheReply::NotFound {
                    key: key.to_string(),
                }
            }
        };
        self.reply(ctx, op, reply);
    }

    /// Write into a line this cache now holds in M (a hit, or a completed BusRdX/BusUpgr).
    fn perform_write(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        op: ClientOp,
        key: &str,
        base: Option<Data>,
        before: LineState,
        fill_txn: Option<u64>,
    ) {
        let CacheOp::Set {
            ref value, ttl_ms, ..
        } = op.op
        else {
            return;
        };
        // Only the value: `op` itself goes on into the write-through or the acknowledgement.
        let value = Text::from(value.as_str());
        let data = Data {
            value: value.clone(),
            version: base.map_or(1, |b| b.version + 1),
            ttl_ms,
        };
        let txn = fill_txn
            .or_else(|| self.store.peek(key).map(|l| l.fill_txn))
            .unwrap_or(0);
        let line = Line::new(LineState::M, data.clone(), ctx.now + ttl_us(ttl_ms), txn);
        self.install(ctx, key, line);
        if fill_txn.is_none() {
            self.log_hit(ctx, key, ProcAction::PrWr, before, LineState::M, &value);
        }
        let kind = || RecordKind::Write {
            key: key.to_string(),
            version: data.version,
            value: value.as_str().to_owned(),
        };
        self.record(ctx.now, kind);
        if self.write_through {
            let msg = CacheMsg::WriteThrough {
                epoch: self.epoch,
                key: Text::from(key),
                data: data.clone(),
            };
            let home = self.home_of(key);
            let w = WtPending {
                op,
                data,
                sent: ctx.now,
                tries: 0,
            };
            self.wt.insert(key.to_string(), w);
            self.send(ctx, home, msg);
        } else {
            self.ack_write(ctx, &op, key, data.version, LineState::M);
        }
    }

    fn ack_write(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        op: &ClientOp,
        key: &str,
        version: u64,
        state: LineState,
    ) {
        let kind = || RecordKind::Ack {
            key: key.to_string(),
            version,
        };
        self.record(ctx.now, kind);
        let reply = CacheReply::Written {
            key: key.to_string(),
            version,
            state,
        };
        self.reply(ctx, op, reply);
    }

    /// Put a line in the cache, evicting the LRU victim first when full.
    fn install(&mut self, ctx: &mut CacheCtx<'_, '_>, key: &str, line: Line) {
        if self.store.peek(key).is_none() && self.store.is_full() {
            let pending = &self.pending;
            let wt = &self.wt;
            let victim = self
                .store
                .victim(|k| k == key || pending.contains_key(k) || wt.contains_key(k));
            if let Some(v) = victim {
                self.evict(ctx, &v, ProcAction::Evict);
            }
        }
        self.store.insert(key, line);
    }

    /// LRU eviction or TTL expiry: M and O Flush to memory (kept until the home acks), E and
    /// S drop silently.
    pub(super) fn evict(&mut self, ctx: &mut CacheCtx<'_, '_>, key: &str, reason: ProcAction) {
        let Some(line) = self.store.remove(key) else {
            return;
        };
        if reason == ProcAction::Expire {
            self.stats.expirations += 1;
        } else {
            self.stats.evictions += 1;
        }
        if writes_back_on_evict(line.state, self.bug()) {
            self.stats.flush += 1;
            let msg = CacheMsg::PutM {
                epoch: self.epoch,
                key: Text::from(key),
                data: line.data.clone(),
                reason,
                boot: self.boot,
                txn: line.fill_txn,
            };
            self.wb.insert(
                key.to_string(),
                Handoff {
                    data: line.data,
                    reason,
                    txn: line.fill_txn,
                    sent: ctx.now,
                    tries: 0,
                },
            );
            let home = self.home_of(key);
            self.send(ctx, home, msg);
        } else {
            let f = TxnFacts {
                requester: self.id,
                proc: reason,
                bus: None,
                transitions: &[(self.id, line.state, LineState::I)],
                supplier: Supplier::None,
                memory_before: None,
                memory_after: None,
            };
            self.log_txn(ctx, &f, key, None);
        }
    }

    /// The cache's half of the coherence traffic; the home's half is in `home.rs`.
    pub(super) fn coherence(&mut self, ctx: &mut CacheCtx<'_, '_>, from: ActorId, msg: CacheMsg) {
        match msg {
            CacheMsg::Snoop {
                epoch,
                key,
                txn,
                bus,
                supplier,
            } if epoch == self.epoch => self.on_snoop(ctx, from, key, txn, bus, supplier),
            CacheMsg::Fill {
                epoch,
                key,
                req,
                txn,
                state,
                data,
            } if epoch == self.epoch => self.on_fill(ctx, from, key, req, txn, state, data),
            CacheMsg::PutAck {
                epoch,
                key,
                version,
            } if epoch == self.epoch => {
                if self.wb.get(&key).is_some_and(|h| h.data.version == version) {
                    self.wb.remove(&key);
                    self.next_waiting(ctx, &key);
                }
            }
            CacheMsg::WtAck {
                epoch,
                key,
                version,
            } if epoch == self.epoch => self.on_wt_ack(ctx, key, version),
            m => self.home_message(ctx, from, m),
        }
    }

    fn on_snoop(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        home: ActorId,
        key: Text,
        txn: u64,
        bus: BusOp,
        supplier: bool,
    ) {
        // One lookup of the line for all the reads and the change below.
        let at = self.store.find(&key);
        let line = at.map(|a| self.store.line(a));
        // A snoop older than the transaction that filled this copy was delayed or duplicated.
        if line.is_some_and(|l| l.fill_txn > txn) {
            return;
        }
        let prev = line.map_or(LineState::I, |l| l.state);
        let r = on_snoop(self.protocol, prev, bus, supplier, self.bug());
        let data = line
            .map(|l| l.data.clone())
            .or_else(|| self.wb.get(&key).map(|h| h.data.clone()));
        let fill_txn = line.map_or(0, |l| l.fill_txn);
        let handoff = prev.dirty() && !r.next.dirty();
        if let Some(a) = at {
            if r.next == LineState::I {
                self.store.remove_at(a);
                self.stats.invalidations += 1;
            } else {
                self.store.set_state_at(a, r.next);
            }
        }
        if prev.exclusive() && matches!(r.next, LineState::S | LineState::O) {
            self.stats.interventions += 1;
        }
        match r.supply {
            Supply::Flush => self.stats.flush += 1,
            Supply::FlushOpt => self.stats.flush_opt += 1,
            Supply::None => {}
        }
        if handoff {
            if let Some(d) = &data {
                let h = Handoff {
                    data: d.clone(),
                    reason: ProcAction::PrRd,
                    txn: fill_txn,
                    sent: ctx.now,
                    tries: 0,
                };
                self.wb.insert(key.as_str().to_owned(), h);
            }
        }
        let msg = CacheMsg::SnoopReply {
            epoch: self.epoch,
            key,
            txn,
            prev,
            next: r.next,
            supply: r.supply,
            write_memory: r.write_memory,
            data,
            handoff,
            boot: self.boot,
        };
        self.send(ctx, home, msg);
    }

    #[allow(clippy::too_many_arguments)]
    fn on_fill(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        home: ActorId,
        key: Text,
        req: ReqId,
        txn: u64,
        state: LineState,
        data: Option<Data>,
    ) {
        let mine = self.pending.get_str(&key).is_some_and(|p| p.req == req);
        if !mine {
            // A repeated fill of a request this node completed is acked again; one it gave up
            // on (or forgot in a crash) is refused, so the home does not count it as a holder.
            let accepted = self.last_done.get_str(&key) == Some(&req);
            self.send_fill_ack(ctx, home, key, txn, accepted);
            return;
        }
        let Some(p) = self.pending.remove_str(&key) else {
            return;
        };
        // The key is usually there already (a node asks for a line again and again): no copy.
        match self.last_done.get_str_mut(&key) {
            Some(done) => *done = req,
            None => {
                self.last_done.insert_str(key.as_str().to_owned(), req);
            }
        }
        match p.proc {
            ProcAction::PrRd => match data {
                Some(d) if state.valid() => {
                    let exp = ctx.now + ttl_us(d.ttl_ms);
                    self.install(ctx, &key, Line::new(state, d.clone(), exp, txn));
                    self.serve_read(ctx, &p.op, &key, (state, false), Some(d));
                }
                _ => {
                    self.store.remove(&key);
                    self.serve_read(ctx, &p.op, &key, (LineState::I, false), None);
                }
            },
            ProcAction::PrWr => {
                // Build on the newest of the fill and this cache's own copy (an upgrading S or O
                // copy is current; the home may have only memory's older value to send).
                let own = self.store.peek(&key).map(|l| l.data.clone());
                let base = match (data, own) {
                    (Some(f), Some(o)) => Some(if o.version > f.version { o } else { f }),
                    (f, o) => f.or(o),
                };
                self.perform_write(ctx, p.op, &key, base, p.prev, Some(txn));
            }
            _ => {
                self.store.remove(&key);
                let reply = CacheReply::Invalidated {
                    key: key.as_str().to_owned(),
                };
                self.reply(ctx, &p.op, reply);
            }
        }
        self.send_fill_ack(ctx, home, key.clone(), txn, true);
        self.next_waiting(ctx, &key);
    }

    fn send_fill_ack(
        &mut self,
        ctx: &mut CacheCtx<'_, '_>,
        home: ActorId,
        key: Text,
        txn: u64,
        accepted: bool,
    ) {
        let line = self.store.peek(&key);
        let holding = line.map_or(LineState::I, |l| l.state);
        let holding_grant = line.map_or(0, |l| l.fill_txn);
        let msg = CacheMsg::FillAck {
            epoch: self.epoch,
            key,
            txn,
            accepted,
            holding,
            holding_grant,
            boot: self.boot,
        };
        self.send(ctx, home, msg);
    }

    fn on_wt_ack(&mut self, ctx: &mut CacheCtx<'_, '_>, key: Text, version: u64) {
        if self.wt.get(&key).is_none_or(|w| w.data.version != version) {
            return;
        }
        let Some(w) = self.wt.remove(&key) else {
            return;
        };
        // Memory has it now: the copy is clean (exclusive) again, unless a snoop moved it on.
        let mut state = self.store.state(&key);
        if self
            .store
            .peek(&key)
            .is_some_and(|l| l.data.version == version)
        {
            // (An M copy snooped by a BusRd meanwhile became O under MOESI: clean now, it is
            // just one of the sharers.)
            state = match state {
                LineState::M => LineState::E,
                LineState::O => LineState::S,
                s => s,
            };
            self.store.set_state(&key, state);
        }
        self.ack_write(ctx, &w.op, &key, version, state);
        self.next_waiting(ctx, &key);
    }

    fn next_waiting(&mut self, ctx: &mut CacheCtx<'_, '_>, key: &str) {
        loop {
            // Nothing queued on the key (the usual case): one lookup, nothing to start.
            if !self.waiting.contains_str(key) || self.key_busy(key) {
                return;
            }
            let Some(q) = self.waiting.get_str_mut(key) else {
                return;
            };
            let op = q.pop_front();
            // Forgotten as soon as it is drained, not at the next call (which then returns at
            // the first lookup): an empty queue and none are the same to every reader.
            if q.is_empty() {
                self.waiting.remove_str(key);
            }
            let Some(op) = op else {
                return;
            };
            self.start_op(ctx, op, key.to_string());
        }
    }

    /// Retransmissions, timeouts and TTL expiry.
    pub(super) fn tick(&mut self, ctx: &mut CacheCtx<'_, '_>) {
        let now = ctx.now;
        let pending = &self.pending;
        let wt = &self.wt;
        let expired: Vec<String> = self
            .store
            .expired(now)
            .into_iter()
            .filter(|k| !pending.contains_key(k) && !wt.contains_key(k))
            .collect();
        for k in expired {
            self.evict(ctx, &k, ProcAction::Expire);
        }
        let mut timed_out = Vec::new();
        let mut resend = Vec::new();
        for (k, p) in &self.pending {
            if now >= p.started + self.cfg.op_timeout {
                timed_out.push(k.clone());
            } else if now >= retry_due(self.cfg.retry_every, p.sent, p.tries) {
                resend.push(k.clone());
            }
        }
        for k in resend {
            let Some(p) = self.pending.get_mut(&k) else {
                continue;
            };
            p.sent = now;
            p.tries += 1;
            let (req, bus, proc, prev) = (p.req, p.bus, p.proc, p.prev);
            let msg = CacheMsg::BusReq {
                epoch: self.epoch,
                key: Text::from(k.as_str()),
                req,
                bus,
                proc,
                prev,
                boot: self.boot,
                data: self.upgrade_data(&k, bus),
            };
            let home = self.home_of(&k);
            self.send(ctx, home, msg);
        }
        for k in timed_out {
            let Some(p) = self.pending.remove(&k) else {
                continue;
            };
            let home = self.home_of(&k);
            let message = format!(
                "home {} of `{k}` did not complete {} in {} ms (cut, loss, crash or pause); \
                 no cached value is returned",
                crate::raft::msg::node_name(home),
                p.bus.name(),
                self.cfg.op_timeout / crate::base::MS
            );
            self.reply(
                ctx,
                &p.op,
                CacheReply::Error {
                    status: 504,
                    message,
                },
            );
            self.next_waiting(ctx, &k);
        }
        let base = self.cfg.retry_every;
        let mut wbs = Vec::new();
        for (k, h) in self.wb.iter_mut() {
            if now >= retry_due(base, h.sent, h.tries) {
                h.sent = now;
                h.tries += 1;
                wbs.push((k.clone(), h.clone()));
            }
        }
        for (k, h) in wbs {
            let msg = CacheMsg::PutM {
                epoch: self.epoch,
                key: Text::from(k.as_str()),
                data: h.data,
                reason: h.reason,
                boot: self.boot,
                txn: h.txn,
            };
            let home = self.home_of(&k);
            self.send(ctx, home, msg);
        }
        let mut wts = Vec::new();
        for (k, w) in self.wt.iter_mut() {
            if now >= retry_due(base, w.sent, w.tries) {
                w.sent = now;
                w.tries += 1;
                wts.push((k.clone(), w.data.clone()));
            }
        }
        for (k, data) in wts {
            let msg = CacheMsg::WriteThrough {
                epoch: self.epoch,
                key: Text::from(k.as_str()),
                data,
            };
            let home = self.home_of(&k);
            self.send(ctx, home, msg);
        }
        self.home_tick(ctx);
    }
}
