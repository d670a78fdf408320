import t from 'tap';
import { QaicError, deserializeError, serializeError, type QaicErrorCode } from '../../lib/errors.js';

// every code the errors.ts documentation lists
const CODES: QaicErrorCode[] = [
  'QAIC_INVALID_OPTION', 'QAIC_INVALID_ARGUMENT', 'QAIC_FILE_NOT_FOUND', 'QAIC_FILE_INVALID', 'QAIC_MODEL_INVALID', 'QAIC_INPUT_UNKNOWN',
  'QAIC_INPUT_MISSING', 'QAIC_INPUT_DTYPE', 'QAIC_INPUT_SHAPE', 'QAIC_SESSION_CLOSED', 'QAIC_OVERSUBSCRIBED',
  'QAIC_ACTIVATION_FAILED', 'QAIC_ACTIVATION_CRASHED', 'QAIC_RUN_FAILED', 'QAIC_ABORTED', 'QAIC_TIMEOUT',
  'QAIC_METRICS_DISABLED', 'QAIC_COMPILE_FAILED', 'QAIC_UNSUPPORTED_OPERATOR', 'QAIC_UNKNOWN_SYMBOL',
  'QAIC_PROFILE_INVALID', 'QAIC_PROFILE_MISMATCH', 'QAIC_PROGRAM_CORRUPT', 'QAIC_PROGRAM_VERSION', 'QAIC_PROGRAM_HOST_MISMATCH', 'QAIC_GRAPH_NOT_FOUND',
  'QAIC_NOT_IMPLEMENTED', 'QAIC_CLI_USAGE', 'QAIC_PINNING_FAILED', 'QAIC_INTERNAL',
];

t.test('every error code survives the thread boundary as itself, with message and details', async (t) => {
  for (const code of CODES) {
    const back = deserializeError(serializeError(new QaicError(code, `m ${code}`, { details: { k: 1 } })), 'QAIC_RUN_FAILED');
    t.ok(back instanceof QaicError);
    t.equal(back.code, code, `${code} keeps its code`);
    t.equal(back.message, `m ${code}`);
    t.same(back.details, { k: 1 });
  }
});

t.test('an error with a code that is not a qaic code comes back as the fallback code, the original as its cause', async (t) => {
  const original = Object.assign(new Error('no such file'), { code: 'ENOENT' });
  const back = deserializeError(serializeError(original), 'QAIC_ACTIVATION_FAILED');
  t.equal(back.code, 'QAIC_ACTIVATION_FAILED');
  t.equal(back.message, 'no such file');
  t.equal((back.cause as { code?: string }).code, 'ENOENT');
  t.notOk(back.cause instanceof QaicError);
  const inherited = deserializeError({ name: 'Error', message: 'x', code: 'toString' }, 'QAIC_INTERNAL');
  t.equal(inherited.code, 'QAIC_INTERNAL', 'an inherited property name is no code');
});
