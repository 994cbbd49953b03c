import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatDiagnostic } from '@sluice/core/diagnostics.ts'
import { AgentConfigError, checkAgentConfig, createAgent } from './agent.ts'
import { ackSpy, bench, events, gate, makeConfig, waitFor } from './engine/test-helpers.ts'
import { dummyInput } from './inputs/dummy/dummy.ts'

test('config errors: the agent refuses to start and lists every one with file:line, instance and option', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in', Lable: 'x' }, { Name: 'no_such_input' }, { Name: 'bad_in' }],
      filters: [{ Name: 'fake_filter', Match_Regex: '(', Action: 'mark' }],
      outputs: [{ Name: 'fake_out', Match: '*', Retry_Limit: 'sometimes', Workers: 0 }],
    }),
    b.options(),
  )
  await assert.rejects(agent.start(), (err: unknown) => {
    assert.ok(err instanceof AgentConfigError)
    const lines = err.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)
    const want = [
      /^test\.conf:3: error: input:fake_in:fake_in\.0: unknown option 'Lable' \(did you mean 'label'\?\)$/,
      /^test\.conf:5: error: input: unknown input plugin 'no_such_input'$/,
      /^test\.conf:\d+: error: filter:fake_filter:fake_filter\.0: invalid Match_Regex: /,
      /^test\.conf:\d+: error: output:fake_out:fake_out\.0: invalid value for 'retry_limit': 'sometimes' is not a retry limit/,
      /^test\.conf:\d+: error: output:fake_out:fake_out\.0: invalid value for 'workers': 0/,
    ]
    for (const w of want)
      assert.ok(
        lines.some((l) => w.test(l)),
        `${w} in\n${lines.join('\n')}`,
      )
    assert.ok(err.message.includes('5 error(s)'))
    return true
  })
  assert.equal(b.inputStates.size, 0, 'nothing was initialised')
})

test('init errors of plugins are config errors too, all of them, and nothing keeps running', async () => {
  const b = bench()
  const plugins = { ...b.plugins, inputs: [...b.plugins.inputs, dummyInput] }
  const cfg = makeConfig({
    inputs: [{ Name: 'fake_in' }, { Name: 'bad_in' }, { Name: 'dummy', Dummy: '{"message": oops}' }],
    outputs: [{ Name: 'fake_out', Match: '*' }],
  })
  const diags = await checkAgentConfig(cfg, b.options({ plugins }))
  const lines = diags.map(formatDiagnostic)
  assert.ok(
    lines.some((l) => /input:bad_in:bad_in\.0: cannot initialize: bad_in refuses to init/.test(l)),
    lines.join('\n'),
  )
  assert.ok(
    lines.some((l) =>
      /input:dummy:dummy\.0: cannot initialize: invalid dummy JSON "\{\\"message\\": oops\}": Unexpected token/.test(l),
    ),
    lines.join('\n'),
  )
  const agent = createAgent(cfg, b.options({ plugins }))
  await assert.rejects(agent.start(), AgentConfigError)
  assert.equal(b.inputStates.get('fake_in.0')?.stopped, 1, 'the instance that did init was stopped again')
  assert.equal(b.inputStates.get('fake_in.0')?.started, 0)
})

test('instance ids are name.N per plugin name, or the Alias', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in' }, { Name: 'fake_in', Alias: 'mine' }, { Name: 'fake_in' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  assert.deepEqual(agent.instances().inputs, ['fake_in.0', 'mine', 'fake_in.2'])
  // Fluent Bit's default tag is the instance name
  assert.equal(b.input('mine').tag, 'mine')
  await agent.stop()
})

