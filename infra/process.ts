import pino from 'pino';
import { createLogger, type Logger } from './logging';

/**
 * One clear line for a fatal start-up error, on stderr, then a non-zero exit: never a hang, never only a stack trace.
 * On a terminal it is plain text; otherwise (log files, containers) a JSON line like every other, at level fatal, with
 * the message in `msg`. The message of a start-up error is written by this code base (a missing variable, a port in
 * use); DEBUG adds the stack.
 */
export function fatal(component: string, logger?: Logger) {
  return (err: unknown): never => {
    const message = `${component}: ${err instanceof Error ? err.message : String(err)}`;
    const stack = process.env.DEBUG && err instanceof Error ? { stack: err.stack } : {};
    if (logger && !process.stderr.isTTY) {
      createLogger({ service: component, destination: pino.destination({ dest: 2, sync: true }) }).fatal({ component, ...stack }, message);
    } else {
      console.error(message);
      if (stack.stack) console.error(stack.stack);
    }
    process.exit(1);
  };
}

/** The message of a fatal start-up line as `fatal` writes it (JSON `msg`, or the plain line): for tests and tools. */
export function fatalMessage(stderr: string): string {
  const line = stderr.trim();
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : line;
  } catch {
    return line;
  }
}
