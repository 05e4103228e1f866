// What every benchmark server shares: it tells the harness its port once it listens, answers each usage request
// with its own CPU time and RSS over IPC, and exits when the harness goes away, so no server outlives a run.
// RSS is also sampled every 100 ms, so a peak between two usage requests (a burst of garbage during a workload)
// is reported with the next one.

const RSS_SAMPLE_MS = 100;

/**
 * Reports `port` to the harness and serves usage requests until the harness disconnects or asks to stop.
 * `close` runs before the process exits. Each usage report carries the CPU time so far, the RSS now, and the
 * highest RSS seen since the previous report (sampled every 100 ms, and now).
 */
export function reportToHarness(port, close = async () => {}) {
  if (!process.send) throw new Error('a benchmark server must be started by bench/run.mjs (it needs an IPC channel)');
  let closing = false;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  sampler.unref();
  const stop = async () => {
    if (closing) return;
    closing = true;
    clearInterval(sampler);
    // The server's own close may wait on connections; the harness bounds the whole run, this bounds the server.
    setTimeout(() => process.exit(0), 2_000).unref();
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message) => {
    if (message?.type === 'usage') {
      const { user, system } = process.cpuUsage();
      const rss = process.memoryUsage.rss();
      const peak = Math.max(peakRss, rss);
      peakRss = rss;
      process.send({ type: 'usage', id: message.id, cpuMicros: user + system, rss, peakRss: peak });
    } else if (message?.type === 'stop') {
      void stop();
    }
  });
  process.on('disconnect', () => void stop());
  process.send({ type: 'ready', port, pid: process.pid });
}
