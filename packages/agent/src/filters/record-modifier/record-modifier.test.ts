import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setupFilter } from '../testing.ts'
import recordModifier from './index.ts'

describe('record_modifier', () => {
  test('Record appends fields (value keeps spaces)', async () => {
    const h = await setupFilter(recordModifier, [
      ['Record', 'hostname node-1'],
      ['Record', 'product Awesome Tool'],
    ])
    assert.deepEqual(await h.bodies([{ log: 'x' }]), [{ log: 'x', hostname: 'node-1', product: 'Awesome Tool' }])
  })

  test('Remove_key removes keys, missing keys are fine', async () => {
    const h = await setupFilter(recordModifier, [
      ['Remove_key', 'Swap.total'],
      ['Remove_key', 'nope'],
    ])
    assert.deepEqual(await h.bodies([{ 'Swap.total': 1, 'Mem.used': 2 }]), [{ 'Mem.used': 2 }])
  })

  test('Allowlist_key and the Whitelist_key alias keep only listed keys', async () => {
    const h = await setupFilter(recordModifier, [
      ['Allowlist_key', 'Mem.total'],
      ['Whitelist_key', 'Mem.free'],
    ])
    assert.deepEqual(await h.bodies([{ 'Mem.total': 1, 'Mem.free': 2, 'Mem.used': 3 }, {}]), [
      { 'Mem.total': 1, 'Mem.free': 2 },
      {},
    ])
  })

  test('Uuid_key adds a distinct v4 UUID per record', async () => {
    const h = await setupFilter(recordModifier, [['Uuid_key', 'id']])
    const out = await h.bodies([{}, {}])
    assert.match(String(out[0]!.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.notEqual(out[0]!.id, out[1]!.id)
  })

  test('Record without a value is an error', async () => {
    await assert.rejects(setupFilter(recordModifier, [['Record', 'lonely']]), /expected KEY VALUE/)
  })
})
