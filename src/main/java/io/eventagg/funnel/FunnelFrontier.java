package io.eventagg.funnel;

import io.eventagg.config.FunnelDefinition;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.Arrays;

/**
 * One user's open attempts of one funnel, reduced to those that can still change an answer, and
 * the decision which of the user's events the funnel's CEP operator has to see. It is the bound on
 * CEP's work that heavy users need: without it every step-1 event opens an attempt that CEP keeps
 * for the whole conversion window, and each event is matched against all of them.
 *
 * <p><b>Dominance.</b> Two open attempts with the same entry day that have reached the same step
 * wait for the same next event: the one that started later can extend to everything the earlier
 * one can (its window ends later), so the earlier one is dropped. What remains is at most one
 * attempt per (entry day, step reached): {@code steps × entry days inside one conversion window}
 * per user, whatever the user's history. The counts are exactly those of keeping every attempt;
 * the times of a step come from the latest-starting attempt that reached it first (see {@link
 * FunnelFirstReach}), as ClickHouse's {@code windowFunnel} and PostHog keep the most recent start
 * per step.
 *
 * <p><b>What CEP sees.</b> An event goes on to CEP only when it changes an attempt: it starts one,
 * moves one to its next step, or ends one (an exclusion; in strict funnels any event that is not
 * the next step). A step-1 event that only starts an attempt is held back while the gate processes
 * the rest of the events it has (one watermark's worth in streaming, the user's whole history in
 * batch): if the next event that concerns its entry day is another such start, it was dominated
 * before it could matter and is dropped. Events that change nothing (a purchase without an open
 * attempt, a user's events between attempts of a strict funnel) are dropped.
 *
 * <p><b>Kills.</b> CEP cannot be told to forget a partial match, but its pattern can end one at an
 * event (see {@link FunnelPatterns}): each forwarded event carries triples (step reached, first and
 * last-plus-one millisecond of the start) naming the attempts that end right before it is matched:
 * the ones dominated at this event, the ones an exclusion ends (instead of CEP keeping them as
 * finished partial matches until their window ends), and attempts that completed the funnel
 * earlier (CEP would also keep those until their window ends). Starts are compared by entry day,
 * which holds at most one attempt per step.
 *
 * <p>Events must be offered in the order CEP processes them: by timestamp, then {@link
 * FunnelPatterns#sameMillisecondOrder()}, each with a position that grows with that order; the position
 * goes with the event to CEP, which orders equal timestamps by it.
 */
final class FunnelFrontier {
    /** Receives the events for CEP, in any order (CEP sorts them by timestamp and position). */
    interface Forward {
        void forward(FunnelEvent event);
    }

    private final int steps;
    private final boolean strict;
    private final long windowMs;
    private final long[] exclusionsBefore;
    private final BucketCalendar calendar;

    // Open attempts, at most one per (day, level).
    private int size;
    private long[] day = new long[4];
    private long[] start = new long[4];
    private int[] level = new int[4];
    /** The step-1 event of an attempt CEP has not seen yet, with its position; null once forwarded. */
    private FunnelEvent[] held = new FunnelEvent[4];

    private int[] heldAt = new int[4];
    /** A held start also ends the attempt it dominated, which CEP has. */
    private boolean[] heldKills = new boolean[4];
    /** Scratch: the attempt moved to its next step at the current event. */
    private boolean[] moved = new boolean[4];

    /** Kills owed to completed attempts: (level, from, to, position of completion) each. */
    private long[] owed = new long[0];

    private int owedCount;

    private boolean forwardAll;

    /** Scratch: the kills of the current event, triples. */
    private long[] kills = new long[12];

    private int killCount;

    FunnelFrontier(CompiledFunnel funnel, BucketCalendar calendar) {
        FunnelDefinition f = funnel.definition();
        this.steps = f.steps().size();
        this.strict = f.strictOrder();
        this.windowMs = f.conversionWindowMillis();
        this.calendar = calendar;
        this.exclusionsBefore = new long[steps + 2];
        for (int next = 2; next <= steps; next++) exclusionsBefore[next] = funnel.exclusionsBefore(next);
    }

    /**
     * Restores what {@link #toArray} kept (null: a user without open attempts) for a new round of
     * events, whose positions start again: kills still owed go with its first forwarded event.
     */
    void load(long[] stored) {
        size = 0;
        owedCount = 0;
        if (stored == null) return;
        if (stored[0] != 1) throw new IllegalStateException("unknown funnel frontier format " + stored[0]);
        int n = (int) stored[1];
        ensure(n);
        int i = 2;
        for (int a = 0; a < n; a++) {
            day[a] = stored[i++];
            level[a] = (int) stored[i++];
            start[a] = stored[i++];
            held[a] = null;
            heldKills[a] = false;
        }
        size = n;
        int k = (int) stored[i++];
        if (owed.length < 4 * k) owed = new long[4 * k];
        for (int j = 0; j < k; j++) {
            owed[4 * j] = stored[i++];
            owed[4 * j + 1] = stored[i++];
            owed[4 * j + 2] = stored[i++];
            owed[4 * j + 3] = Integer.MIN_VALUE;
        }
        owedCount = k;
    }

