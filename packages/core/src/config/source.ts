// Where config files come from: the disk, or the data keys of a Kubernetes ConfigMap (a ConfigMap is
// mounted as a flat directory, so a path names a data key when its base name is one). Names returned
// here are the ones diagnostics print: the path as the user wrote it (joined to the including
// file's directory), or `configmap:NAME/KEY`.

import { access, glob, readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'

export interface ResolvedFile {
  /** Name for diagnostics and `LoadedConfig.files`. */
  readonly name: string
  readonly text: string
}

export interface ConfigMapFiles {
  /** ConfigMap name (metadata.name). */
  readonly name: string
  readonly data: ReadonlyMap<string, string>
}

export class FileSource {
  readonly configMap: ConfigMapFiles | undefined

  constructor(configMap?: ConfigMapFiles) {
    this.configMap = configMap
  }

  /** `configmap:NAME/KEY` for a data key. */
  virtualName(key: string): string {
    return `configmap:${this.configMap?.name ?? ''}/${key}`
  }

  isVirtual(name: string): boolean {
    return name.startsWith('configmap:')
  }

  /**
   * Expands `ref` (possibly a glob) written in file `from` into the names of existing files, sorted
   * (as glob(3) sorts). `baseDir` is the directory relative paths resolve against.
   */
  async expand(ref: string, baseDir: string): Promise<string[]> {
    const hasGlob = /[*?[]/.test(ref)
    const cm = this.configMap
    if (cm) {
      const base = basename(ref)
      if (hasGlob) {
        const re = globToRegExp(base)
        const keys = [...cm.data.keys()].filter((k) => re.test(k)).sort()
        if (keys.length > 0) return keys.map((k) => this.virtualName(k))
      } else if (cm.data.has(base) && (ref === base || !(await exists(this.diskPath(ref, baseDir))))) {
        return [this.virtualName(base)]
      }
    }
    const path = this.diskPath(ref, baseDir)
    if (!hasGlob) return (await exists(path)) ? [path] : []
    const out: string[] = []
    for await (const p of glob(path)) out.push(p)
    return out.sort()
  }

  diskPath(ref: string, baseDir: string): string {
    return isAbsolute(ref) || baseDir === '' ? ref : join(baseDir, ref)
  }

  /** Reads a name returned by `expand` (or the entry file). Throws a precise Error when it cannot. */
  async read(name: string): Promise<string> {
    if (this.isVirtual(name)) {
      const key = name.slice(name.indexOf('/') + 1)
      const text = this.configMap?.data.get(key)
      if (text === undefined) throw new Error(`cannot read ${name}: no such key in the ConfigMap`)
      return text
    }
    try {
      return await readFile(name, 'utf8')
    } catch (err) {
      throw new Error(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }

  /** Directory that paths written in file `name` resolve against ('' for ConfigMap keys). */
  dirOf(name: string, fallback: string): string {
    return this.isVirtual(name) ? fallback : dirname(name)
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** A shell glob (`*`, `?`, `[abc]`) on one path segment as a RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        re += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}
