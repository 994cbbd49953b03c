// Fluent forward output: Sluice agents feed Fluentd, Fluent Bit aggregators and the Sluice server.
import { type AnyOutputPlugin, defineOutput } from '../../plugin.ts'
import { type Connection, type ForwardClientOptions, type ForwardError, openConnection } from './client.ts'
import { forwardOptions } from './options.ts'
import { encodeMessage, type ForwardMode, newChunkId } from './protocol.ts'

interface ForwardState {
  readonly client: ForwardClientOptions
  readonly mode: ForwardMode
  readonly tag?: string
  readonly requireAck: boolean
  readonly ackTimeoutMs: number
  readonly timeAsInteger: boolean
  readonly sendOptions: boolean
  conn?: Promise<Connection>
}

export const forwardOutput = defineOutput({
  name: 'forward',
  description: 'Fluent Forward protocol v1 to Fluentd, Fluent Bit or the Sluice server (shared key, TLS, acks)',
  options: forwardOptions,
  // Fluent Bit's default: two concurrent flushes (its plugin's `.workers = 2`)
  defaultWorkers: 2,
  init(o, ctx): ForwardState {
    if (o.compress === 'gzip' && o.time_as_integer)
      throw new Error('compress gzip cannot be used with time_as_integer (Forward mode has no compression)')
    const sharedKey = o.shared_key ?? (o.empty_shared_key ? '' : undefined)
    return {
      client: {
        host: o.host,
        port: o.port,
        unixPath: o.unix_path ? ctx.resolvePath(o.unix_path) : undefined,
        tls: o.tls,
        tlsVerify: o['tls.verify'],
        caFile: o['tls.ca_file'] ? ctx.resolvePath(o['tls.ca_file']) : undefined,
        crtFile: o['tls.crt_file'] ? ctx.resolvePath(o['tls.crt_file']) : undefined,
        keyFile: o['tls.key_file'] ? ctx.resolvePath(o['tls.key_file']) : undefined,
        keyPasswd: o['tls.key_passwd'],
        vhost: o['tls.vhost'],
        credentials:
          sharedKey === undefined
            ? undefined
            : { selfHostname: o.self_hostname, sharedKey, username: o.username, password: o.password },
        connectTimeoutMs: 10_000,
      },
      mode: o.time_as_integer ? 'forward' : o.compress === 'gzip' ? 'compressed' : 'packed',
      tag: o.tag,
      requireAck: o.require_ack_response,
      ackTimeoutMs: o.ack_timeout * 1000,
      timeAsInteger: o.time_as_integer,
      sendOptions: o.send_options,
    }
  },
  async flush(events, tag, state, ctx) {
    let conn: Connection
    try {
      if (!state.conn) state.conn = openConnection(state.client)
      conn = await state.conn
      if (conn.closed) {
        state.conn = openConnection(state.client)
        conn = await state.conn
      }
    } catch (e) {
      state.conn = undefined
      const err = e as ForwardError
      if (err.fatal) {
        ctx.log.error(err.message)
        return { kind: 'error', reason: err.message }
      }
      return { kind: 'retry', reason: err.message }
    }
    const chunk = state.requireAck ? newChunkId() : undefined
    const msg = encodeMessage(state.tag ?? tag, events, {
      mode: state.mode,
      timeAsInteger: state.timeAsInteger,
      chunk,
      sendOptions: state.sendOptions,
    })
    try {
      await conn.write(msg)
      if (chunk) await conn.waitAck(chunk, state.ackTimeoutMs)
      return { kind: 'ok' }
    } catch (e) {
      conn.close()
      state.conn = undefined
      return { kind: 'retry', reason: (e as Error).message }
    }
  },
  async stop(state) {
    const c = await state.conn?.catch(() => undefined)
    c?.close()
  },
})

export const forwardOutputs: AnyOutputPlugin[] = [forwardOutput]