    /**
     * What to keep between rounds: the attempts (all forwarded by then, see {@link #finish}) and
     * the kills still owed; null when there is nothing. Layout: format (1), attempts, then (day,
     * step reached, start) each, kills owed, then (step, from, to) each.
     */
    long[] toArray() {
        if (size == 0 && owedCount == 0) return null;
        long[] a = new long[3 + 3 * size + 3 * owedCount];
        int i = 0;
        a[i++] = 1;
        a[i++] = size;
        for (int x = 0; x < size; x++) {
            a[i++] = day[x];
            a[i++] = level[x];
            a[i++] = start[x];
        }
        a[i++] = owedCount;
        for (int j = 0; j < owedCount; j++) {
            a[i++] = owed[4 * j];
            a[i++] = owed[4 * j + 1];
            a[i++] = owed[4 * j + 2];
        }
        return a;
    }

    /** Open attempts (those CEP holds, plus held starts). */
    int attempts() {
        return size;
    }

    /** When the last window of what is kept ends (nothing is left to track after it), or MAX_VALUE when nothing is kept. */
    long lastExpiry() {
        long t = Long.MIN_VALUE;
        for (int a = 0; a < size; a++) t = Math.max(t, start[a] + windowMs + 1);
        for (int j = 0; j < owedCount; j++) t = Math.max(t, owed[4 * j + 2] - 1 + windowMs + 1);
        return t == Long.MIN_VALUE ? Long.MAX_VALUE : t;
    }

    /** Forgets attempts whose window is over at {@code time} (CEP drops them itself at that time). */
    void expire(long time, Forward out) {
        for (int a = size - 1; a >= 0; a--) {
            if (time - start[a] > windowMs) {
                if (held[a] != null) release(a, out);
                remove(a);
            }
        }
        int w = 0;
        for (int j = 0; j < owedCount; j++) {
            // The attempt started before 'to': it has expired once even a start at to - 1 has.
            if (time - (owed[4 * j + 2] - 1) > windowMs) continue;
            System.arraycopy(owed, 4 * j, owed, 4 * w, 4);
            w++;
        }
        owedCount = w;
    }

    /** Applies one event (in CEP's order, at {@code position}) and forwards what CEP has to see. */
    void offer(FunnelEvent e, int position, Forward out) {
        long ts = e.timestamp();
        expire(ts, out);
        killCount = 0;
        boolean forward = false;
        if (moved.length < size + 1) moved = new boolean[(size + 1) * 2];
        Arrays.fill(moved, 0, size, false);
        boolean startsAttempt = (e.stepMask() & 1L) != 0;
        long entryDay = startsAttempt ? calendar.start(Granularity.DAY, ts) : Long.MIN_VALUE;
        boolean killsEarlierStart = false;

        // 1. What the event does to each open attempt (downwards: removal swaps in the last one).
        for (int a = size - 1; a >= 0; a--) {
            int next = level[a] + 1;
            if (!strict && (e.exclusionMask() & exclusionsBefore[next]) != 0) {
                if (held[a] != null) release(a, out);
                addKill(level[a], day[a]);
                remove(a);
                forward = true;
            } else if ((e.stepMask() & (1L << (next - 1))) != 0) {
                if (held[a] != null) release(a, out);
                forward = true;
                if (next == steps) {
                    // Complete. An ordered funnel's CEP keeps the finished match as a partial
                    // one until its window ends (a strict one ends it at the next event).
                    if (!strict) owe(steps, day[a], position);
                    remove(a);
                } else {
                    level[a] = next;
                    moved[a] = true;
                }
            } else if (strict) {
                // Not the next step: the attempt ends (in CEP too, by contiguity). A held start
                // ended by the next start of its day was dominated before it mattered.
                if (held[a] != null && startsAttempt && day[a] == entryDay) {
                    killsEarlierStart |= heldKills[a];
                } else {
                    if (held[a] != null) release(a, out);
                    forward = true;
                }
                remove(a);
            }
        }

        // 2. An attempt that moved up dominates the one that already waited at that step that day.
        for (int b = size - 1; b >= 0; b--) {
            if (moved[b]) continue;
            for (int a = 0; a < size; a++) {
                if (moved[a] && day[a] == day[b] && level[a] == level[b]) {
                    addKill(level[b], day[b]);
                    remove(b);
                    break;
                }
            }
        }

        // 3. A step-1 event starts an attempt, dominating the day's attempt still at step 1.
        if (startsAttempt) {
            for (int b = size - 1; b >= 0; b--) {
                if (!moved[b] && day[b] == entryDay && level[b] == 1) {
                    killsEarlierStart |= held[b] == null || heldKills[b];
                    remove(b);
                }
            }
            int a = add(entryDay, 1, ts);
            if (forward) {
                if (killsEarlierStart) addKill(1, entryDay);
            } else {
                held[a] = e;
                heldAt[a] = position;
                heldKills[a] = killsEarlierStart;
            }
        }
        if (forward || (forwardAll && !startsAttempt)) out.forward(e.forwarded(position, takeKills(position)));
    }

