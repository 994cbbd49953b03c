export * from './plugin.ts'
