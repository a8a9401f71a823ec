-- Runs an Argo CD custom health script under Lua 5.1 with what Argo CD opens for it and nothing
-- else: base functions, table, package (require finds only os) and os reduced to time and date.
-- The string library is absent and strings lose their metatable's __index (so s:find() fails as
-- it does in Argo CD).
--
-- Usage: lua5.1 run51.lua SCRIPT.lua CASES.lua, where CASES.lua returns {{name=..., object={...}}}.
-- Prints a JSON array of {"name", "status", "message"} or {"name", "error"}.
local scriptPath, casesPath = arg[1], arg[2]
if not scriptPath or not casesPath then
  io.stderr:write("usage: lua5.1 run51.lua SCRIPT.lua CASES.lua\n")
  os.exit(2)
end
local cases = assert(loadfile(casesPath))()
local script = assert(loadfile(scriptPath))

local function jsonString(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" elseif c == "\n" then return "\\n" end
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local BASE = { "assert", "collectgarbage", "dofile", "error", "getfenv", "getmetatable", "ipairs",
  "load", "loadfile", "loadstring", "module", "newproxy", "next", "pairs", "pcall", "print",
  "rawequal", "rawget", "rawset", "select", "setfenv", "setmetatable", "tonumber", "tostring",
  "type", "unpack", "xpcall", "_VERSION" }

local function sandbox(object)
  local env = {}
  for _, name in ipairs(BASE) do env[name] = _G[name] end
  local t = {}
  for k, v in pairs(table) do t[k] = v end
  env.table = t
  env.os = { time = os.time, date = os.date }
  env.package = { loaded = { _G = env, table = t, os = env.os }, preload = {} }
  env.require = function(name)
    local m = env.package.loaded[name]
    if m == nil then error("module " .. tostring(name) .. " not found", 2) end
    return m
  end
  env._G = env
  env.actionParams = {}
  env.obj = object
  return env
end

local stringMeta = getmetatable("")
local results = {}
for _, c in ipairs(cases) do
  setfenv(script, sandbox(c.object))
  stringMeta.__index = nil
  local ok, ret = pcall(script)
  stringMeta.__index = string
  local fields = { '"name":' .. jsonString(c.name) }
  if not ok then
    fields[#fields + 1] = '"error":' .. jsonString(tostring(ret))
  elseif type(ret) ~= "table" then
    fields[#fields + 1] = '"error":' .. jsonString("expect table output from Lua script, not " .. type(ret))
  else
    if type(ret.status) == "string" then fields[#fields + 1] = '"status":' .. jsonString(ret.status) end
    if type(ret.message) == "string" then fields[#fields + 1] = '"message":' .. jsonString(ret.message) end
  end
  results[#results + 1] = "{" .. table.concat(fields, ",") .. "}"
end
io.write("[" .. table.concat(results, ",\n") .. "]\n")
