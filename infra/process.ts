import type { Logger } from './logging';

/**
 * One clear line for a fatal start-up error, then a non-zero exit: never a hang, never only a stack trace. With the
 * process's logger the line is JSON like every other (fatal level, `component`, the message); the message of a
 * start-up error is written by this code base (a missing variable, a port in use), and DEBUG adds the stack.
 */
export function fatal(component: string, logger?: Logger) {
  return (err: unknown): never => {
    const message = err instanceof Error ? err.message : String(err);
    if (logger) {
      logger.fatal({ component, ...(process.env.DEBUG && err instanceof Error ? { stack: err.stack } : {}) }, `${component}: ${message}`);
    } else {
      console.error(`${component}: ${message}`);
      if (process.env.DEBUG) console.error(err);
    }
    process.exit(1);
  };
}
