// A Web Worker running the lab module (`lab/`, its own `.wasm`): the benchmarks, the seeds'
// report jobs and their charts, off the page's thread. Trunk builds the module as a worker
// (`data-type="worker"` in index.html): `syncsim-lab.js` defines `wasm_bindgen`, which loads
// `syncsim-lab_bg.wasm` beside it.
//
// Messages in:  {kind: 'job', seed, job}          one job of the seeds' report
//               {kind: 'bench', params}          a suite (JSON of ScenarioParams)
//               {kind: 'cancel'}                 ends the suite after its current slice
//               {kind: 'assets', seed, results, wall}  a report's charts and files, from its
//                                                jobs' results (a JSON array, null if not run)
//               {kind: 'call', id, name, args}  one of the module's exports that answers a text
//                                                (the page's checks: web/src/shell/checks.rs)
// Messages out: {kind: 'ready'}
//               {kind: 'progress', job, fraction}  {kind: 'done', job, result, ms}
//               {kind: 'bench-progress', progress}  {kind: 'bench-done', outcome}
//               {kind: 'assets', answer}
//               {kind: 'answer', id, text, ms}  (ms: the call's own time)
//               {kind: 'failed', message}       (the module or a task could not run)
// The page names its build in the script's query (`?v=`): the module's files carry it too, so
// a browser never pairs a new page with a cached old lab (trunk does not hash their names).
const build = self.location.search;
importScripts(`./syncsim-lab.js${build}`);

// plotters measures text through the DOM (a <span>'s offsetWidth and offsetHeight, in plotters
// 0.3.7's src/style/font/web.rs, its only font code for wasm32), and a worker has no DOM. This
// shim gives it just that: a document whose spans measure themselves with an OffscreenCanvas,
// so the charts are laid out with the browser's own font metrics, as a page's would be. It comes
// after `importScripts`: the module's glue takes a `document` to mean a page.
(() => {
  const measure = new OffscreenCanvas(1, 1).getContext('2d');
  const css = (style, name, fallback) =>
    new RegExp(`${name}:\\s*([^;]+)`).exec(style)?.[1]?.trim() ?? fallback;
  class Span {
    constructor() { this.textContent = ''; this.style = ''; }
    setAttribute(name, value) { if (name === 'style') this.style = value; }
    get size() { return parseFloat(css(this.style, 'font-size', '12px')); }
    get offsetWidth() {
      // plotters' style names ('bold', 'oblique'...) are valid in the canvas font shorthand.
      const style = css(this.style, 'font-style', 'normal');
      measure.font = `${style} ${this.size}px ${css(this.style, 'font-family', 'sans-serif')}`;
      return Math.round(measure.measureText(this.textContent).width);
    }
    // An inline-block's height is its line box: about 1.15 em for the usual sans-serif fonts.
    get offsetHeight() { return Math.round(this.size * 1.15); }
    remove() {}
  }
  self.document = { body: { append() {} }, createElement: () => new Span() };
  self.Window = { [Symbol.hasInstance]: (o) => o === self };
  self.HTMLElement = { [Symbol.hasInstance]: (o) => o instanceof Span };
})();

const loaded = wasm_bindgen({ module_or_path: `./syncsim-lab_bg.wasm${build}` });
loaded.then(
  () => self.postMessage({ kind: 'ready' }),
  (e) => self.postMessage({ kind: 'failed', message: String(e?.message ?? e) }),
);
let cancel = false;

// Wall time of one slice of a suite before the worker reads its messages again (Cancel), and
// the least time between two progress messages (the page redraws its bar at most this often).
const SLICE_MS = 40;
const PROGRESS_MS = 100;

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function bench(params) {
  cancel = false;
  const failed = wasm_bindgen.bench_start(params);
  if (failed) {
    self.postMessage({ kind: 'failed', message: failed });
    return;
  }
  let shown = 0;
  for (;;) {
    const progress = wasm_bindgen.bench_slice(SLICE_MS);
    if (cancel || JSON.parse(progress).done) break;
    const now = performance.now();
    if (now - shown >= PROGRESS_MS) {
      shown = now;
      self.postMessage({ kind: 'bench-progress', progress });
    }
    await nextTask();
  }
  self.postMessage({ kind: 'bench-done', outcome: wasm_bindgen.bench_finish(cancel) });
}

self.onmessage = async ({ data }) => {
  try {
    if (data.kind === 'cancel') {
      cancel = true;
      return;
    }
    await loaded;
    if (data.kind === 'job') {
      const start = performance.now();
      let shown = start;
      const result = wasm_bindgen.report_job(data.seed, data.job, (fraction) => {
        const now = performance.now();
        if (now - shown >= PROGRESS_MS) {
          shown = now;
          self.postMessage({ kind: 'progress', job: data.job, fraction });
        }
      });
      self.postMessage({ kind: 'done', job: data.job, result, ms: performance.now() - start });
    } else if (data.kind === 'bench') {
      await bench(data.params);
    } else if (data.kind === 'call') {
      const start = performance.now();
      const text = wasm_bindgen[data.name](...data.args);
      self.postMessage({ kind: 'answer', id: data.id, text, ms: performance.now() - start });
    } else if (data.kind === 'assets') {
      self.postMessage({ kind: 'assets', answer: wasm_bindgen.report_assets(data.seed, data.results, data.wall) });
    }
  } catch (e) {
    self.postMessage({ kind: 'failed', message: String(e?.message ?? e) });
  }
};
