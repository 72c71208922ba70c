import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { deserialize, serialize } from "bson";
import type { ChangeSink, JournalRecord, StorageEngine } from "./storage-engine.js";

const JOURNAL_FILE = "journal.bin";
const LOCK_FILE = "mongod.lock";
/** Frame: uint32 length of the BSON record, uint32 CRC-32 of it, the record. */
const FRAME_HEADER = 8;

function frame(record: JournalRecord): Buffer {
  const body = serialize(record, { ignoreUndefined: true });
  const out = Buffer.allocUnsafe(FRAME_HEADER + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  out.set(body, FRAME_HEADER);
  return out;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** When the journal is rewritten while running. */
export interface CompactionPolicy {
  /** Never compact below this size (default 64 MiB). */
  minBytes?: number;
  /** Compact once the journal is this many times its size after the last compaction (default 2). */
  growthFactor?: number;
}

const DEFAULT_MIN_BYTES = 64 * 1024 * 1024;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Append-only journal of logical changes in a data folder. Changes are framed with a CRC, written and
 * fsynced in groups (every change a command made is on disk before its reply), replayed at start and
 * compacted into one record per live document: at start, and while running whenever it has grown past
 * its {@link CompactionPolicy} (so a long-running server's journal stays bounded).
 */
export class Journal implements ChangeSink {
  private pending: Buffer[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  /** Bytes at the end of the journal that were dropped as incomplete at start (a write cut by a crash). */
  discardedBytes = 0;
  /** Online compactions done since start. */
  compactions = 0;
  private bytes = 0;
  private baseBytes = 0;
  /** Set when the journal can no longer take writes safely; every later commit fails with it. */
  private broken: unknown;

  private constructor(
    private readonly dir: string,
    private file: FileHandle,
    private readonly storage: StorageEngine,
    private readonly policy: Required<CompactionPolicy>,
  ) {}

  /**
   * Locks the data folder, replays its journal into `storage`, compacts it and starts appending.
   * Throws when another live process holds the folder.
   */
  static async open(dir: string, storage: StorageEngine, policy: CompactionPolicy = {}): Promise<Journal> {
    mkdirSync(dir, { recursive: true });
    const lockPath = join(dir, LOCK_FILE);
    if (existsSync(lockPath)) {
      const pid = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
      if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) {
        throw new Error(`embedded MongoDB data folder ${dir} is in use by process ${pid}`);
      }
    }
    writeFileSync(lockPath, String(process.pid));
    const path = join(dir, JOURNAL_FILE);
    let discarded = 0;
    if (existsSync(path)) discarded = Journal.replay(readFileSync(path), storage);
    await Journal.compact(dir, Journal.frames(storage));
    const journal = new Journal(dir, await open(path, "a"), storage, {
      minBytes: policy.minBytes ?? DEFAULT_MIN_BYTES,
      growthFactor: policy.growthFactor ?? 2,
    });
    journal.discardedBytes = discarded;
    journal.bytes = journal.baseBytes = statSync(path).size;
    storage.sink = journal;
    return journal;
  }

  /** Applies every intact record; returns how many trailing bytes were not (a torn last write). */
  private static replay(data: Buffer, storage: StorageEngine): number {
    let pos = 0;
    while (pos + FRAME_HEADER <= data.length) {
      const length = data.readUInt32LE(pos);
      const end = pos + FRAME_HEADER + length;
      if (length < 5 || end > data.length) break;
      const body = data.subarray(pos + FRAME_HEADER, end);
      if (crc32(body) !== data.readUInt32LE(pos + 4)) break;
      storage.replay(deserialize(body) as JournalRecord);
      pos = end;
    }
    return data.length - pos;
  }

  /**
   * The current state as journal frames, in 8 MB chunks. Synchronous on purpose: no change can slip in
   * between the snapshot and the point the caller takes it from.
   */
  private static frames(storage: StorageEngine): Buffer[] {
    const chunks: Buffer[] = [];
    let chunk: Buffer[] = [];
    let size = 0;
    for (const record of storage.snapshot()) {
      const f = frame(record);
      chunk.push(f);
      size += f.length;
      if (size > 8 * 1024 * 1024) {
        chunks.push(Buffer.concat(chunk));
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length > 0) chunks.push(Buffer.concat(chunk));
    return chunks;
  }

  /**
   * Replaces the journal by a snapshot, crash-safe at every step: written aside and fsynced, then renamed
   * over the journal (atomic) and the folder fsynced. Until the rename the old journal holds everything
   * acknowledged; after it the new one does.
   */
  private static async compact(dir: string, chunks: Buffer[]): Promise<void> {
    const tmp = join(dir, `${JOURNAL_FILE}.tmp`);
    const handle = await open(tmp, "w");
    try {
      for (const chunk of chunks) {
        let written = 0;
        while (written < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
          written += bytesWritten;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    renameSync(tmp, join(dir, JOURNAL_FILE));
    const dirHandle = await open(dir, "r");
    try {
      await dirHandle.sync();
    } catch {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    } finally {
      await dirHandle.close();
    }
  }

  /** Queues a change; it is written with the next group commit. */
  append(record: JournalRecord): void {
    this.pending.push(frame(record));
  }

  /** Resolves once every change appended so far is written and fsynced. */
  commit(): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.pending.length === 0 && !this.flushing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0 || this.waiters.length > 0) {
      const buffers = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      if (buffers.length === 0) {
        // Their changes were in the batch that just finished.
        for (const w of waiters) w.resolve();
        continue;
      }
      try {
        if (!(this.dueForCompaction() && (await this.compactOnline()))) await this.write(buffers);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.flushing = undefined;
  }

  private dueForCompaction(): boolean {
    const { minBytes, growthFactor } = this.policy;
    return this.bytes > minBytes && this.bytes > this.baseBytes * growthFactor;
  }

  private async write(buffers: Buffer[]): Promise<void> {
    const data = Buffer.concat(buffers);
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.file.write(data, written, data.length - written);
      written += bytesWritten;
    }
    await this.file.datasync();
    this.bytes += data.length;
  }

  /**
   * Compacts while running. The snapshot is taken synchronously, so it holds every change applied so far,
   * including the batch this flush would have appended (that batch is then not written: its waiters are
   * answered once the snapshot is the journal). Changes made meanwhile queue up for the new file.
   * Returns false when the compaction failed; the old journal is intact and the caller appends to it.
   */
  private async compactOnline(): Promise<boolean> {
    const chunks = Journal.frames(this.storage);
    try {
      await Journal.compact(this.dir, chunks);
    } catch {
      return false;
    }
    // From here on the renamed snapshot is the journal: appends go to it. Appending to the old (now
    // unlinked) file would lose writes, so a failure to open it stops all further commits.
    let next: FileHandle;
    try {
      next = await open(join(this.dir, JOURNAL_FILE), "a");
    } catch (error) {
      this.broken = error;
      throw error;
    }
    const previous = this.file;
    this.file = next;
    await previous.close().catch(() => undefined);
    this.bytes = this.baseBytes = chunks.reduce((n, c) => n + c.length, 0);
    this.compactions++;
    return true;
  }

  /** Flushes what is queued, closes the file and releases the folder lock. */
  async close(): Promise<void> {
    await this.commit();
    await this.flushing;
    await this.file.close();
    try {
      unlinkSync(join(this.dir, LOCK_FILE));
    } catch {
      // Already gone: nothing to release.
    }
  }
}
