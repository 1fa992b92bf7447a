import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** The path stored in the archive, as it is: `../x` and `/x` are kept, that is the point. */
  name: string;
  data: string | Buffer;
  /** Unix permission bits; stored in the external attributes as a regular file. */
  mode?: number;
  /** A symbolic link: `data` is where it points. */
  symlink?: boolean;
  /**
   * Already deflated content (method 8): `data` is the deflated stream, `size` and `crc` those of
   * what it inflates to. For zip bombs: the test never holds the inflated bytes.
   */
  deflated?: { size: number; crc: number };
}

const UNIX_REGULAR_FILE = 0o100000;
const UNIX_SYMLINK = 0o120000;
const MADE_BY_UNIX_V20 = (3 << 8) | 20;
const DOS_DATE_1980_01_01 = (1 << 5) | 1;

/**
 * A zip built byte by byte, so tests can make archives no zip tool would: entries that climb out
 * of the target folder, absolute ones, links pointing anywhere, bombs. Entries are stored unless
 * they come deflated already.
 */
export function buildZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    const crc = entry.deflated?.crc ?? crc32(data);
    const method = entry.deflated === undefined ? 0 : 8;
    const size = entry.deflated?.size ?? data.length;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX_V20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(0, 30); // extra and comment lengths
    central.writeUInt32LE(0, 34); // disk number and internal attributes
    const type = entry.symlink ? UNIX_SYMLINK : UNIX_REGULAR_FILE;
    central.writeUInt32LE(((type | (entry.mode ?? 0o644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const zip64 = entries.length > 0xffff;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  if (!zip64) return Buffer.concat([...locals, directory, end]);
  // More entries than 16 bits count: the ZIP64 end record and its locator carry the count.
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4); // the record's size after this field
  record.writeUInt16LE(MADE_BY_UNIX_V20, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(entries.length), 24);
  record.writeBigUInt64LE(BigInt(entries.length), 32);
  record.writeBigUInt64LE(BigInt(directory.length), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...locals, directory, record, locator, end]);
}

/**
 * A zip bomb entry: `bytes` zeros, deflated once (about 1,000:1), with the inflated size and crc
 * the archive must declare. Reusing it under many names makes a small archive that unpacks to
 * gigabytes.
 */
export function deflatedZeros(bytes: number): ZipEntry['deflated'] & { data: Buffer } {
  const zeros = Buffer.alloc(bytes);
  return { data: deflateRawSync(zeros, { level: 9 }), size: bytes, crc: crc32(zeros) };
}
