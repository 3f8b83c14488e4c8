/** One clear line for a fatal start-up error, then a non-zero exit: never a hang, never only a stack trace. */
export function fatal(component: string) {
  return (err: unknown): never => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`${component}: ${message}`);
    if (process.env.DEBUG) console.error(err);
    process.exit(1);
  };
}
