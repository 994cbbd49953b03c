// The `null` output: discards records, counting them as delivered (Fluent Bit's out_null).
import { defineOutput } from '../../plugin.ts'

export default defineOutput({
  name: 'null',
  description: 'Discards records (they count as delivered)',
  options: {},
  init() {
    return {}
  },
  async flush() {
    return { kind: 'ok' }
  },
})
