export * from './diagnostics.ts'
export * from './log.ts'
export * from './options.ts'
export * from './record.ts'
