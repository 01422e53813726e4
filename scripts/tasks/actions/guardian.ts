/**
 * guardian pause / status. Lifting a pause early is governance's (gov propose --contract PauseGuardian --set unpause).
 */
import { ZeroAddress } from "ethers";
import type { DeploymentContext, RevertHints, TaskContext } from "../lib/context";
import { formatAddress, formatDuration, formatTime } from "../lib/format";
import type { TaskResult } from "../lib/run";

export async function pause(ctx: TaskContext): Promise<TaskResult<unknown>> {
  const hints: RevertHints = {
    // The revert names only the caller: who may pause, if anyone, is what the user needs next.
    PauseGuardianNotGuardian: async () => {
      const guardian = await ctx.c.pauseGuardian.guardian();
      return guardian === ZeroAddress
        ? "there is no guardian (governance removed it): only governance pauses (gov propose --contract PauseGuardian --set renewPause)"
        : `only the guardian ${guardian} pauses (governance appoints it)`;
    },
    // The revert names the time alone, which reads as a bug (on the seeded devnet, whose pause governance ended).
    PauseGuardianCoolingDown: async () => {
      const [until, duration] = await Promise.all([ctx.c.pauseGuardian.pausedUntil(), ctx.c.pauseGuardian.pauseDuration()]);
      return (
        `the last pause ended ${formatTime(Number(until), await ctx.now())}, and the guardian may pause again only a pause duration ` +
        `(${formatDuration(Number(duration))}) after the end of the last, so that its pauses cannot follow one another; ` +
        "governance pauses at any time (gov propose --contract PauseGuardian --set renewPause --value <its end>)"
      );
    },
  };
  const tx = await ctx.send("PauseGuardian.pause", () => ctx.c.pauseGuardian.pause(), hints);
  const pausedUntil = Number(await ctx.c.pauseGuardian.pausedUntil());
  return {
    data: { pausedUntil, by: ctx.address, transaction: tx.hash },
    text: [
      `Protocol paused by ${ctx.address} until ${formatTime(pausedUntil, await ctx.now())}`,
      "  refused meanwhile: provider registration, new stake, job creation and acceptance; everything else works",
    ],
  };
}

export interface GuardianStatus {
  paused: boolean;
  pausedUntil: number;
  /** Who started the current (or last) pause: the guardian, or governance (renewPause); null if never paused. */
  pausedBy: string | null;
  /** When the guardian may pause again, while a pause lasts or its cooldown after one; null where it may now. */
  guardianMayPauseFrom: number | null;
  guardian: string | null;
  pauseDuration: number;
  now: number;
}

export async function status(ctx: DeploymentContext): Promise<TaskResult<GuardianStatus>> {
  const g = ctx.c.pauseGuardian;
  const [paused, pausedUntil, pausedBy, guardian, duration, now] = await Promise.all([
    g.isPaused(),
    g.pausedUntil(),
    g.pausedBy(),
    g.guardian(),
    g.pauseDuration(),
    ctx.now(),
  ]);
  // PauseGuardian.pause: no pause while one lasts, nor until a pause duration after the last one ended.
  const mayPauseFrom = pausedUntil === 0n ? 0 : Number(pausedUntil + duration);
  const view: GuardianStatus = {
    paused,
    pausedUntil: Number(pausedUntil),
    pausedBy: pausedBy === ZeroAddress ? null : pausedBy,
    guardianMayPauseFrom: mayPauseFrom > now ? mayPauseFrom : null,
    guardian: guardian === ZeroAddress ? null : guardian,
    pauseDuration: Number(duration),
    now,
  };
  return {
    data: view,
    text: [
      paused ? `Protocol PAUSED by ${pausedBy} until ${formatTime(view.pausedUntil, now)}` : "Protocol not paused",
      `  guardian ${formatAddress(guardian, "none (only governance can pause)")}; a pause lasts ${formatDuration(view.pauseDuration)}`,
      ...(view.guardian === null || view.guardianMayPauseFrom === null
        ? []
        : [`  the guardian may pause again from ${formatTime(view.guardianMayPauseFrom, now)} (a pause duration after the last one ends)`]),
    ],
  };
}
