// Entry of the bundled agent (scripts/build-agent.ts → packages/cli/dist/agent-main.js): what
// `sluice agent` runs when bin/sluice.js finds a bundle built from the current sources. The same
// command module as `sluice agent` from main.ts, without the command table.

import './quiet-warnings.ts'
import { run } from './commands/agent.ts'

process.exitCode = await run(process.argv.slice(3))
