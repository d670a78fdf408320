/**
 * An activation thread pins itself to the CPUs it is given and reports the affinity the OS then gives it; a CPU the
 * machine lacks fails the start, naming the CPUs and the reason.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { addOneModel } from '../fixtures/models.js';
import { TestActivation, engineAddon, nativeSkipReason } from '../fixtures/native-engine.js';

const skip = nativeSkipReason();

// the first CPU this process may run on (Linux: the native engine is Linux-only)
function firstAllowedCpu(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('Cpus_allowed_list:'))!;
  return Number.parseInt(line.split(':')[1]!.trim(), 10);
}

t.test("the thread pins itself to its CPUs; 'ready' reports the affinity it got", { skip }, async (t) => {
  const cpu = firstAllowedCpu();
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x'], {}, [cpu]);
  try {
    t.match(await activation.started(), { type: 'ready', pinned: [cpu] });
    const unpinned = new TestActivation(engineAddon(), addOneModel(), ['x']);
    const ready = await unpinned.started();
    t.equal(ready.type === 'ready' ? ready.pinned : 'no', undefined, 'without cpus nothing is pinned or reported');
    await unpinned.close();
  } finally {
    await activation.close();
  }
});

t.test('EXPECTED FAILURE - a CPU the machine does not have fails the start with the reason', { skip }, async (t) => {
  const activation = new TestActivation(engineAddon(), addOneModel(), ['x'], {}, [1023]);
  t.match(await activation.started(), { type: 'load-failed', message: /cannot pin the activation thread to CPUs \[1023\]: Invalid argument/ });
  await activation.close();
  const unstarted = new (engineAddon().NativeActivation)(() => undefined);
  t.throws(() => unstarted.start({ index: 0, modelPath: addOneModel(), inputNames: ['x'], sessionOptions: {}, cpus: [-1] }),
    { message: /config\.cpus\[0\] must be an integer from 0 to 1023/ }, 'BAD CALL - a negative CPU');
  // an activation keeps the event loop alive until closed, started or not
  unstarted.close();
});
