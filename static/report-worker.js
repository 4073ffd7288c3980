// A Web Worker that runs jobs of the seeds' report (issue 14) off the page's thread, so the
// page stays responsive and several cores share the work. It loads the page's own module and
// `.wasm` (their URLs come in `init`, as trunk names them with a content hash). Only the
// exported `report_job` runs here: `main` sees no window and returns at once.
//
// Messages in:  {kind: 'init', glue, wasm}  then  {kind: 'job', seed, job}
// Messages out: {kind: 'ready'} · {kind: 'progress', job, fraction}
//               {kind: 'done', job, result, ms}  (result: JSON of Result<BenchResult, String>)
//               {kind: 'failed', message}       (the module or a job could not run)
let bindings = null;

self.onmessage = async ({ data }) => {
  try {
    if (data.kind === 'init') {
      bindings = await import(data.glue);
      await bindings.default({ module_or_path: data.wasm });
      self.postMessage({ kind: 'ready' });
    } else if (data.kind === 'job') {
      const start = performance.now();
      let shown = start;
      const result = bindings.report_job(data.seed, data.job, (fraction) => {
        // The page redraws its bar at most every 100 ms; more messages would only queue up.
        const now = performance.now();
        if (now - shown >= 100) {
          shown = now;
          self.postMessage({ kind: 'progress', job: data.job, fraction });
        }
      });
      self.postMessage({ kind: 'done', job: data.job, result, ms: performance.now() - start });
    }
  } catch (e) {
    self.postMessage({ kind: 'failed', message: String(e?.message ?? e) });
  }
};
