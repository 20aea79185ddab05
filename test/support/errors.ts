/** The DataError `f` throws (any other outcome fails the test). */
import { DataError } from '../../src/errors.js';

export function dataError(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}
