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
