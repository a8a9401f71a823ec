-- Argo CD health check for flink.apache.org/FlinkDeployment, shipped by flink-cutover.
--
-- Argo CD runs custom health scripts with only Lua's base, table and package libraries and a
-- reduced os library (time, date) unless resource.customizations.useOpenLibs is set. There is
-- no string library: no string.*, no s:find(), no s:sub(). Strings are only compared (==, <),
-- measured (#) and concatenated (..) here; the one string this script has to read inside (the
-- operator's lastReconciledSpec JSON, on operators that do not set status.observedGeneration)
-- is read by comparison alone: whole tokens taken from the object's own spec where they match,
-- the rest byte by byte.
--
-- Healthy:     the operator has reconciled the current metadata.generation, lifecycleState is
--              STABLE and the job RUNNING (a session cluster: its JobManager READY).
-- Suspended:   spec.job.state is suspended and the job is.
-- Progressing: deploying, upgrading, rolling back, restarting, or the operator has not reconciled
--              the current generation yet; the message says what it waits for.
-- Degraded:    a failed job, status.error, a JobManager deployment error, a rollback.

-- Every single-byte string, in byte order (index = byte + 1).
local BYTE = {
  "\0", "\1", "\2", "\3", "\4", "\5", "\6", "\7", "\8", "\9", "\10", "\11", "\12", "\13", "\14", "\15",
  "\16", "\17", "\18", "\19", "\20", "\21", "\22", "\23", "\24", "\25", "\26", "\27", "\28", "\29", "\30", "\31",
  "\32", "\33", "\34", "\35", "\36", "\37", "\38", "\39", "\40", "\41", "\42", "\43", "\44", "\45", "\46", "\47",
  "\48", "\49", "\50", "\51", "\52", "\53", "\54", "\55", "\56", "\57", "\58", "\59", "\60", "\61", "\62", "\63",
  "\64", "\65", "\66", "\67", "\68", "\69", "\70", "\71", "\72", "\73", "\74", "\75", "\76", "\77", "\78", "\79",
  "\80", "\81", "\82", "\83", "\84", "\85", "\86", "\87", "\88", "\89", "\90", "\91", "\92", "\93", "\94", "\95",
  "\96", "\97", "\98", "\99", "\100", "\101", "\102", "\103", "\104", "\105", "\106", "\107", "\108", "\109", "\110", "\111",
  "\112", "\113", "\114", "\115", "\116", "\117", "\118", "\119", "\120", "\121", "\122", "\123", "\124", "\125", "\126", "\127",
  "\128", "\129", "\130", "\131", "\132", "\133", "\134", "\135", "\136", "\137", "\138", "\139", "\140", "\141", "\142", "\143",
  "\144", "\145", "\146", "\147", "\148", "\149", "\150", "\151", "\152", "\153", "\154", "\155", "\156", "\157", "\158", "\159",
  "\160", "\161", "\162", "\163", "\164", "\165", "\166", "\167", "\168", "\169", "\170", "\171", "\172", "\173", "\174", "\175",
  "\176", "\177", "\178", "\179", "\180", "\181", "\182", "\183", "\184", "\185", "\186", "\187", "\188", "\189", "\190", "\191",
  "\192", "\193", "\194", "\195", "\196", "\197", "\198", "\199", "\200", "\201", "\202", "\203", "\204", "\205", "\206", "\207",
  "\208", "\209", "\210", "\211", "\212", "\213", "\214", "\215", "\216", "\217", "\218", "\219", "\220", "\221", "\222", "\223",
  "\224", "\225", "\226", "\227", "\228", "\229", "\230", "\231", "\232", "\233", "\234", "\235", "\236", "\237", "\238", "\239",
  "\240", "\241", "\242", "\243", "\244", "\245", "\246", "\247", "\248", "\249", "\250", "\251", "\252", "\253", "\254", "\255",
}

-- The longest serialized spec read (the cost grows with the square of its length; 12 KiB take
-- about a tenth of the 1 s Argo CD gives a script on an idle machine, leaving room for a busy one).
local MAX_READ = 12288

-- Adds the tokens of a decoded object to `set`: every string key and value quoted, and every
-- string-valued member as `"key":"value"` (how the operator's JSON writes it), each mapped to its
-- successor (the text with its last byte, '"', raised to '#').
local function collectTokens(v, set, depth)
  if depth > 16 then return end
  if type(v) == "table" then
    for k, x in pairs(v) do
      if type(k) == "string" then
        set['"' .. k .. '"'] = '"' .. k .. '#'
        if type(x) == "string" then set['"' .. k .. '":"' .. x .. '"'] = '"' .. k .. '":"' .. x .. '#' end
      end
      collectTokens(x, set, depth + 1)
    end
  elseif type(v) == "string" and v ~= "" then
    set['"' .. v .. '"'] = '"' .. v .. '#'
  end
end

-- The keys the reader has to see as whole tokens, whatever the spec holds.
local KEYS = {}
for _, k in ipairs({ "spec", "resource_metadata", "apiVersion", "metadata", "generation", "firstDeployment" }) do
  KEYS[#KEYS + 1] = { text = '"' .. k .. '"', succ = '"' .. k .. '#' }
end

-- The bytes that most often follow a token in JSON, tried before a byte-by-byte search:
-- : , } { ] [ (their successors are the next byte up).
local STRUCTURE = {
  { text = BYTE[59], succ = BYTE[60] }, { text = BYTE[45], succ = BYTE[46] },
  { text = BYTE[126], succ = BYTE[127] }, { text = BYTE[124], succ = BYTE[125] },
  { text = BYTE[94], succ = BYTE[95] }, { text = BYTE[92], succ = BYTE[93] },
}

-- Reads s as a list of pieces using comparison only. A piece is one byte, or a whole quoted
-- token from `tokens` (sorted). s starts with q exactly when q <= s < succ(q), where succ(q)
-- raises q's last byte by one; the next byte after a known prefix p is the largest b with
-- p .. b <= s. Tokens skip most of a spec's bytes at once.
local function read(s, tokens)
  local n = #s
  if n > MAX_READ then return nil end
  local pieces, p, len = {}, "", 0
  local QUOTE = BYTE[35] -- '"' is byte 34
  local AFTER_QUOTE = BYTE[36]
  while len < n do
    local matched, t = nil, nil
    if p .. QUOTE <= s and s < p .. AFTER_QUOTE then
      local lo, hi = 1, #tokens
      while lo < hi do
        local mid = (lo + hi + 1) / 2
        mid = mid - mid % 1
        if p .. tokens[mid].text <= s then lo = mid else hi = mid - 1 end
      end
      t = tokens[lo]
      if t ~= nil and p .. t.text <= s and s < p .. t.succ then matched = t end
      -- a spec value holding a quote can shadow a key in the search: try the keys themselves
      for k = 1, #KEYS do
        if matched ~= nil then break end
        t = KEYS[k]
        if p .. t.text <= s and s < p .. t.succ then matched = t end
      end
    end
    if matched == nil then
      for k = 1, #STRUCTURE do
        t = STRUCTURE[k]
        if p .. t.text <= s and s < p .. t.succ then matched = t; break end
      end
    end
    if matched ~= nil then
      p = p .. matched.text
      len = len + #matched.text
      pieces[#pieces + 1] = matched.text
    else
      local lo, hi = 1, 256
      while lo < hi do
        local mid = (lo + hi + 1) / 2
        mid = mid - mid % 1
        if p .. BYTE[mid] <= s then lo = mid else hi = mid - 1 end
      end
      p = p .. BYTE[lo]
      len = len + 1
      pieces[#pieces + 1] = BYTE[lo]
    end
  end
  return pieces
end

local DIGIT = { ["0"] = true, ["1"] = true, ["2"] = true, ["3"] = true, ["4"] = true,
                ["5"] = true, ["6"] = true, ["7"] = true, ["8"] = true, ["9"] = true }

-- The generation the operator recorded with a serialized spec: the operator writes
-- {"spec":{...},"resource_metadata":{"apiVersion":...,"metadata":{"generation":N},...}}.
-- Only a "generation" key after the last "resource_metadata" key counts (text inside a spec's
-- string values has its quotes escaped, so it cannot fake either key).
local function specGeneration(serialized, tokens)
  if type(serialized) ~= "string" or serialized == "" then return nil end
  local b = read(serialized, tokens)
  if b == nil then return nil end
  local from = nil
  for i = #b - 1, 1, -1 do
    if b[i] == '"resource_metadata"' and b[i + 1] == ":" then from = i; break end
  end
  if from == nil then return nil end
  for i = from + 2, #b - 1 do
    if b[i] == '"generation"' and b[i + 1] == ":" then
      local j, digits = i + 2, {}
      while b[j] == " " do j = j + 1 end
      while DIGIT[b[j]] do
        digits[#digits + 1] = b[j]
        j = j + 1
      end
      if #digits == 0 then return nil end
      return tonumber(table.concat(digits))
    end
  end
  return nil
end

-- The sorted token list of a spec: its keys and string values, quoted, with their successors.
local function specTokens(spec)
  local set = {}
  for _, k in ipairs(KEYS) do set[k.text] = k.succ end
  collectTokens(spec, set, 0)
  local list = {}
  for text in pairs(set) do list[#list + 1] = text end
  table.sort(list)
  local tokens = {}
  for i, text in ipairs(list) do tokens[i] = { text = text, succ = set[text] } end
  return tokens
end

local function nonEmpty(v)
  return type(v) == "string" and v ~= ""
end

local function result(status, message)
  return { status = status, message = message }
end

local metadata = obj.metadata or {}
local spec = obj.spec or {}
local status = obj.status
local generation = metadata.generation
local job = spec.job
local wantsSuspended = job ~= nil and job.state == "suspended"
local what = "the job"
if job == nil then what = "the session cluster" end

if status == nil then
  return result("Progressing", "Waiting for the Flink operator to pick up the deployment (no status yet)")
end

local rec = status.reconciliationStatus or {}
local jobStatus = status.jobStatus or {}
local jobState = jobStatus.state
local jm = status.jobManagerDeploymentStatus
local lifecycle = status.lifecycleState
local jobName = jobStatus.jobName
if nonEmpty(jobName) then what = "job " .. jobName end

-- Which generation the operator has reconciled: status.observedGeneration (newer operators),
-- else the metadata the operator stores with the last reconciled (or last stable) spec.
local reconciled = status.observedGeneration
if reconciled == nil and (nonEmpty(rec.lastReconciledSpec) or nonEmpty(rec.lastStableSpec)) then
  local tokens = specTokens(spec)
  reconciled = specGeneration(rec.lastReconciledSpec, tokens)
  if reconciled == nil then reconciled = specGeneration(rec.lastStableSpec, tokens) end
end

-- Errors first: they stay true whatever generation the operator has reached.
if jm == "ERROR" then
  local message = "The JobManager deployment failed"
  if nonEmpty(status.error) then
    message = message .. ": " .. status.error
  elseif nonEmpty(rec.error) then
    message = message .. ": " .. rec.error
  end
  return result("Degraded", message)
end
if jobState == "FAILED" or lifecycle == "FAILED" then
  local message = "Job failed (" .. what .. " is " .. tostring(jobState or "unknown") .. ", lifecycle " .. tostring(lifecycle or "unknown") .. ")"
  if nonEmpty(status.error) then message = message .. ": " .. status.error end
  return result("Degraded", message)
end
if nonEmpty(status.error) then
  return result("Degraded", "The Flink operator reports an error: " .. status.error)
end
if nonEmpty(rec.error) then
  -- operator 0.1: reconciliationStatus.error
  return result("Degraded", "The Flink operator reports an error: " .. rec.error)
end
if lifecycle == "ROLLED_BACK" or rec.state == "ROLLED_BACK" then
  return result("Degraded", "The operator rolled back to the last stable spec: generation " .. tostring(generation or "?") .. " did not become stable")
end

-- The current generation has to be reconciled before anything in the status describes it.
if generation ~= nil then
  if reconciled == nil and type(rec.lastReconciledSpec) == "string" and #rec.lastReconciledSpec > MAX_READ then
    return result("Progressing", "Cannot tell whether the Flink operator reconciled generation " .. tostring(generation) .. ": status.observedGeneration is missing and the last reconciled spec is longer than " .. tostring(MAX_READ) .. " bytes")
  end
  if reconciled == nil then
    return result("Progressing", "Waiting for the Flink operator to reconcile generation " .. tostring(generation) .. " (the status names no reconciled generation)")
  end
  if reconciled < generation then
    return result("Progressing", "Waiting for the Flink operator to reconcile generation " .. tostring(generation) .. " (reconciled: " .. tostring(reconciled) .. ")")
  end
end

if lifecycle == "DELETING" or lifecycle == "DELETED" then
  return result("Progressing", "Being deleted (" .. lifecycle .. ")")
end
if lifecycle == "UPGRADING" or rec.state == "UPGRADING" then
  local message = "Upgrading to generation " .. tostring(generation or reconciled or "?")
  if nonEmpty(jobStatus.upgradeSavepointPath) then
    message = message .. ": waiting for the new job to start from " .. jobStatus.upgradeSavepointPath
  elseif jobState ~= nil then
    message = message .. ": waiting for the old job to stop (it is " .. jobState .. ")"
  else
    message = message .. ": waiting for the operator"
  end
  return result("Progressing", message)
end
if lifecycle == "ROLLING_BACK" or rec.state == "ROLLING_BACK" then
  return result("Progressing", "Rolling back to the last stable spec: waiting for " .. what .. " (" .. tostring(jobState or jm or "unknown") .. ")")
end

if wantsSuspended then
  if lifecycle == "SUSPENDED" or (lifecycle == nil and (jobState == "SUSPENDED" or jobState == "FINISHED" or jobState == "CANCELED")) then
    local message = "Suspended as the spec asks"
    local sp = jobStatus.savepointInfo
    if sp ~= nil and sp.lastSavepoint ~= nil and nonEmpty(sp.lastSavepoint.location) then
      message = message .. " (last savepoint " .. sp.lastSavepoint.location .. ")"
    elseif nonEmpty(jobStatus.upgradeSavepointPath) then
      message = message .. " (savepoint " .. jobStatus.upgradeSavepointPath .. ")"
    end
    return result("Suspended", message)
  end
  return result("Progressing", "Suspending: waiting for " .. what .. " to stop (it is " .. tostring(jobState or "unknown") .. ")")
end

if jm == "DEPLOYING" or jm == "DEPLOYED_NOT_READY" or jm == "MISSING" or jm == nil then
  return result("Progressing", "Deploying: waiting for the JobManager (" .. tostring(jm or "not deployed yet") .. ")")
end

if job ~= nil then
  if jobState == "RESTARTING" or jobState == "FAILING" then
    return result("Progressing", "Restarting: " .. what .. " is " .. jobState .. ", waiting for it to run again")
  end
  if jobState == "FINISHED" or jobState == "CANCELED" or jobState == "CANCELLING" or jobState == "SUSPENDED" then
    return result("Degraded", "Not running: " .. what .. " is " .. jobState .. " although the spec asks it to run")
  end
  if jobState ~= "RUNNING" then
    return result("Progressing", "Deploying: waiting for " .. what .. " to run (it is " .. tostring(jobState or "not submitted yet") .. ")")
  end
end

-- Running: stable once the operator says so (older operators: the last reconciled spec is the
-- last stable one).
local stable
if lifecycle ~= nil then
  stable = lifecycle == "STABLE"
elseif nonEmpty(rec.lastStableSpec) then
  stable = rec.state == "DEPLOYED" and rec.lastReconciledSpec == rec.lastStableSpec
else
  stable = rec.state == "DEPLOYED" or rec.success == true
end
local shown = tostring(generation or reconciled or "?")
local running = "Running (" .. what .. ")"
if job == nil then running = "JobManager READY (" .. what .. ")" end
if not stable then
  return result("Progressing", running .. ": waiting for the operator to mark generation " .. shown .. " stable (lifecycle " .. tostring(lifecycle or rec.state or "unknown") .. ")")
end
return result("Healthy", running .. ", generation " .. shown .. " stable")
