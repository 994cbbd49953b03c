// Warnings for configurations that Fluent Bit accepts but that lose or garble logs, each one met in
// the seeds or in the complaints PRODUCT.md lists.

import { existsSync } from 'node:fs'
import { basename, isAbsolute, join } from 'node:path'
import type { LoadedConfig } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import { type ConfigEntry, parseSize } from '@sluice/core/options.ts'
import { parseRetryLimit } from '../common-options.ts'
import { type Instance, isOff, isOn } from './instance.ts'
import type { TagSource } from './routing.ts'
import { globsIntersect } from './tag-glob.ts'

/** Outputs that send over a network, where a failed flush is a normal event (outage, 429, restart). */
export const NETWORK_OUTPUTS = new Set([
  'es',
  'opensearch',
  'http',
  'forward',
  'cloudwatch_logs',
  'kinesis_firehose',
  'kinesis_streams',
  's3',
  'kafka',
  'kafka-rest',
  'loki',
  'splunk',
  'datadog',
  'stackdriver',
  'azure',
  'azure_blob',
  'azure_logs_ingestion',
  'bigquery',
  'syslog',
  'tcp',
  'udp',
  'gelf',
  'influxdb',
  'opentelemetry',
  'prometheus_remote_write',
  'websocket',
  'nats',
  'logdna',
  'new_relic',
  'pgsql',
  'skywalking',
  'vivo_exporter',
  'chronicle',
  'oracle_log_analytics',
])

/** Below this rate (bytes per second) a Mem_Buf_Limit/Flush pair starves a busy node. */
export const MIN_BUFFER_THROUGHPUT = 1024 * 1024

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

/**
 * Mem_Buf_Limit pauses the input once that many bytes wait in memory; the buffer drains once per
 * Flush interval. So an input can read at most about limit / flush bytes per second.
 */
export function memBufLimitWarning(
  limit: number,
  flush: number,
  base: Omit<Diagnostic, 'severity' | 'message'>,
): Diagnostic | undefined {
  if (flush <= 0) return undefined
  const rate = limit / flush
  if (rate >= MIN_BUFFER_THROUGHPUT) return undefined
  return {
    severity: 'warning',
    message:
      `Mem_Buf_Limit ${formatBytes(limit)} with Flush ${flush}s: the input pauses once ${formatBytes(limit)} are buffered and ` +
      `the buffer drains once per ${flush}s flush, so it reads at most ~${formatBytes(Math.floor(rate))}/s ` +
      `(~${formatBytes(Math.floor(rate * 86400))}/day); a busy node writes more, the paused tail falls behind and ` +
      `loses rotated files. Raise Mem_Buf_Limit to at least ${formatBytes(Math.ceil(MIN_BUFFER_THROUGHPUT * flush))} or lower Flush`,
    ...base,
  }
}

export function checkPitfalls(instances: readonly Instance[], flush: number, out: Diagnostic[]): void {
  for (const inst of instances) {
    if (!inst.plugin) continue
    const at = (e: ConfigEntry | undefined) => ({ instance: inst.id, option: e?.key, ...(e?.loc ?? inst.section.loc) })
    if (inst.kind === 'input') {
      const parser = inst.raw.get('parser')
      const path = inst.raw.get('path')?.value ?? ''
      if (inst.name === 'tail' && parser?.value.trim() === 'docker' && /\/var\/log\/(containers|pods)\//.test(path)) {
        out.push({
          severity: 'warning',
          message:
            "Parser docker on container logs: it reads Docker's JSON files, but containerd and CRI-O nodes (EKS, GKE, AKS, " +
            'kubeadm since Kubernetes 1.24) write CRI lines (`2024-05-01T12:00:00.1Z stdout F text`), which it cannot parse: ' +
            'records keep the raw line and lose time, stream and JSON fields (seed 004, issue 2). ' +
            'Use `multiline.parser docker, cri` (handles both runtimes) or `Parser cri`',
          ...at(parser),
        })
      }
      if (inst.name === 'tail' && !inst.raw.has('db') && /\/var\/log\/(containers|pods)\//.test(path)) {
        out.push({
          severity: 'warning',
          message:
            'no DB: file offsets live in memory only, so after a restart or an upgrade of the agent the lines written ' +
            'while it was down are skipped (new files are read from their end) — or, with Read_From_Head On, every ' +
            'file is read again. Set DB to a file on the node, e.g. `DB /var/log/flb_kube.db` as seeds 000 and 001 do',
          ...at(inst.raw.get('path')),
        })
      }
      const mbl = inst.raw.get('mem_buf_limit')
      // With filesystem buffering the input is not paused at Mem_Buf_Limit: chunks go to disk.
      const filesystem = inst.raw.get('storage.type')?.value.trim().toLowerCase() === 'filesystem'
      if (mbl && !filesystem) {
        const limit = parseSize(mbl.value)
        if (limit !== undefined) {
          const w = memBufLimitWarning(limit, flush, at(mbl))
          if (w) out.push(w)
        }
      }
    }
    if (inst.kind === 'output' && NETWORK_OUTPUTS.has(inst.name)) {
      const rl = inst.raw.get('retry_limit')
      const n = rl ? parseRetryLimit(rl.value) : 1
      if (typeof n === 'number' && n <= 1) {
        out.push({
          severity: 'warning',
          message:
            `Retry_Limit ${rl ? rl.value : "1 (Fluent Bit's default)"}: a batch that fails ${n === 0 ? 'once' : 'twice'} is dropped, so ` +
            `a restart or a few seconds of outage of ${inst.name} loses logs. Set Retry_Limit no_limits (or a count covering ` +
            'the outages you expect), with storage.type filesystem on the inputs to survive agent restarts',
          ...at(rl),
        })
      }
    }
    if (inst.kind === 'output' && (inst.name === 'es' || inst.name === 'opensearch')) {
      const rd = inst.raw.get('replace_dots')
      const replaceDots = isOn(rd?.value)
      if (replaceDots) continue
      const labels = instances.find(
        (f) =>
          f.kind === 'filter' &&
          f.name === 'kubernetes' &&
          !isOff(f.raw.get('labels')?.value) &&
          matchesOverlap(f, inst),
      )
      if (labels) {
        out.push({
          severity: 'warning',
          message:
            `Replace_Dots ${rd ? rd.value : 'Off (the default)'} while ${labels.id} adds Kubernetes labels: keys such as ` +
            '`app.kubernetes.io/name` contain dots, which Elasticsearch turns into objects, so a pod labelled `app` and one ' +
            "labelled `app.kubernetes.io/name` conflict (`mapper_parsing_exception`) and the second one's records are " +
            'rejected (seed 004, issue 3). Set Replace_Dots On, or give the index a template with `subobjects: false`',
          ...at(rd),
        })
      }
    }
  }
}

