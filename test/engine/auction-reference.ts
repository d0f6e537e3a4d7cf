// Naive reference models of auctions, written from docs/auctions.md alone, for the differential property tests.
// They keep every bid in a list and recompute everything by brute force (sorting all bids on every question), so
// they share no code and no incremental bookkeeping with the engine.

export interface Band {
  fromMinor: number;
  stepMinor: number;
}

export interface RefSettings {
  merchantId: string;
  openingMinor: number;
  reserveMinor: number;
  increments: Band[];
  buyNowMinor: number | null;
  softClose: { windowMs: number; extendMs: number; maxExtensions: number } | null;
  endMs: number;
  /** Units on sale (uniform); 1 for the other kinds. */
  units: number;
  perShopperLimit: number | null;
}

export interface RefBid {
  shopperId: string;
  amountMinor: number;
  qty: number;
  /** Order of the bid's last change. */
  order: number;
}

export interface RefWinner {
  shopperId: string;
  qty: number;
  unitPriceMinor: number;
}

export interface RefClose {
  reason: 'ended' | 'buy_now' | 'offer_closed';
  atMs: number;
  reserveMet: boolean;
  clearingPriceMinor: number | null;
  winners: RefWinner[];
}

/** Bids ranked best first: higher amount, then earlier. */
export function rank(bids: readonly RefBid[]): RefBid[] {
  return [...bids].sort((a, b) => (a.amountMinor !== b.amountMinor ? b.amountMinor - a.amountMinor : a.order - b.order));
}

export function incrementAt(bands: readonly Band[], priceMinor: number): number {
  let step = 0;
  for (const band of bands) if (band.fromMinor <= priceMinor) step = band.stepMinor;
  return step;
}

/** The English public price from all maxima, or null with no bid. */
export function englishPrice(s: RefSettings, bids: readonly RefBid[]): number | null {
  const ranked = rank(bids);
  const top = ranked[0];
  if (top === undefined) return null;
  const second = ranked[1];
  let price = second === undefined ? s.openingMinor : Math.min(top.amountMinor, second.amountMinor + incrementAt(s.increments, second.amountMinor));
  price = Math.max(price, s.openingMinor);
  if (top.amountMinor >= s.reserveMinor) price = Math.max(price, s.reserveMinor);
  return price;
}

/**
 * Sealed clearing over units: every bid is `qty` unit bids; the first k unit bids at or above the reserve win; the
 * price is the highest of the first unit bid left out, the reserve and the opening price.
 */
export function sealedClearing(s: RefSettings, bids: readonly RefBid[]): Omit<RefClose, 'reason' | 'atMs'> {
  const units = rank(bids).flatMap((bid) => Array.from({ length: bid.qty }, () => bid));
  let taken = 0;
  while (taken < units.length && taken < s.units && units[taken]!.amountMinor >= s.reserveMinor) taken++;
  if (taken === 0) return { reserveMet: false, clearingPriceMinor: null, winners: [] };
  const price = Math.max(units[taken]?.amountMinor ?? 0, s.reserveMinor, s.openingMinor);
  const winners: RefWinner[] = [];
  for (const unit of units.slice(0, taken)) {
    const last = winners[winners.length - 1];
    if (last?.shopperId === unit.shopperId) last.qty++;
    else winners.push({ shopperId: unit.shopperId, qty: 1, unitPriceMinor: price });
  }
  return { reserveMet: true, clearingPriceMinor: price, winners };
}

export type RefOutcome = 'accepted' | string;

/** One English, Vickrey or uniform auction as the docs describe it. */
export class RefAuction {
  bids: RefBid[] = [];
  order = 0;
  endMs: number;
  extensions = 0;
  paused = false;
  closed: RefClose | null = null;
  nowMs = 0;

  constructor(
    readonly kind: 'english' | 'vickrey' | 'uniform',
    readonly s: RefSettings,
  ) {
    this.endMs = s.endMs;
  }

  /** Time passes to `nowMs` (never backwards); the close happens first if the end has come. */
  advance(nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    if (this.closed === null && this.nowMs >= this.endMs) this.close('ended', this.endMs);
  }

  close(reason: 'ended' | 'offer_closed', atMs: number): void {
    if (this.kind === 'english') {
      const top = rank(this.bids)[0];
      const met = top !== undefined && top.amountMinor >= this.s.reserveMinor;
      this.closed = met
        ? { reason, atMs, reserveMet: true, clearingPriceMinor: englishPrice(this.s, this.bids), winners: [{ shopperId: top.shopperId, qty: 1, unitPriceMinor: englishPrice(this.s, this.bids)! }] }
        : { reason, atMs, reserveMet: false, clearingPriceMinor: null, winners: [] };
    } else {
      this.closed = { reason, atMs, ...sealedClearing(this.s, this.bids) };
    }
  }