test('reload keeps unchanged instances with their state and queued records; changed ones restart', async () => {
  const b = bench()
  const g = gate()
  b.behaviours.set('keep', async () => {
    await g.promise
    return { kind: 'ok' }
  })
  const v1 = makeConfig({
    service: { Hot_Reload: 'On' },
    inputs: [
      { Name: 'fake_in', Label: 'same' },
      { Name: 'fake_in', Label: 'before' },
    ],
    outputs: [
      { Name: 'fake_out', Match: '*', Alias: 'keep' },
      { Name: 'fake_out', Match: '*', Alias: 'gone' },
    ],
  })
  const v2 = makeConfig({
    service: { Hot_Reload: 'On' },
    inputs: [
      { Name: 'fake_in', Label: 'same' },
      { Name: 'fake_in', Label: 'after' },
    ],
    outputs: [
      { Name: 'fake_out', Match: '*', Alias: 'keep' },
      { Name: 'fake_out', Match: '*', Alias: 'added' },
    ],
  })
  const agent = createAgent(v1, b.options())
  await agent.start()
  try {
    const ctx0 = b.input('fake_in.0')
    const state0 = b.inputStates.get('fake_in.0')!
    const state1 = b.inputStates.get('fake_in.1')!
    const ack = ackSpy()
    ctx0.emit('t', events(3), ack)
    await waitFor(() => b.records('gone').length === 3, 'delivered by the output to be removed')
    // 'keep' holds the 3 records in flight (blocked)

    const r = await agent.reload(v2)
    assert.equal(r.ok, true)
    assert.deepEqual(r.kept.sort(), ['fake_in.0', 'keep'])
    assert.deepEqual(r.started.sort(), ['added', 'fake_in.1'])
    assert.deepEqual(r.stopped.sort(), ['fake_in.1', 'gone'])
    assert.equal(state0.started, 1, 'unchanged input not restarted')
    assert.equal(state0.stopped, 0)
    assert.equal(b.inputStates.get('fake_in.0'), state0, 'same state object')
    assert.equal(b.input('fake_in.0'), ctx0)
    assert.equal(state1.stopped, 1, 'changed input stopped')
    assert.notEqual(b.inputStates.get('fake_in.1'), state1)
    assert.equal(b.inputStates.get('fake_in.1')!.started, 1)
    assert.deepEqual(agent.instances().outputs, ['keep', 'added'])

    g.open()
    await waitFor(() => ack.calls.length === 1, 'ack of records queued before the reload')
    assert.deepEqual(ack.calls[0], { delivered: 3, rejected: 0 })
    assert.equal(b.records('keep').length, 3)

    ctx0.emit('t', events(2, 100))
    await waitFor(() => b.records('added').length === 2 && b.records('keep').length === 5, 'new routes')
    assert.equal(b.records('gone').length, 3, 'removed output gets nothing new')
    assert.equal(agent.reloadCount, 1)
  } finally {
    g.open()
    await agent.stop()
  }
})

