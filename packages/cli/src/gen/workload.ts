// Writes container logs the way a Kubernetes node does (kubelet + containerd):
//   <root>/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log          the CRI log file
//   <root>/var/log/containers/<pod>_<ns>_<container>-<id>.log       symlink to it
// Rotation renames 0.log to 0.log.<YYYYMMDD-HHMMSS> and starts a new 0.log, as kubelet does; pods come
// and go (a new pod's directory appears, a deleted pod's directory and symlink vanish).
// Seeded: the same options produce the same bytes.

import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join, resolve } from 'node:path'
import { type ContainerSpec, type Deployment, demoDeployments, newPod, type Pod } from './cluster.ts'
import { criLines, criTime } from './cri.ts'
import { eventLines } from './messages.ts'
import { createRng, type Rng } from './prng.ts'

/**
 * Changes whenever the same options start producing other bytes (message formats, deployments), so
 * that cached workloads (the benchmark's) are generated again. 2: the ingress controller and Spring
 * Boot 3's console pattern (1M lines ≈ 250 MB, as PRODUCT.md's reference workload; 209 MB before).
 */
export const WORKLOAD_VERSION = 2

export interface WorkloadOptions {
  /** Demo root; logs go under <root>/var/log. */
  readonly root: string
  readonly seed?: number
  readonly deployments?: readonly Deployment[]
  /** Multiplies every deployment's replicas (more files). */
  readonly replicaScale?: number
  /** Rotate a container's file when it grows past this many bytes (0: never). */
  readonly rotateBytes?: number
  /** Rotated files kept per container (kubelet's containerLogMaxFiles - 1). */
  readonly keepRotated?: number
  /**
   * How files rotate: `rename` (kubelet's way, default) or `copytruncate` (logrotate's: copy 0.log
   * to 0.log.<stamp>, then truncate 0.log in place, same inode).
   */
  readonly rotateMode?: 'rename' | 'copytruncate'
  /**
   * Give every CRI line a unique marker 1, 2, 3… (`lastMark` is the highest written), so a checker
   * can find every line, not only every event: JSON lines get a leading `"mark":N,` key (still valid
   * JSON), other lines end with ` mark=N`. A line split into CRI partial chunks carries one marker.
   */
  readonly markLines?: boolean
}

export interface ContainerLog {
  readonly pod: Pod
  readonly container: ContainerSpec
  readonly dir: string
  /** The current CRI file (…/0.log). */
  readonly file: string
  /** The /var/log/containers symlink. */
  readonly link: string
  fd: number
  bytes: number
  pending: string
  alive: boolean
}

export interface WorkloadStats {
  events: number
  lines: number
  /** CRI `P` lines (partial chunks of lines longer than 16 KiB); lines - partial = logical lines. */
  partial: number
  bytes: number
  rotations: number
  podsCreated: number
  podsDeleted: number
}

const FLUSH_AT = 1 << 20

export class Workload {
  readonly root: string
  readonly podsDir: string
  readonly containersDir: string
  readonly stats: WorkloadStats = {
    events: 0,
    lines: 0,
    partial: 0,
    bytes: 0,
    rotations: 0,
    podsCreated: 0,
    podsDeleted: 0,
  }
  readonly logs: ContainerLog[] = []
  private readonly rng: Rng
  private readonly opts: WorkloadOptions
  private readonly deployments: readonly Deployment[]
  private totalWeight = 0
  private seq = 0
  /** With `markLines`: the last marker written (markers are 1..lastMark). */
  lastMark = 0

  constructor(opts: WorkloadOptions) {
    this.opts = opts
    this.root = resolve(opts.root)
    this.podsDir = join(this.root, 'var', 'log', 'pods')
    this.containersDir = join(this.root, 'var', 'log', 'containers')
    this.rng = createRng(opts.seed ?? 1)
    const scale = opts.replicaScale ?? 1
    this.deployments = (opts.deployments ?? demoDeployments).map((d) => ({
      ...d,
      replicas: Math.max(1, Math.round(d.replicas * scale)),
    }))
    mkdirSync(this.podsDir, { recursive: true })
    mkdirSync(this.containersDir, { recursive: true })
    for (const d of this.deployments) for (let i = 0; i < d.replicas; i++) this.startPod(d)
  }

  /** Creates a pod of deployment `d`: its log directory, files and symlinks. */
  startPod(d: Deployment): Pod {
    const pod = newPod(this.rng, d)
    for (const c of d.containers) {
      const dir = join(this.podsDir, `${pod.namespace}_${pod.name}_${pod.uid}`, c.name)
      mkdirSync(dir, { recursive: true })
      const file = join(dir, '0.log')
      const link = join(this.containersDir, `${pod.name}_${pod.namespace}_${c.name}-${pod.containerIds[c.name]}.log`)
      const fd = openSync(file, 'a')
      symlinkSync(file, link)
      this.logs.push({ pod, container: c, dir, file, link, fd, bytes: 0, pending: '', alive: true })
      this.totalWeight += d.weight / d.replicas
    }
    this.stats.podsCreated++
    return pod
  }

