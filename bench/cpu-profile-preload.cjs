// Preloaded with `node --require` (NODE_OPTIONS refuses --cpu-prof) by bench/platform-profile.ts --cpu-prof, in every
// thread of the worker and the API (worker threads inherit NODE_OPTIONS): V8's sampling profiler runs from the moment
// CPU_PROFILE_DIR/.start exists until CPU_PROFILE_DIR/.stop does, then each thread writes its own .cpuprofile there.
// So the profiles cover the measured phase only (not the start, not webpack), including the workflow thread.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const { isMainThread, threadId } = require('node:worker_threads');
const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  let state = 'waiting';
  const timer = setInterval(() => {
    if (state === 'waiting' && fs.existsSync(path.join(dir, '.start'))) {
      state = 'running';
      session.post('Profiler.start');
    } else if (state === 'running' && fs.existsSync(path.join(dir, '.stop'))) {
      state = 'done';
      clearInterval(timer);
      session.post('Profiler.stop', (err, res) => {
        if (err) return;
        const entry = path.basename(path.dirname(process.argv[1] || '')) || 'node';
        fs.writeFileSync(path.join(dir, `${entry}-${process.pid}-${isMainThread ? 'main' : `thread${threadId}`}.cpuprofile`), JSON.stringify(res.profile));
      });
    }
  }, 200);
  timer.unref();
}
