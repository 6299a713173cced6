import fs from 'node:fs'
import path from 'node:path'

/**
 * Where SBOM files are kept as uploaded: once per content, under
 * `<DATA_DIR>/sboms/<first two hex digits>/<sha256>`. The service uses only this small interface,
 * so that an object store can replace the directory.
 */
export interface BlobStore {
  /** Stores the bytes unless they are already there; the file is complete or absent, never partial. */
  put(sha256: string, bytes: Buffer): Promise<void>
  get(sha256: string): Promise<Buffer | undefined>
  has(sha256: string): Promise<boolean>
  remove(sha256: string): Promise<void>
}

const HEX_SHA256 = /^[0-9a-f]{64}$/

/** A content-addressed directory of files named by their SHA-256. */
export function directoryBlobStore(root: string): BlobStore {
  const pathOf = (sha256: string) => {
    // The hash is ours (computed from the bytes), but a path is never built from anything else.
    if (!HEX_SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`)
    return path.join(root, sha256.slice(0, 2), sha256)
  }
  return {
    async put(sha256, bytes) {
      const target = pathOf(sha256)
      if (fs.existsSync(target)) return
      await fs.promises.mkdir(path.dirname(target), { recursive: true })
      const temporary = `${target}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`
      const handle = await fs.promises.open(temporary, 'wx', 0o600)
      try {
        await handle.writeFile(bytes)
        await handle.sync()
      } finally {
        await handle.close()
      }
      try {
        await fs.promises.rename(temporary, target)
      } catch (error) {
        await fs.promises.rm(temporary, { force: true })
        throw error
      }
    },
    async get(sha256) {
      try {
        return await fs.promises.readFile(pathOf(sha256))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
    },
    async has(sha256) {
      return fs.existsSync(pathOf(sha256))
    },
    async remove(sha256) {
      await fs.promises.rm(pathOf(sha256), { force: true })
    },
  }
}

/** The SBOM store of a data directory. */
export function sbomStore(dataDir: string): BlobStore {
  return directoryBlobStore(path.join(dataDir, 'sboms'))
}