  private common(shopperId: string): string | null {
    if (this.closed !== null) return 'auction_closed';
    if (this.paused) return 'offer_paused';
    if (shopperId === this.s.merchantId) return 'own_offer';
    return null;
  }

  bid(shopperId: string, amountMinor: number, qty: number, exposureMinor: number | undefined): RefOutcome {
    const problem = this.common(shopperId);
    if (problem) return problem;
    if (qty > this.s.units) return 'sold_out';
    const mine = this.bids.find((bid) => bid.shopperId === shopperId);
    if (this.kind === 'english') {
      const leader = rank(this.bids)[0];
      if (leader !== undefined && leader.shopperId === shopperId) {
        if (amountMinor <= leader.amountMinor) return 'bid_too_low';
      } else {
        const price = englishPrice(this.s, this.bids);
        if (amountMinor < (price === null ? this.s.openingMinor : price + incrementAt(this.s.increments, price))) return 'bid_too_low';
      }
    } else {
      if (amountMinor < this.s.openingMinor) return 'bid_too_low';
      if (mine && (amountMinor < mine.amountMinor || qty < mine.qty || (amountMinor === mine.amountMinor && qty === mine.qty))) return 'bid_too_low';
    }
    if (this.s.perShopperLimit !== null && qty > this.s.perShopperLimit) return 'limit_exceeded';
    if (exposureMinor !== undefined && amountMinor * qty > exposureMinor) return 'exposure_exceeded';
    this.order++;
    if (mine) Object.assign(mine, { amountMinor, qty, order: this.order });
    else this.bids.push({ shopperId, amountMinor, qty, order: this.order });
    const soft = this.s.softClose;
    if (soft !== null && this.extensions < soft.maxExtensions && this.endMs - this.nowMs <= soft.windowMs) {
      this.endMs += soft.extendMs;
      this.extensions++;
    }
    return 'accepted';
  }

  buyNow(shopperId: string, exposureMinor: number | undefined): RefOutcome {
    if (this.kind !== 'english') return 'wrong_mechanism';
    const problem = this.common(shopperId);
    if (problem) return problem;
    const top = rank(this.bids)[0];
    if (this.s.buyNowMinor === null || (top !== undefined && top.amountMinor >= this.s.reserveMinor)) return 'buy_now_unavailable';
    if (exposureMinor !== undefined && this.s.buyNowMinor > exposureMinor) return 'exposure_exceeded';
    this.closed = {
      reason: 'buy_now',
      atMs: this.nowMs,
      reserveMet: true,
      clearingPriceMinor: this.s.buyNowMinor,
      winners: [{ shopperId, qty: 1, unitPriceMinor: this.s.buyNowMinor }],
    };
    return 'accepted';
  }

  /** The English leader's alias: its place in the order of first bids, from 1; null with no bid. */
  leaderNo(): number | null {
    const top = rank(this.bids)[0];
    return top === undefined ? null : this.bids.indexOf(top) + 1;
  }
}

/** The Dutch clock's price at `atMs`, by formula. */
export function dutchPrice(startMinor: number, clock: { floorPriceMinor: number; stepMinor: number; stepIntervalMs: number }, clockStartMs: number, atMs: number): number {
  if (atMs < clockStartMs) return startMinor;
  const steps = Math.floor((atMs - clockStartMs) / clock.stepIntervalMs);
  return Math.max(clock.floorPriceMinor, startMinor - steps * clock.stepMinor);
}

/** A Dutch clock started at `clockStartMs`: who took it and at what price. */
export class RefDutch {
  taken: { shopperId: string; priceMinor: number } | null = null;

  constructor(
    readonly clock: { startMinor: number; floorPriceMinor: number; stepMinor: number; stepIntervalMs: number },
    readonly clockStartMs: number,
    readonly merchantId: string,
  ) {}

  /** The floor as the engine gets it: never above the start. */
  floor(): number {
    return Math.min(this.clock.floorPriceMinor, this.clock.startMinor);
  }

  accept(shopperId: string, nowMs: number, limit: number | undefined): string {
    if (this.taken) return 'auction_closed';
    if (shopperId === this.merchantId) return 'own_offer';
    const priceMinor = dutchPrice(this.clock.startMinor, { ...this.clock, floorPriceMinor: this.floor() }, this.clockStartMs, nowMs);
    if (limit !== undefined && priceMinor > limit) return 'exposure_exceeded';
    this.taken = { shopperId, priceMinor };
    return 'accepted';
  }
}
