// Group-buy metrics: how many groups form and how fast, how they end, how well matching seats people, and the
// fill curves (members over time) of the first groups opened. Fed observations in order; memory is bounded by the
// live groups plus the sampled curves.
import type { Observation } from '../observations.ts';
import { ratio, ValueDistribution, type DistributionSummary } from './value-distribution.ts';

/** Points kept per fill curve; a group churning joins and leaves keeps its first ones and its end. */
const CURVE_POINTS_MAX = 200;

export interface FillCurve {
  groupId: string;
  offerId: string;
  minSize: number;
  openedAtMs: number;
  /** `completed`, `failed`, or `live` when the run ended first. */
  outcome: 'completed' | 'failed' | 'live';
  /** `[ms since the group opened, members]`. */
  points: [number, number][];
}

export interface GroupMetrics {
  groups: {
    openedCount: number;
    formedCount: number;
    completedCount: number;
    failedCount: number;
    liveAtEndCount: number;
    autoFilledSeatCount: number;
    completedByReason: Record<string, number>;
    failedByReason: Record<string, number>;
    /** Groups that reached their minimum size (成团) of the groups opened. */
    formationRatio: number;
    /** Failed groups of the groups that settled. */
    failureRatio: number;
    timeToFormMs: DistributionSummary;
    /** Members of completed groups (auto-filled seats included). */
    finalSize: DistributionSummary;
    fillCurves: FillCurve[];
  };
  matching: {
    requestCount: number;
    seatedCount: number;
    openedNewCount: number;
    /** Match requests that got a seat. */
    seatedRatio: number;
    /** Seats from matching that went into a group already open (not a new one). */
    intoExistingRatio: number;
    /** Seats from matching, settled, whose group completed (the shopper bought). */
    completedRatio: number;
  };
}

interface LiveGroup {
  openedAtMs: number;
  formed: boolean;
  curve: FillCurve | null;
}

export class GroupMetricsCollector {
  private opened = 0;
  private formed = 0;
  private completed = 0;
  private failed = 0;
  private autoFilledSeats = 0;
  private readonly completedByReason: Record<string, number> = {};
  private readonly failedByReason: Record<string, number> = {};
  private readonly timeToForm = new ValueDistribution();
  private readonly finalSize = new ValueDistribution();
  private readonly live = new Map<string, LiveGroup>();
  private readonly curves: FillCurve[] = [];
  private matchRequests = 0;
  private matchSeated = 0;
  private matchOpened = 0;
  private matchSettled = 0;
  private matchCompleted = 0;
  /** `groupId|shopperId` of seats matching gave, until they settle. */
  private readonly matchedSeats = new Set<string>();

  constructor(private readonly fillCurvesMax: number) {}

  get liveGroups(): number {
    return this.live.size;
  }

  observe(o: Observation): void {
    switch (o.type) {
      case 'group_opened': {
        this.opened++;
        const curve: FillCurve | null =
          this.curves.length < this.fillCurvesMax ? { groupId: o.groupId, offerId: o.offerId, minSize: o.minSize, openedAtMs: o.atMs, outcome: 'live', points: [] } : null;
        if (curve) this.curves.push(curve);
        this.live.set(o.groupId, { openedAtMs: o.atMs, formed: false, curve });
        return;
      }
      case 'group_joined':
      case 'group_left':
        this.addPoint(o.groupId, o.atMs, o.size);
        return;
      case 'group_formed': {
        const group = this.live.get(o.groupId);
        if (!group || group.formed) return;
        group.formed = true;
        this.formed++;
        this.timeToForm.record(o.atMs - group.openedAtMs);
        return;
      }
      case 'group_completed':
        this.completed++;
        this.autoFilledSeats += o.autoFilledSeats;
        this.completedByReason[o.reason] = (this.completedByReason[o.reason] ?? 0) + 1;
        this.finalSize.record(o.size);
        this.settle(o.groupId, o.atMs, o.size, 'completed');
        return;
      case 'group_failed':
        this.failed++;
        this.failedByReason[o.reason] = (this.failedByReason[o.reason] ?? 0) + 1;
        this.settle(o.groupId, o.atMs, o.size, 'failed');
        return;
      case 'command':
        if (o.command !== 'match_group') return;
        this.matchRequests++;
        if (o.ok && o.groupId !== null) {
          this.matchSeated++;
          if (o.opened) this.matchOpened++;
          this.matchedSeats.add(`${o.groupId}|${o.shopperId}`);
        }
        return;
      case 'seat_settled':
      case 'seat_released': {
        const key = `${o.groupId}|${o.shopperId}`;
        if (!this.matchedSeats.delete(key)) return;
        this.matchSettled++;
        if (o.type === 'seat_settled') this.matchCompleted++;
        return;
      }
      default:
        return;
    }
  }

  result(): GroupMetrics {
    const settled = this.completed + this.failed;
    return {
      groups: {
        openedCount: this.opened,
        formedCount: this.formed,
        completedCount: this.completed,
        failedCount: this.failed,
        liveAtEndCount: this.live.size,
        autoFilledSeatCount: this.autoFilledSeats,
        completedByReason: sortedRecord(this.completedByReason),
        failedByReason: sortedRecord(this.failedByReason),
        formationRatio: ratio(this.formed, this.opened),
        failureRatio: ratio(this.failed, settled),
        timeToFormMs: this.timeToForm.summary(),
        finalSize: this.finalSize.summary(),
        fillCurves: this.curves,
      },
      matching: {
        requestCount: this.matchRequests,
        seatedCount: this.matchSeated,
        openedNewCount: this.matchOpened,
        seatedRatio: ratio(this.matchSeated, this.matchRequests),
        intoExistingRatio: ratio(this.matchSeated - this.matchOpened, this.matchSeated),
        completedRatio: ratio(this.matchCompleted, this.matchSettled),
      },
    };
  }

  private addPoint(groupId: string, atMs: number, size: number): void {
    const curve = this.live.get(groupId)?.curve;
    if (!curve) return;
    const point: [number, number] = [atMs - curve.openedAtMs, size];
    if (curve.points.length < CURVE_POINTS_MAX) curve.points.push(point);
    else curve.points[CURVE_POINTS_MAX - 1] = point;
  }

  private settle(groupId: string, atMs: number, size: number, outcome: 'completed' | 'failed'): void {
    const group = this.live.get(groupId);
    if (!group) return;
    if (group.curve) {
      group.curve.outcome = outcome;
      this.addPoint(groupId, atMs, size);
    }
    this.live.delete(groupId);
  }
}

export function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
