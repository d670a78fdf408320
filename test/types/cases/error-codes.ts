// Type tests (see session-options.ts): error codes are the keys of QAIC_ERROR_CODES.
import { QAIC_ERROR_CODES, QaicError, isQaicError, type QaicErrorCode } from '../../../lib/index.js';

// --- what must compile
const code: QaicErrorCode = 'QAIC_INVALID_OPTION';
const listed: true = QAIC_ERROR_CODES[code];
const error = new QaicError('QAIC_FILE_INVALID', 'not a regular file');
const known: boolean = isQaicError(error, 'QAIC_INPUT_SHAPE');
void [listed, known];

// --- what must not
// @ts-expect-error a code that is not in the table (QAIC_NOT_IMPLEMENTED was removed: nothing raised it)
const removed: QaicErrorCode = 'QAIC_NOT_IMPLEMENTED';
// @ts-expect-error a misspelt code
new QaicError('QAIC_INVALID_OPTIONS', 'm');
// @ts-expect-error isQaicError takes codes only
isQaicError(error, 'ENOENT');
// @ts-expect-error the table is read-only
QAIC_ERROR_CODES.QAIC_INTERNAL = true;
void removed;
