// An offer's live groups as its watchers see them: the offer channel's snapshot, then each group event applied in
// offer order. Groups that complete or fail leave the book (they are no longer live), as they leave the snapshot.
import type { ChannelEvent, GroupSummary } from '../wire.ts';

export class GroupBook {
  private readonly groups = new Map<string, GroupSummary>();

  reset(groups: readonly GroupSummary[]): void {
    this.groups.clear();
    for (const group of groups) this.groups.set(group.groupId, { ...group });
  }

  /** Oldest first, as the server lists them. */
  list(): GroupSummary[] {
    return [...this.groups.values()];
  }

  get(groupId: string): GroupSummary | undefined {
    return this.groups.get(groupId);
  }

  /** Applies an offer-channel event; true when the book changed. */
  apply(event: ChannelEvent): boolean {
    switch (event.type) {
      case 'group_opened':
        this.groups.set(event.groupId, {
          groupId: event.groupId,
          offerId: event.offerId,
          status: 'open',
          leaderId: event.leaderId,
          size: 0,
          minSize: event.minSize,
          maxSize: event.maxSize,
          seatsMissing: event.minSize,
          newcomerOnly: event.newcomerOnly,
          openedAtMs: event.atMs,
          deadlineMs: event.deadlineMs,
          // Set by the leader's group_joined, which always follows.
          unitPriceMinor: 0,
        });
        return true;
      case 'group_joined':
      case 'group_left': {
        const group = this.groups.get(event.groupId);
        if (!group) return false;
        group.size = event.size;
        group.seatsMissing = Math.max(0, group.minSize - event.size);
        group.unitPriceMinor = event.unitPriceMinor;
        if (event.type === 'group_left' && event.leaderId !== null) group.leaderId = event.leaderId;
        return true;
      }
      case 'group_formed': {
        const group = this.groups.get(event.groupId);
        if (!group) return false;
        group.status = 'formed';
        return true;
      }
      case 'group_completed':
      case 'group_failed':
        return this.groups.delete(event.groupId);
      default:
        return false;
    }
  }
}

/** "2 of 3 to form · up to 5" */
export function seatsText(group: Pick<GroupSummary, 'size' | 'minSize' | 'maxSize' | 'status'>): string {
  const cap = group.maxSize === null ? '' : ` · up to ${group.maxSize}`;
  if (group.status === 'formed') return `${group.size} members, formed${cap}`;
  return `${group.size} of ${group.minSize} to form${cap}`;
}
