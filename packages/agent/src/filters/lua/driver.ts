// The Lua side of the batch protocol (codec.ts): decodes a batch, calls the user's function once
// per record as Fluent Bit's filter_lua does — fn(tag, timestamp, record) → code, timestamp,
// record — and encodes the outcomes. Runs inside the VM, so a batch costs two boundary crossings.

/** A Lua string literal for any text (every byte escaped, so nothing can break out of it). */
export function luaString(s: string): string {
  let out = '"'
  for (const b of Buffer.from(s, 'utf8')) out += `\\${b}`
  return `${out}"`
}

export interface DriverOptions {
  call: string
  /**
   * Records reach the function as proxies that decode a field when it is read and keep what the
   * function writes, so that only the changes come back (lua/index.ts decides: see lazyRecordsSafe).
   */
  lazy?: boolean
  protectedMode: boolean
  timeAsTable: boolean
  enableFlbNull: boolean
  intKeys: readonly string[]
  arrayKeys: readonly string[]
}

/**
 * Whether a script can get lazy records: it must not be able to see that a record is a proxy. The
 * raw-access functions (`next` on the record, `rawget`…), metatables, the debug library and code
 * loaded at run time could; a script that names any of them (even in a comment) gets plain tables.
 */
export function lazyRecordsSafe(source: string): boolean {
  return !/\b(next|rawget|rawset|rawlen|rawequal|setmetatable|getmetatable|debug|load|loadstring|dofile|loadfile|require|_G|_ENV)\b/.test(
    source,
  )
}

const keySet = (keys: readonly string[]) => `{${keys.map((k) => `[${luaString(k)}]=true`).join(',')}}`