test('reload refuses a bad config with its errors, and the old pipeline keeps running', async () => {
  const b = bench()
  const good = makeConfig({
    service: { Hot_Reload: 'On', HTTP_Server: 'On', HTTP_Listen: '127.0.0.1', HTTP_Port: 0 },
    inputs: [{ Name: 'fake_in' }],
    outputs: [{ Name: 'fake_out', Match: '*' }],
  })
  const bad = makeConfig(
    {
      service: { Hot_Reload: 'On' },
      inputs: [{ Name: 'fake_in', Colour: 'red' }, { Name: 'bad_in' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    },
    'bad.conf',
  )
  let next = bad
  const agent = createAgent(good, b.options({ reloadSource: async () => next }))
  await agent.start()
  try {
    const direct = await agent.reload(bad)
    assert.equal(direct.ok, false)
    assert.ok(direct.diagnostics.some((d) => d.message.includes("unknown option 'Colour'") && d.file === 'bad.conf'))

    const res = await fetch(`http://127.0.0.1:${agent.monitoringPort}/api/v2/reload`, { method: 'POST' })
    assert.equal(res.status, 400)
    const body = await res.json()
    assert.equal(body.status, -1)
    assert.ok(
      body.errors.some((e: string) =>
        e.startsWith("bad.conf:5: error: input:fake_in:fake_in.0: unknown option 'Colour'"),
      ),
    )

    assert.deepEqual(agent.instances().inputs, ['fake_in.0'])
    assert.equal(b.inputStates.get('fake_in.0')!.stopped, 0)
    const ack = ackSpy()
    b.input('fake_in.0').emit('t', events(2), ack)
    await waitFor(() => ack.calls.length === 1, 'old pipeline still delivers')
    assert.ok(b.log.lines.some((l) => l.includes('reload refused')))

    // an init failure in the new config is refused as well
    next = makeConfig({ inputs: [{ Name: 'bad_in' }], outputs: [{ Name: 'fake_out', Match: '*' }] })
    const r2 = await agent.reloadFromSource()
    assert.equal(r2.ok, false)
    assert.ok(r2.diagnostics.some((d) => d.message.includes('bad_in refuses to init')))

    next = makeConfig({
      service: { Hot_Reload: 'On' },
      inputs: [{ Name: 'fake_in', Label: 'v2' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    })
    const ok = await fetch(`http://127.0.0.1:${agent.monitoringPort}/api/v2/reload`, { method: 'POST' })
    assert.equal(ok.status, 200)
    assert.deepEqual(await ok.json(), { reload: 'done', status: 0 })
    const count = await (await fetch(`http://127.0.0.1:${agent.monitoringPort}/api/v2/reload`)).json()
    assert.deepEqual(count, { hot_reload_count: 1 })
  } finally {
    await agent.stop()
  }
})

test('Log_File: the agent log is appended to the file named in [SERVICE]', async () => {
  const { mkdtemp, readFile, rm } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'sluice-log-'))
  try {
    const b = bench()
    const cfg = {
      ...makeConfig({
        service: { Log_File: 'agent.log' },
        inputs: [{ Name: 'fake_in' }],
        outputs: [{ Name: 'fake_out', Match: '*' }],
      }),
      baseDir: dir,
    }
    const agent = createAgent(cfg, { plugins: b.plugins })
    await agent.start()
    await agent.stop()
    const text = await readFile(join(dir, 'agent.log'), 'utf8')
    assert.match(text, /\[ info\] \[engine\] started: 1 input\(s\)/)
    assert.match(text, /\[ info\] \[engine\] stopped\n$/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('readFile: ConfigMap files first (by key or by the mounted path), then disk relative to the config', async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const { defineOutput } = await import('./plugin.ts')
  const dir = await mkdtemp(join(tmpdir(), 'sluice-read-'))
  try {
    await writeFile(join(dir, 'local.txt'), 'from disk')
    const read: Record<string, string> = {}
    const reader = defineOutput({
      name: 'reader',
      description: 'reads the file named in its option at init',
      options: { file: { type: 'str', multiple: true, description: 'Files to read.' } },
      async init(o, ctx) {
        for (const f of o.file) read[f] = await ctx.readFile(f)
        return {}
      },
      async flush() {
        return { kind: 'ok' as const }
      },
    })
    const b = bench()
    const plugins = { ...b.plugins, outputs: [reader] }
    const base = makeConfig({
      inputs: [{ Name: 'fake_in' }],
      outputs: [{ Name: 'reader', Match: '*', File: '/fluent-bit/etc/script.lua' }],
    })
    const cfg = {
      ...base,
      baseDir: dir,
      virtualFiles: new Map([['script.lua', 'function cb() end']]),
      outputs: [
        {
          ...base.outputs[0]!,
          entries: [...base.outputs[0]!.entries, { key: 'File', value: 'local.txt' }],
        },
      ],
    }
    const agent = createAgent(cfg, b.options({ plugins }))
    await agent.start()
    await agent.stop()
    assert.deepEqual(read, { '/fluent-bit/etc/script.lua': 'function cb() end', 'local.txt': 'from disk' })

    const missing = {
      ...cfg,
      outputs: [
        { ...cfg.outputs[0]!, entries: [...base.outputs[0]!.entries.slice(0, 2), { key: 'File', value: 'nope.lua' }] },
      ],
    }
    const diags = await checkAgentConfig(missing, b.options({ plugins }))
    assert.ok(
      diags.some(
        (d) =>
          d.instance === 'output:reader:reader.0' &&
          d.message.includes(`cannot read nope.lua (${join(dir, 'nope.lua')}): ENOENT`),
      ),
      diags.map(formatDiagnostic).join('\n'),
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('an input that cannot start: start fails naming the instance, and what started is stopped', async () => {
  const { defineInput } = await import('./plugin.ts')
  const b = bench()
  let stopped = 0
  const failing = defineInput({
    name: 'fail_start',
    description: 'input whose start fails',
    options: {},
    init: () => ({}),
    start() {
      throw new Error('EACCES: permission denied, open /var/log/x.log')
    },
    stop() {
      stopped++
    },
  })
  const agent = createAgent(
    makeConfig({ inputs: [{ Name: 'fake_in' }, { Name: 'fail_start' }], outputs: [{ Name: 'fake_out', Match: '*' }] }),
    b.options({ plugins: { ...b.plugins, inputs: [...b.plugins.inputs, failing] } }),
  )
  await assert.rejects(agent.start(), /cannot start input:fail_start:fail_start\.0: EACCES: permission denied/)
  assert.equal(b.inputStates.get('fake_in.0')!.stopped, 1)
  assert.equal(stopped, 1)
  assert.deepEqual(agent.instances().inputs, [])
})

test('reload: a removed output delivers what it holds within Grace, then rejects the rest (counted, logged)', async () => {
  const b = bench()
  b.behaviours.set('gone', () => ({ kind: 'retry', reason: 'connection refused' }))
  const v1 = makeConfig({
    service: { Grace: 20, 'scheduler.base': 1 },
    inputs: [{ Name: 'fake_in' }],
    outputs: [{ Name: 'fake_out', Match: '*', Alias: 'gone', Retry_Limit: 'no_limits' }],
  })
  const v2 = makeConfig({ service: { Grace: 20 }, inputs: [{ Name: 'fake_in' }], outputs: [] })
  const agent = createAgent(v1, b.options())
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('t', events(3), ack)
    await waitFor(() => (b.attempts.get('gone') ?? 0) >= 1, 'a failed attempt')
    const r = await agent.reload(v2)
    assert.equal(r.ok, true)
    assert.deepEqual(r.stopped, ['gone'])
    await waitFor(() => ack.calls.length === 1, 'the removed output gives up')
    assert.deepEqual(ack.calls[0], { delivered: 0, rejected: 3 })
    assert.equal(agent.metrics.counter('fluentbit_output_dropped_records_total', '').get({ name: 'gone' }), 3)
    assert.ok(b.log.lines.some((l) => l.includes('dropped 3 records (tag t): output removed by reload')))
  } finally {
    await agent.stop()
  }
})
