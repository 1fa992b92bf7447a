import { zipSync } from 'fflate';

/** Unix in the zip's "version made by", so unzip tools read the high 16 bits of attrs as a mode. */
const MADE_BY_UNIX = 3;
const REGULAR_FILE = 0o100000;
/** A fixed time (the DOS epoch's first valid day) makes the same binary give the same zip. */
const FIXED_MTIME = new Date(1980, 0, 2);

/**
 * The zip `wsk action create X --native exec.zip` uploads: `exec` at the root, mode 0755, so the
 * dockerskeleton proxy can run it after unzipping.
 */
export function execZip(binary: Uint8Array): Uint8Array {
  return zipSync(
    {
      exec: [
        binary,
        { os: MADE_BY_UNIX, attrs: ((REGULAR_FILE | 0o755) << 16) >>> 0, mtime: FIXED_MTIME },
      ],
    },
    { level: 9 },
  );
}
