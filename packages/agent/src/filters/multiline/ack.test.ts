import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Delivery, type DeliveryOwner } from '../../engine/delivery.ts'
import { compositeAck } from './ack.ts'

test('a record joined from two engine batches is a Delivery of the same owner that releases both', () => {
  const owner: DeliveryOwner & { done: Delivery[] } = {
    done: [],
    delivered(d) {
      this.done.push(d)
    },
    fault(m) {
      throw new Error(m)
    },
  }
  const outcomes: string[] = []
  const a = new Delivery(3, 300, owner, (o) => outcomes.push(`a ${o.delivered}/${o.rejected}`))
  const b = new Delivery(2, 200, owner, (o) => outcomes.push(`b ${o.delivered}/${o.rejected}`))
  const { ack, retained } = compositeAck([a, a, b])
  assert.equal(retained, true)
  assert.ok(ack instanceof Delivery && ack.owner === owner && ack.bytes === 0)
  a.release() // the emit calls of both batches end
  b.release()
  assert.deepEqual(outcomes, [], 'both batches wait for the joined record')
  ack.release(1) // the output rejected the joined record
  assert.deepEqual(outcomes, ['a 1/2', 'b 1/1'])
})

test('one batch: the ack itself', () => {
  const a = new Delivery(1, 1)
  assert.deepEqual(compositeAck([a, a]), { ack: a, retained: false })
})
