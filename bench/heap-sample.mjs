// Every allocation of the process, sampled (also objects the GC has freed since), written at exit to
// bench/results/heap.heapprofile: `BENCH_NODE_ARGS="--import ./bench/heap-sample.mjs" npm run bench`, then open the
// file in Chrome DevTools (Memory → Load profile). Node's --heap-prof keeps only what is still alive at exit.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: 16_384,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
process.on('exit', () => {
  // An in-process inspector session answers synchronously, so this runs before the process ends.
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (!err) writeFileSync(new URL('results/heap.heapprofile', import.meta.url), JSON.stringify(result.profile));
  });
});
