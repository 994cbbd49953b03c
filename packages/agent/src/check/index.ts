// `sluice check`'s engine: see check.ts.
export { type CheckDeps, checkConfig } from './check.ts'
export { globsIntersect, inputTagGlobs } from './tag-glob.ts'
