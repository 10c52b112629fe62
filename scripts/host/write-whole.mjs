// Answer files for the suite inside the extension host, which polls for them.
import { renameSync, writeFileSync } from 'node:fs';

/** Writes `path` whole (a temporary file, then a rename): a suite polling for it never reads it half-written. */
export function writeWhole(path, data) {
  writeFileSync(`${path}.partial`, data);
  renameSync(`${path}.partial`, path);
}