  /** Stops a pod: no more lines; its files stay until `deletePod`. */
  stopPod(pod: Pod): void {
    for (const l of this.logs) {
      if (l.pod !== pod || !l.alive) continue
      this.flushLog(l)
      closeSync(l.fd)
      l.alive = false
      this.totalWeight -= pod.deployment.weight / pod.deployment.replicas
    }
  }

  /** Removes a stopped pod's log directory and symlinks, as kubelet does when the pod is deleted. */
  deletePod(pod: Pod): void {
    for (let i = this.logs.length - 1; i >= 0; i--) {
      const l = this.logs[i]!
      if (l.pod !== pod) continue
      if (l.alive) this.stopPod(pod)
      rmSync(l.link, { force: true })
      this.logs.splice(i, 1)
    }
    rmSync(join(this.podsDir, `${pod.namespace}_${pod.name}_${pod.uid}`), { recursive: true, force: true })
    this.stats.podsDeleted++
  }

  /** Replaces the oldest live pod of a random deployment; returns the pod now stopped. */
  churn(): Pod | undefined {
    const d = this.rng.pick(this.deployments)
    const old = this.logs.find(
      (l) => l.alive && l.pod.deployment.name === d.name && l.pod.namespace === d.namespace,
    )?.pod
    this.startPod(d)
    if (old) this.stopPod(old)
    return old
  }

  /**
   * Writes `count` application events with times from `fromMs` spread evenly to `toMs`, spread over
   * the live containers by weight. Returns the number of CRI lines written.
   */
  writeEvents(count: number, fromMs: number, toMs: number): number {
    const live = this.logs.filter((l) => l.alive)
    if (live.length === 0 || count <= 0) return 0
    const weights = live.map((l) => l.pod.deployment.weight / l.pod.deployment.replicas)
    const total = weights.reduce((a, b) => a + b, 0)
    const step = (toMs - fromMs) / count
    let lines = 0
    for (let i = 0; i < count; i++) {
      let r = this.rng.next() * total
      let k = 0
      while (k < live.length - 1 && r >= weights[k]!) r -= weights[k++]!
      const log = live[k]!
      const ms = Math.floor(fromMs + i * step)
      const seq = ++this.seq
      const out = eventLines(log.container.kind, { rng: this.rng, ms, seq, pod: log.pod.name })
      const time = criTime(ms, this.rng.int(1_000_000))
      for (const o of out) {
        const text = criLines(time, o.stream, this.opts.markLines ? this.mark(o.text) : o.text)
        log.pending += text
        const n = countNewlines(text)
        lines += n
        if (n > 1) this.stats.partial += n - 1
      }
      if (log.pending.length >= FLUSH_AT) this.flushLog(log)
    }
    this.stats.events += count
    this.stats.lines += lines
    return lines
  }

  private mark(text: string): string {
    const m = ++this.lastMark
    return text.startsWith('{"') ? `{"mark":${m},${text.slice(1)}` : `${text} mark=${m}`
  }

  /** Writes buffered lines of every container to disk (and rotates files grown too large). */
  flush(): void {
    for (const l of this.logs) if (l.alive) this.flushLog(l)
  }

  private flushLog(l: ContainerLog): void {
    if (l.pending.length === 0) return
    const buf = Buffer.from(l.pending)
    l.pending = ''
    writeSync(l.fd, buf)
    l.bytes += buf.length
    this.stats.bytes += buf.length
    const max = this.opts.rotateBytes ?? 0
    if (max > 0 && l.bytes >= max) this.rotate(l)
  }

  /**
   * kubelet-style rotation: rename 0.log to 0.log.<stamp>, reopen 0.log, prune old rotations.
   * With rotateMode `copytruncate`: copy 0.log to 0.log.<stamp> and truncate 0.log (the fd is in
   * append mode, so the next write lands at offset 0).
   */
  rotate(l: ContainerLog): void {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
    let target = `${l.file}.${stamp}`
    for (let n = 1; existsIn(l.dir, target); n++) target = `${l.file}.${stamp}.${n}`
    if (this.opts.rotateMode === 'copytruncate') {
      copyFileSync(l.file, target)
      ftruncateSync(l.fd, 0)
    } else {
      closeSync(l.fd)
      renameSync(l.file, target)
      l.fd = openSync(l.file, 'a')
    }
    l.bytes = 0
    this.stats.rotations++
    const keep = this.opts.keepRotated ?? 2
    const rotated = readdirSync(l.dir)
      .filter((n) => n.startsWith('0.log.'))
      .sort()
    for (const old of rotated.slice(0, Math.max(0, rotated.length - keep))) unlinkSync(join(l.dir, old))
  }

  close(): void {
    for (const l of this.logs) {
      if (!l.alive) continue
      this.flushLog(l)
      closeSync(l.fd)
      l.alive = false
    }
  }
}

function existsIn(dir: string, path: string): boolean {
  const name = path.slice(dir.length + 1)
  return readdirSync(dir).includes(name)
}

function countNewlines(s: string): number {
  let n = 0
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++
  return n
}