/** Lua source that defines the global `__sluice_batch(buf) → buf`. Run after the user's script. */
export function driverSource(o: DriverOptions): string {
  return `
local unpack, pack, concat, type, pairs, pcall, tostring = string.unpack, string.pack, table.concat, type, pairs, pcall, tostring
local mtype, floor, tointeger, byte = math.type, math.floor, math.tointeger, string.byte
local FN = _G[${luaString(o.call)}]
local PROTECTED = ${o.protectedMode}
local TIME_AS_TABLE = ${o.timeAsTable}
local INT_KEYS = ${keySet(o.intKeys)}
local ARRAY_KEYS = ${keySet(o.arrayKeys)}
local HAS_INT = next(INT_KEYS) ~= nil
local NULL = flb_null
local NULLV = ${o.enableFlbNull ? 'flb_null' : 'nil'}
local LAZY = ${o.lazy === true}

local K, KP, KS, SHAPES = {}, {}, {}, {}
-- Keys the results use that the batch did not send: the first use carries the text (NEWKEY id len
-- bytes, the id being the next free index), later uses the id alone, as dictionary keys do.
local NEWKEY = 0xfffffffe
local NEXTKEY, NEWLIST, NNEW = 0, {}, 0
local function keyRef(ks)
  local r = KP[ks]
  if r then return r end
  local id = NEXTKEY
  NEXTKEY = id + 1
  KP[ks] = pack('<I4', id)
  NNEW = NNEW + 1
  NEWLIST[NNEW] = ks
  return pack('<I4I4s4', NEWKEY, id, ks)
end
-- Forgets the new keys introduced after the first NKEEP (their definitions were taken back).
local function forgetNewKeys(nkeep)
  for i = NNEW, nkeep + 1, -1 do
    KP[NEWLIST[i]] = nil
    NEWLIST[i] = nil
    NEXTKEY = NEXTKEY - 1
  end
  NNEW = nkeep
end
local FMT = { [115] = 's4', [105] = 'i4', [106] = 'i8', [110] = 'd', [98] = 'B', [122] = 'B', [120] = 's4', [121] = 's4' }
-- 1 boolean, 2 null, 3 nested, 4 nested that a round trip through Lua leaves as it is (codec.ts)
local CONV = { [98] = 1, [122] = 2, [120] = 3, [121] = 4 }

local dec
dec = function(s, p)
  local t = byte(s, p)
  p = p + 1
  if t == 115 then return unpack('<s4', s, p)
  elseif t == 105 then return unpack('<i4', s, p)
  elseif t == 106 then return unpack('<i8', s, p)
  elseif t == 110 then return unpack('<d', s, p)
  elseif t == 84 then return true, p
  elseif t == 70 then return false, p
  elseif t == 78 then return NULLV, p
  elseif t == 77 then
    local n
    n, p = unpack('<I4', s, p)
    local m = {}
    for _ = 1, n do
      local ki, t, v
      ki, t, p = unpack('<I4B', s, p)
      if t == 115 then v, p = unpack('<s4', s, p) else v, p = dec(s, p - 1) end
      m[K[ki]] = v
    end
    return m, p
  elseif t == 65 then
    local n
    n, p = unpack('<I4', s, p)
    local a = {}
    for i = 1, n do
      local v
      v, p = dec(s, p)
      a[i] = v
    end
    return a, p
  end
  error('sluice lua codec: bad tag ' .. tostring(t))
end

local enc
enc = function(v, out, n, key)
  local tv = type(v)
  if tv == 'string' then
    n = n + 1; out[n] = pack('<Bs4', 115, v)
  elseif tv == 'number' then
    if key ~= nil and INT_KEYS[key] then
      local i = tointeger(floor(v))
      if i then n = n + 1; out[n] = pack('<Bi8', 106, i); return n end
    end
    if mtype(v) == 'integer' then n = n + 1; out[n] = pack('<Bi8', 106, v)
    else n = n + 1; out[n] = pack('<Bd', 110, v) end
  elseif tv == 'boolean' then
    n = n + 1; out[n] = v and 'T' or 'F'
  elseif tv == 'table' then
    if v == NULL then n = n + 1; out[n] = 'N'; return n end
    local len = #v
    local count = 0
    for _ in pairs(v) do count = count + 1 end
    if (len > 0 and count == len) or (count == 0 and key ~= nil and ARRAY_KEYS[key]) then
      n = n + 1; out[n] = pack('<BI4', 65, len)
      for i = 1, len do n = enc(v[i], out, n, key) end
    else
      n = n + 1; out[n] = pack('<BI4', 77, count)
      for k, x in pairs(v) do
        local ks = type(k) == 'string' and k or tostring(k)
        n = n + 1
        out[n] = keyRef(ks)
        n = enc(x, out, n, ks)
      end
    end
  else
    n = n + 1; out[n] = 'N'
  end
  return n
end

-- Per shape, a decoder made with load(): one string.unpack into locals, then the record table and the
-- VALS array built by table constructors, which size them once (assigning n keys one by one into an
-- empty table rehashes it log2(n) times). Shapes with more fields than a function may have locals
-- for use the generic loop below.
local MAX_GEN = 120
local function genDecoder(sh)
  local n = sh.n
  if n == 0 or n > MAX_GEN then return nil end
  local args, fields, vals = {}, {}, {}
  for i = 1, n do
    args[i] = 'v' .. i
    local c = sh.conv[i]
    if c == 1 then
      fields[i] = '[K[' .. i .. ']]=(v' .. i .. '==1)'
      vals[i] = '(v' .. i .. '==1)'
    elseif c == 2 then
      fields[i] = '[K[' .. i .. ']]=NULLV'
      vals[i] = 'false'
    elseif c == 3 or c == 4 then
      fields[i] = '[K[' .. i .. ']]=(dec(v' .. i .. ',1))'
      vals[i] = 'false'
    else
      fields[i] = '[K[' .. i .. ']]=v' .. i
      vals[i] = 'v' .. i
    end
  end
  local src = 'local unpack, FMT, K, NULLV, dec = ...\\n' ..
    'return function(s, p)\\n' ..
    ' local ' .. concat(args, ',') .. ',np = unpack(FMT, s, p)\\n' ..
    ' return {' .. concat(fields, ',') .. '}, np, {' .. concat(vals, ',') .. '}\\n' ..
    'end'
  local chunk = load(src, '=sluice-shape', 't')
  if not chunk then return nil end
  return chunk(unpack, sh.fmt, sh.keys, NULLV, dec)
end

-- The input record, read with one string.unpack in the format of its shape. VALS keeps the values
-- by position so that those the function left unchanged go back as 'S'.
local function decRecord(s, p)
  local si
  si, p = unpack('<I4', s, p)
  local sh = SHAPES[si]
  local gen = sh.gen
  if gen then
    local m, np, vals = gen(s, p)
    return m, np, sh, vals
  end
  local n = sh.n
  local vals = { unpack(sh.fmt, s, p) }
  p = vals[n + 1]
  vals[n + 1] = nil
  local m = {}
  local keys, conv = sh.keys, sh.conv
  for i = 1, n do
    local c = conv[i]
    if c then
      if c == 1 then
        local b = vals[i] == 1
        vals[i] = b
        m[keys[i]] = b
      elseif c == 2 then
        vals[i] = false -- never equal to a value the function returns: null goes back as null
        m[keys[i]] = NULLV
      else
        m[keys[i]] = dec(vals[i], 1)
        vals[i] = false
      end
    else
      m[keys[i]] = vals[i]
    end
  end
  return m, p, sh, vals
end

local function encRecord(v, out, n, sh, vals)
  if sh == nil or type(v) ~= 'table' then return enc(v, out, n) end
  local pos = sh.pos
  local count = 0
  n = n + 1
  local head = n -- patched once the entries are counted (one pass over the table)
  for k, x in pairs(v) do
    count = count + 1
    local ks = type(k) == 'string' and k or tostring(k)
    n = n + 1
    local i = pos[ks]
    -- nested and null values sit in VALS as false, so a table never compares equal here
    if i and vals[i] == x and not (HAS_INT and INT_KEYS[ks]) then
      out[n] = KS[ks]
    else
      out[n] = keyRef(ks)
      n = enc(x, out, n, ks)
    end
  end
  out[head] = pack('<BI4', 77, count)
  return n
end

-- Lazy records (LAZY): the function gets a proxy whose raw table holds only private fields, under
-- table keys no script can name (the batch string, the shape, where the record's value offsets are,
-- the writes or false); reads of other keys go through __index (decoding the one field asked for),
-- writes through __newindex (kept in the writes table, a delete as DEL), iteration through __pairs
-- (the record's keys in order, then new keys). The private fields are read with plain indexing: they
-- are present, so no metamethod runs. A returned proxy goes back as a patch: the writes, plus what the
-- round trip through Lua would have changed in the fields the function did not touch (a null dropped,
-- a nested value normalized, an integer key converted: the shape's FIX list), so that the result
-- equals the eager path's.
local SK, SHK, OFK, WK, DEL = {}, {}, {}, {}, {}
local setmetatable, nextf = setmetatable, next

local function fieldValue(t, sh, i)
  local s = t[SK]
  local off = unpack('<I4', s, t[OFK] + 4 * i - 3)
  local v = unpack(sh.cf[i], s, off + 1)
  local c = sh.conv[i]
  if c == nil then return v end
  if c == 1 then return v == 1 end
  if c == 2 then return NULLV end
  -- a nested value is decoded once and kept with the writes, so that changes made inside it count
  v = dec(v, 1)
  local w = t[WK]
  if not w then w = {}; t[WK] = w end
  w[sh.keys[i]] = v
  return v
end

local PMT = {}
PMT.__index = function(t, k)
  local w = t[WK]
  if w then
    local v = w[k]
    if v ~= nil then
      if v == DEL then return nil end
      return v
    end
  end
  local sh = t[SHK]
  local i = sh.pos[k]
  if i == nil then return nil end
  return fieldValue(t, sh, i)
end
PMT.__newindex = function(t, k, v)
  local w = t[WK]
  if not w then w = {}; t[WK] = w end
  if v == nil then w[k] = DEL else w[k] = v end
end
-- '#' as Lua computes it for a table whose integer keys are all in its hash part (a record's are:
-- it arrives with string keys only): 0 when [1] is absent, else an unbound then binary search for a
-- border (ltable.c hash_search)
PMT.__len = function(t)
  if t[1] == nil then return 0 end
  local i, j = 1, 2
  while t[j] ~= nil do
    i = j
    j = j * 2
  end
  while j - i > 1 do
    local m = (i + j) // 2
    if t[m] == nil then j = m else i = m end
  end
  return i
end
PMT.__pairs = function(t)
  local sh = t[SHK]
  local keys, pos, n = sh.keys, sh.pos, sh.n
  local i, inNew, nk = 0, false, nil
  return function()
    if not inNew then
      while i < n do
        i = i + 1
        local k = keys[i]
        local w, v = t[WK], nil
        if w then v = w[k] end
        if v == nil then v = fieldValue(t, sh, i) elseif v == DEL then v = nil end
        if v ~= nil then return k, v end
      end
      inNew = true
    end
    local w = t[WK]
    if not w then return nil end
    while true do
      local v
      nk, v = nextf(w, nk)
      if nk == nil then return nil end
      if v ~= DEL and pos[nk] == nil then return nk, v end
    end
  end, t, nil
end

local function newProxy(s, sh, offsAt)
  return setmetatable({ [SK] = s, [SHK] = sh, [OFK] = offsAt, [WK] = false }, PMT)
end

-- 'P' u32 count, then per entry a key and either a value (set) or 'X' (delete)
local function encPatch(t, out, n)
  local sh = t[SHK]
  local w = t[WK]
  local pos = sh.pos
  n = n + 1
  local head, count = n, 0
  if w then
    for k, v in nextf, w do
      local ks = type(k) == 'string' and k or tostring(k)
      if v == DEL then
        -- only a key the record has can be deleted (r[7] = nil does not delete the key '7')
        if type(k) == 'string' and pos[k] then
          count = count + 1
          n = n + 1; out[n] = keyRef(ks)
          n = n + 1; out[n] = 'X'
        end
      else
        count = count + 1
        n = n + 1; out[n] = keyRef(ks)
        n = enc(v, out, n, ks)
      end
    end
  end
  local fix = sh.fix
  for f = 1, #fix do
    local i = fix[f]
    local k = sh.keys[i]
    if not (w and w[k] ~= nil) then
      count = count + 1
      n = n + 1; out[n] = KP[k]
      if sh.conv[i] == 2 and NULLV == nil then
        n = n + 1; out[n] = 'X'
      else
        n = enc(fieldValue(t, sh, i), out, n, k)
      end
    end
  end
  out[head] = pack('<BI4', 80, count)
  return n
end

local function records(r, out, n, input, sh, vals)
  if type(r) ~= 'table' then return nil, 'the record returned is not a table' end
  if r[1] ~= nil then
    local len = #r
    for i = 1, len do
      if type(r[i]) ~= 'table' then return nil, 'record #' .. i .. ' of the returned array is not a table' end
    end
    n = n + 1; out[n] = pack('<I4', len)
    for i = 1, len do n = enc(r[i], out, n) end
    return n
  end
  n = n + 1; out[n] = pack('<I4', 1)
  if r == input then
    if LAZY then return encPatch(r, out, n) end
    return encRecord(r, out, n, sh, vals)
  end
  return enc(r, out, n)
end

function __sluice_batch(s)
  local dictAt, p = unpack('<I4', s, 1)
  local nkeys, q = unpack('<I4', s, dictAt + 1)
  K, KP, KS, SHAPES = {}, {}, {}, {}
  for i = 0, nkeys - 1 do
    local k
    k, q = unpack('<s4', s, q)
    K[i] = k
    local ref = pack('<I4', i)
    KP[k] = ref
    KS[k] = ref .. 'S'
  end
  local nshapes
  nshapes, q = unpack('<I4', s, q)
  for si = 0, nshapes - 1 do
    local n
    n, q = unpack('<I4', s, q)
    local fmt, keys, conv, pos = { '<' }, {}, {}, {}
    for i = 1, n do
      local ki, code
      ki, code, q = unpack('<I4B', s, q)
      local k = K[ki]
      keys[i] = k
      pos[k] = i
      fmt[i + 1] = FMT[code]
      conv[i] = CONV[code]
    end
    local sh = { n = n, fmt = table.concat(fmt), keys = keys, conv = conv, pos = pos }
    if LAZY then
      local cf, fix = {}, {}
      for i = 1, n do
        cf[i] = '<' .. fmt[i + 1]
        -- fields the round trip through Lua changes even when untouched (see encPatch)
        local c = conv[i]
        if (c == 2 and NULLV == nil) or c == 3 or (HAS_INT and INT_KEYS[keys[i]]) then fix[#fix + 1] = i end
      end
      sh.cf, sh.fix = cf, fix
    else
      sh.gen = genDecoder(sh)
    end
    SHAPES[si] = sh
  end
  NEXTKEY, NEWLIST, NNEW = nkeys, {}, 0
  local tag, count
  tag, p = unpack('<s4', s, p)
  count, p = unpack('<I4', s, p)
  local out, n = {}, 0
  for _ = 1, count do
    local sec, nsec, rec, sh, vals
    sec, nsec, p = unpack('<i8I4', s, p)
    if LAZY then
      -- u32 shape, u32 where the value offsets are (after the values), values, u32 offset per value
      local si, offsAt = unpack('<I4I4', s, p)
      sh = SHAPES[si]
      rec = newProxy(s, sh, offsAt)
      p = offsAt + 4 * sh.n + 1
    else
      rec, p, sh, vals = decRecord(s, p)
    end
    local ts
    if TIME_AS_TABLE then ts = { sec = sec, nsec = nsec } else ts = sec + nsec / 1000000000 end
    local ok, code, t2, r2
    if PROTECTED then ok, code, t2, r2 = pcall(FN, tag, ts, rec)
    else ok = true; code, t2, r2 = FN(tag, ts, rec) end
    if not ok then
      n = n + 1; out[n] = pack('<Bs4', 69, tostring(code))
    elseif code == -1 then
      n = n + 1; out[n] = 'D'
    elseif code == 1 or code == 2 then
      local mark, newMark = n, NNEW
      local tsec, tnsec
      if code == 1 and t2 ~= ts then
        if type(t2) == 'table' then
          tsec, tnsec = tointeger(t2.sec or 0), tointeger(t2.nsec or 0)
        elseif type(t2) == 'number' then
          local f = floor(t2)
          tsec = tointeger(f)
          tnsec = tointeger(floor((t2 - f) * 1000000000 + 0.5))
          if tnsec and tnsec >= 1000000000 then tsec = tsec + 1; tnsec = tnsec - 1000000000 end
        end
        if tsec == nil or tnsec == nil then
          n = n + 1; out[n] = pack('<Bs4', 69, 'the timestamp returned is not a number or {sec, nsec} table')
          goto continue
        end
        n = n + 1; out[n] = pack('<Bi8i8', 49, tsec, tnsec)
      else
        n = n + 1; out[n] = '2'
      end
      local n2, err = records(r2, out, n, rec, sh, vals)
      if n2 == nil then
        for i = mark + 1, n do out[i] = nil end
        forgetNewKeys(newMark)
        n = mark + 1; out[n] = pack('<Bs4', 69, err)
      else
        n = n2
      end
    elseif code == 0 then
      n = n + 1; out[n] = 'K'
    else
      n = n + 1; out[n] = pack('<Bs4', 69, 'the return code is ' .. tostring(code) .. ', not -1, 0, 1 or 2')
    end
    ::continue::
  end
  return concat(out)
end
`
}

/**
 * Defines Fluent Bit's `flb_null` sentinel before the user's script runs, and the Lua 5.1 names
 * scripts written for Fluent Bit's LuaJIT commonly use (`unpack`, `loadstring`).
 */
export const PRELUDE = `unpack = unpack or table.unpack
loadstring = loadstring or load
flb_null = setmetatable({}, { __name = 'flb_null', __tostring = function() return 'flb_null' end })`
