// The log server: `startServer` runs it (what `sluice server` calls); the benchmarks are in bench.ts.

export { loadServerConfig } from './config.ts'
export { type RunningServer, type ServerOptions, startServer } from './server.ts'