/** Whether a filter and an output can see the same tag (both Match globs; Match_Regex: assume yes). */
function matchesOverlap(a: Instance, b: Instance): boolean {
  const ma = a.raw.get('match')?.value
  const mb = b.raw.get('match')?.value
  if (ma === undefined || mb === undefined) return a.raw.has('match_regex') || b.raw.has('match_regex')
  return globsIntersect(ma, mb)
}

/**
 * The kubernetes filter reads pod, namespace and container from the tag, after Kube_Tag_Prefix
 * (default `kube.var.log.containers.`, the tail of /var/log/containers/*.log under Tag kube.*). When
 * no tag it sees starts with the prefix, it adds no metadata at all, silently.
 */
export function checkKubeTagPrefix(
  instances: readonly Instance[],
  tags: readonly TagSource[],
  out: Diagnostic[],
): void {
  for (const f of instances) {
    if (f.kind !== 'filter' || f.name !== 'kubernetes' || !f.plugin) continue
    if (isOn(f.raw.get('use_journal')?.value)) continue
    const match = f.raw.get('match')?.value
    if (match === undefined) continue
    const seen = tags.filter((t) => globsIntersect(match, t.glob)).map((t) => t.glob)
    if (seen.length === 0) continue
    const entry = f.raw.get('kube_tag_prefix')
    const prefix = entry?.value ?? 'kube.var.log.containers.'
    if (seen.some((g) => globsIntersect(`${prefix}*`, g))) continue
    out.push({
      severity: 'warning',
      message:
        `Kube_Tag_Prefix '${prefix}'${entry ? '' : ' (the default)'} starts none of the tags this filter sees ` +
        `(${[...new Set(seen)].map((g) => `'${g}'`).join(', ')}): it reads pod, namespace and container from the tag ` +
        'after that prefix, so it adds no Kubernetes metadata. Tail /var/log/containers/*.log with Tag kube.*, or set ' +
        'Kube_Tag_Prefix to the part of the tag before the file name',
      instance: f.id,
      option: entry?.key,
      ...(entry?.loc ?? f.raw.get('match')?.loc ?? f.section.loc),
    })
  }
}

/**
 * A Lua `script` that is neither on disk (relative paths: to the config's directory) nor a key of
 * the ConfigMap fails the filter at start; `fluent-bit --dry-run` does not notice. A warning, not an
 * error: the file may be mounted on the nodes only.
 */
export function checkScripts(instances: readonly Instance[], loaded: LoadedConfig, out: Diagnostic[]): void {
  for (const f of instances) {
    if (f.kind !== 'filter' || f.name !== 'lua' || !f.plugin || f.raw.has('code')) continue
    const script = f.raw.get('script')
    if (!script) continue
    const path = script.value.trim()
    const onDisk = existsSync(isAbsolute(path) ? path : join(loaded.baseDir, path))
    if (onDisk || loaded.virtualFiles.has(path) || loaded.virtualFiles.has(basename(path))) continue
    out.push({
      severity: 'warning',
      message: `script '${path}' is not on this machine${loaded.virtualFiles.size > 0 ? ' nor a key of the ConfigMap' : ''}: the filter cannot start unless the file exists where the agent runs`,
      instance: f.id,
      option: script.key,
      ...(script.loc ?? f.section.loc),
    })
  }
}
