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
  const view: GuardianStatus = {
    paused,
    pausedUntil: Number(pausedUntil),
    pausedBy: pausedBy === ZeroAddress ? null : pausedBy,
    guardian: guardian === ZeroAddress ? null : guardian,
    pauseDuration: Number(duration),
    now,
  };
  return {
    data: view,
    text: [
      paused ? `Protocol PAUSED by ${pausedBy} until ${formatTime(view.pausedUntil, now)}` : "Protocol not paused",
      `  guardian ${formatAddress(guardian, "none (only governance can pause)")}; a pause lasts ${formatDuration(view.pauseDuration)}`,
    ],
  };
}
