// Fails early, with the fix, when the suite or `sluice up` would run on a Node older than 24.
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  console.error(
    `Sluice needs Node.js 24 or newer; this is ${process.version}. Run it through npm (npm test / npm start), which puts the project's Node (26 LTS) first on PATH.`,
  )
  process.exit(1)
}
