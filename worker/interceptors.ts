/**
 * Activity interceptors of the case worker. The metrics interceptor counts every activity attempt by activity type and
 * outcome, and the attempts past ACTIVITY_RETRY_ALERT_ATTEMPTS: an activity that keeps retrying (PostgreSQL refusing a
 * write, a portal's webhook endpoint down) is otherwise invisible until a case is late. Labels are the activity type
 * (a bounded set: the activities this worker registers) and the outcome, never the case or its arguments.
 */
import type { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WorkerMetrics } from './metrics';

/** How often a running activity tells the server it is alive (only activities running this long ever do). */
export const HEARTBEAT_EVERY_MS = 3000;

/**
 * Heartbeats every activity attempt that runs longer than HEARTBEAT_EVERY_MS. The workflow gives its longer activities
 * (checks, certificates) a heartbeat timeout of 10 s: an attempt on a worker that died (SIGKILL, a lost node) is then
 * retried after 10 s, not after its 2-minute start-to-close timeout. An attempt that ends sooner never heartbeats, so
 * this costs the server nothing for the millisecond writes. Local activities cannot heartbeat and are left alone.
 */
export function activityHeartbeatInterceptor(everyMs = HEARTBEAT_EVERY_MS): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.isLocal) return next(input);
        const timer = setInterval(() => ctx.heartbeat(), everyMs);
        try {
          return await next(input);
        } finally {
          clearInterval(timer);
        }
      },
    },
  });
}

export function activityMetricsInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = ctx.info;
        metrics.attemptStarted(activityType, attempt);
        try {
          const result = await next(input);
          metrics.attemptEnded(activityType, 'completed');
          return result;
        } catch (err) {
          metrics.attemptEnded(activityType, err instanceof CancelledFailure ? 'cancelled' : 'failed');
          throw err;
        }
      },
    },
  });
}