    /**
     * While true, events that change nothing known here are forwarded anyway: after a restore from
     * state written before the gate existed, CEP may hold attempts this frontier never saw, and an
     * event can still extend them. (Kills stay safe for those: an attempt CEP holds that reached the
     * step another attempt of its day moves into started earlier, so it is dominated too.)
     */
    void forwardAll(boolean all) {
        this.forwardAll = all;
    }

    /** Forwards every held start: the round of events is over. */
    void finish(Forward out) {
        for (int a = 0; a < size; a++) if (held[a] != null) release(a, out);
    }

    /** Sends a held start to CEP at its own position, with the kill it carries. */
    private void release(int a, Forward out) {
        FunnelEvent e = held[a];
        int at = heldAt[a];
        held[a] = null;
        // The current event's kills are being collected: set them aside.
        long[] saved = killCount == 0 ? null : Arrays.copyOf(kills, 3 * killCount);
        killCount = 0;
        if (heldKills[a]) addKill(1, day[a]);
        heldKills[a] = false;
        long[] k = takeKills(at);
        killCount = 0;
        if (saved != null) {
            System.arraycopy(saved, 0, kills, 0, saved.length);
            killCount = saved.length / 3;
        }
        out.forward(e.forwarded(at, k));
    }

    /** The collected kills plus those owed to attempts completed before {@code position}. */
    private long[] takeKills(int position) {
        int w = 0;
        for (int j = 0; j < owedCount; j++) {
            if (owed[4 * j + 3] < position) {
                addKillRange(owed[4 * j], owed[4 * j + 1], owed[4 * j + 2]);
            } else {
                System.arraycopy(owed, 4 * j, owed, 4 * w, 4);
                w++;
            }
        }
        owedCount = w;
        return killCount == 0 ? null : Arrays.copyOf(kills, 3 * killCount);
    }

    private void owe(int lvl, long dayStart, int position) {
        if (owed.length < 4 * (owedCount + 1)) owed = Arrays.copyOf(owed, Math.max(8, owed.length * 2));
        owed[4 * owedCount] = lvl;
        owed[4 * owedCount + 1] = dayStart;
        owed[4 * owedCount + 2] = calendar.end(Granularity.DAY, dayStart);
        owed[4 * owedCount + 3] = position;
        owedCount++;
    }

    private void addKill(int lvl, long dayStart) {
        addKillRange(lvl, dayStart, calendar.end(Granularity.DAY, dayStart));
    }

    private void addKillRange(long lvl, long from, long to) {
        for (int k = 0; k < killCount; k++) {
            if (kills[3 * k] == lvl && kills[3 * k + 1] == from) return;
        }
        if (kills.length < 3 * (killCount + 1)) kills = Arrays.copyOf(kills, kills.length * 2);
        kills[3 * killCount] = lvl;
        kills[3 * killCount + 1] = from;
        kills[3 * killCount + 2] = to;
        killCount++;
    }

    private int add(long d, int lvl, long s) {
        ensure(size + 1);
        day[size] = d;
        level[size] = lvl;
        start[size] = s;
        held[size] = null;
        heldKills[size] = false;
        moved[size] = false;
        return size++;
    }

    private void remove(int a) {
        int last = --size;
        if (a != last) {
            day[a] = day[last];
            level[a] = level[last];
            start[a] = start[last];
            held[a] = held[last];
            heldAt[a] = heldAt[last];
            heldKills[a] = heldKills[last];
            moved[a] = moved[last];
        }
        held[last] = null;
    }

    private void ensure(int n) {
        if (day.length >= n && moved.length >= n) return;
        int c = Math.max(n, day.length * 2);
        day = Arrays.copyOf(day, c);
        start = Arrays.copyOf(start, c);
        level = Arrays.copyOf(level, c);
        held = Arrays.copyOf(held, c);
        heldAt = Arrays.copyOf(heldAt, c);
        heldKills = Arrays.copyOf(heldKills, c);
        moved = Arrays.copyOf(moved, Math.max(c, moved.length));
    }
}
