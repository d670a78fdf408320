import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExecArgs } from '../../lib/cli/exec-args.js';
import { openProgram } from '../../lib/program/index.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from '../specializations/helpers.js';
import { qaicExec as exec } from './qaic-exec-helpers.js';


t.test('-network-specialization-config= compiles one program with a graph per specialization', async (t) => {
  t.match(parseExecArgs(['-m=net.onnx', '-network-specialization-config=spec.json'], '/w'), { options: { network_specialization_config: 'spec.json' } });
  const root = tempDir(t);
  const spec = join(root, 'specializations.json');
  writeFileSync(spec, JSON.stringify({ specializations: [{ H: '4', W: '6' }, { H: '6', W: '4' }] }));
  const out = join(root, 'qpc');
  const ok = await exec([`-m=${convModel()}`, `-network-specialization-config=${spec}`, `-aic-binary-dir=${out}`]);
  t.equal(ok.code, 0, ok.stderr);
  t.same((await openProgram(out)).graphs.map((g) => g.name), ['4x6', '6x4']);

  writeFileSync(spec, '{"specializations": [{"H": "tall"}]}');
  const bad = await exec([`-m=${convModel()}`, `-network-specialization-config=${spec}`, `-aic-binary-dir=${join(root, 'bad')}`]);
  t.not(bad.code, 0);
  t.match(bad.stderr, /QAIC_INVALID_OPTION/);
  t.match(bad.stderr, /network_specialization_config/);
});
