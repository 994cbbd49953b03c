// Node-side entry of @sluice/web: the bundle-size measurement the benchmark calls. The browser entry is
// main.tsx (built by Vite into dist/).
export { type BundleSize, bundleSize } from './bundle-size.ts'
