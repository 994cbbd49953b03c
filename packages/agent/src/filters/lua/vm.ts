// One Lua 5.4 VM (wasmoon: the reference Lua compiled to WebAssembly) running a user script and the
// batch driver. A batch goes in as one Lua string copied into the VM's memory and comes back as one
// string copied out: two boundary crossings per batch, whatever its size.

import type { LuaFactory } from 'wasmoon'
import { loadWasmoon } from '../../lazy-deps.ts'
import { type DriverOptions, driverSource, PRELUDE } from './driver.ts'

interface EmModule {
  HEAPU8: Uint8Array
  HEAPU32: Uint32Array
  _malloc(n: number): number
  _free(p: number): void
  _lua_pushlstring(L: number, p: number, n: number): number
  _lua_tolstring(L: number, idx: number, lenPtr: number): number
  _lua_settop(L: number, idx: number): void
  _lua_pcallk(L: number, nargs: number, nres: number, errfunc: number, ctx: number, k: number): number
}
interface Cmodule {
  module: EmModule
  lua_getglobal(L: number, name: string): number
  lua_tolstring(L: number, idx: number, len: number | null): string
}

let factory: LuaFactory | undefined

export class LuaVm {
  private readonly engine: Awaited<ReturnType<LuaFactory['createEngine']>>
  private readonly L: number
  private readonly c: Cmodule
  private readonly lenPtr: number

  private constructor(engine: Awaited<ReturnType<LuaFactory['createEngine']>>, L: number, c: Cmodule, lenPtr: number) {
    this.engine = engine
    this.L = L
    this.c = c
    this.lenPtr = lenPtr
  }

  /** Loads the script and the driver; throws `cannot load Lua script <name>: <error>`. */
  static async create(script: string, name: string, o: DriverOptions): Promise<LuaVm> {
    factory ??= new (await loadWasmoon()).LuaFactory()
    const engine = await factory.createEngine({ injectObjects: false, enableProxy: false })
    try {
      engine.doStringSync(PRELUDE)
      try {
        engine.doStringSync(script)
      } catch (err) {
        throw new Error(`cannot load Lua script ${name}: ${(err as Error).message}`)
      }
      const fn = engine.global.get(o.call)
      if (typeof fn !== 'function') {
        throw new Error(`cannot use Lua script ${name}: function '${o.call}' is not defined by the script`)
      }
      engine.doStringSync(driverSource(o))
    } catch (err) {
      engine.global.close()
      throw err
    }
    const c = (engine as unknown as { cmodule: Cmodule }).cmodule
    const L = engine.global.address
    const lenPtr = c.module._malloc(8)
    return new LuaVm(engine, L, c, lenPtr)
  }

  /** Runs one encoded batch; returns the encoded outcomes. Throws with the Lua error message. */
  run(input: Buffer): Buffer {
    const m = this.c.module
    const L = this.L
    this.c.lua_getglobal(L, '__sluice_batch')
    const p = m._malloc(input.length || 1)
    m.HEAPU8.set(input, p) // HEAPU8 is re-read: memory growth replaces the view
    m._lua_pushlstring(L, p, input.length)
    m._free(p)
    const status = m._lua_pcallk(L, 1, 1, 0, 0, 0)
    try {
      if (status !== 0) throw new Error(this.c.lua_tolstring(L, -1, null))
      const sp = m._lua_tolstring(L, -1, this.lenPtr)
      const len = m.HEAPU32[this.lenPtr >>> 2]!
      return Buffer.from(m.HEAPU8.subarray(sp, sp + len)) // copy: the VM frees the string
    } finally {
      m._lua_settop(L, -2)
    }
  }

  close(): void {
    this.c.module._free(this.lenPtr)
    this.engine.global.close()
  }
}
