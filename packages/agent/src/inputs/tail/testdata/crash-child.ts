// Child process for the kill -9 test: tails argv[2] with the DB argv[3], acknowledges only the first
// batch, and reports each batch on stdout. The parent kills it with SIGKILL mid-flight.
import { fakeContext, startTail } from '../test-kit.ts'

const fake = fakeContext({ autoAck: false })
const emit = fake.ctx.emit
let n = 0
fake.ctx.emit = (tag, events, ack) => {
  emit(tag, events, ack)
  n++
  if (n === 1) fake.batches[0]!.ack()
  process.stdout.write(`batch ${n} ${events.map((e) => e.body.log).join(',')}\n`)
}
await startTail({ path: process.argv[2]!, db: process.argv[3]!, read_from_head: 'on', refresh_interval: '0.05' }, fake)
setInterval(() => {}, 1000)
