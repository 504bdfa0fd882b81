-- wrk script of bench/run: builds each request of one scenario for jobrisk or PostGraphile,
-- counts answers that are not a clean 200 (HTTP status or a GraphQL "errors" member), and
-- prints one machine-readable RESULT line at the end.
--
-- Environment (set by bench/run):
--   BENCH_SCENARIO  baseline | page | list | search | mix | cached | cached-get | revalidate |
--                   storm | two
--                   (from a server with its response cache on: cached is the page over POST,
--                   cached-get over GET; revalidate is the GET with If-None-Match of its
--                   current ETag, from etags.txt; storm is cached while bench/staleness.py
--                   publishes once a second; two is storm against two servers, one per thread;
--                   bounded is cached through a cache smaller than all pages)
--   BENCH_TARGET    jobrisk | postgraphile
--   BENCH_DATA      folder with slugs.txt and categories.txt written by bench/gen.rs
--   BENCH_THREADS   wrk's --threads (each thread takes its own share of slugs)
--   BENCH_TOKEN     bearer token with content:write (jobrisk writes in the mix)
--   BENCH_WRITE_EVERY  one request in this many is a write in the mix (default 20: 5 %)
--   BENCH_PORTS     for two: the servers' ports, comma-separated; thread i talks to port i mod n

local scenario = os.getenv("BENCH_SCENARIO") or "page"
local target = os.getenv("BENCH_TARGET") or "jobrisk"
local data = os.getenv("BENCH_DATA") or "bench/.data"
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
local token = os.getenv("BENCH_TOKEN") or ""
local write_every = tonumber(os.getenv("BENCH_WRITE_EVERY") or "20")

-- The README's page query, word for word.
local JOBRISK_PAGE = [[query Page($slug: String!) { role(slug: $slug) { title summary industryContext category { slug name } risk { score level modelVersion coverage contributions { evidence points } factors { kind score explanation raisesRisk } taskExposure { alpha beta gamma } } tasksAtRisk { text exposure } toolsAffecting { tool { name vendor url } impact } toolsToMaster { tool { name } note } protectiveSkills migrationPaths { target { slug title } rationale } faqs { question answer } sources { title publisher url publishedOn } relatedRoles(first: 5) { slug title risk { score level } } updatedAt publishedAt } }]]

-- The same content from PostGraphile's generated schema. Factor kinds and raisesRisk are
-- constants of jobrisk's schema (the column names carry them); relatedRolesList,
-- tasksAtRiskList and searchRolesList are the SQL functions bench/postgraphile/schema.sql adds.
local PG_PAGE = [[query Page($slug: String!) { roleBySlug(slug: $slug) { title summary industryContext categoryByCategoryId { slug name } score level modelVersion coverage contributions repetitiveness repetitivenessExplanation aiAdoption aiAdoptionExplanation humanJudgment humanJudgmentExplanation taskAlpha taskBeta taskGamma tasksAtRiskList { text exposure } affecting: roleToolsByRoleIdList(condition: { kind: \"AFFECTING\" }, orderBy: POSITION_ASC) { note toolByToolId { name vendor url } } toMaster: roleToolsByRoleIdList(condition: { kind: \"TO_MASTER\" }, orderBy: POSITION_ASC) { note toolByToolId { name } } roleSkillsByRoleIdList(orderBy: POSITION_ASC) { text } roleMigrationPathsByRoleIdList(orderBy: POSITION_ASC) { rationale roleByTargetRoleId { slug title } } roleFaqsByRoleIdList(orderBy: POSITION_ASC) { question answer } roleSourcesByRoleIdList(orderBy: POSITION_ASC) { sourceBySourceId { title publisher url publishedOn } } relatedRolesList(n: 5) { slug title score level } updatedAt publishedAt } }]]

-- A category page: its 20 riskiest published roles with nested fields.
local JOBRISK_LIST = [[query List($category: String!) { roles(first: 20, filter: { categorySlug: $category }, orderBy: { field: SCORE, direction: DESC }) { nodes { slug title category { slug name } risk { score level } tasksAtRisk { text exposure } toolsAffecting { tool { name } impact } } } }]]
local PG_LIST = [[query List($category: Int!) { allRolesList(first: 20, condition: { categoryId: $category, status: \"PUBLISHED\" }, orderBy: [SCORE_DESC, ID_DESC]) { slug title categoryByCategoryId { slug name } score level tasksAtRiskList { text exposure } roleToolsByRoleIdList(condition: { kind: \"AFFECTING\" }, orderBy: POSITION_ASC) { note toolByToolId { name } } } }]]

-- A search results page: the first 20 matches by title.
local JOBRISK_SEARCH = [[query Search($q: String!) { roles(first: 20, filter: { search: $q }) { nodes { slug title summary category { name } risk { score level } } } }]]
local PG_SEARCH = [[query Search($q: String!) { searchRolesList(term: $q, first: 20) { slug title summary categoryByCategoryId { name } score level } }]]

-- An editor changing a summary. jobrisk needs the version it last saw; the alias names the
-- pool entry so that a CONFLICT answer (which carries the path and currentVersion) can be
-- matched back to its role.
local JOBRISK_WRITE = [[mutation Edit($slug: String!, $v: Int!, $s: String!) { w%d: updateRole(slug: $slug, expectedVersion: $v, input: { summary: $s }) { slug version } }]]
local PG_WRITE = [[mutation Edit($slug: String!, $s: String!) { updateRoleBySlug(input: { slug: $slug, rolePatch: { summary: $s } }) { role { slug } } }]]

-- Words of titles and summaries, from common to rare, so searches see short and long scans.
local TERMS = { "data", "customer", "analyst", "senior", "patient", "legal", "design", "engineer",
  "teacher", "software", "records", "sales", "financial", "contract", "electric", "translation" }

local function lines(path)
  local list = {}
  local f = io.open(path, "r")
  if f then
    for line in f:lines() do
      if line ~= "" then list[#list + 1] = line end
    end
    f:close()
  end
  return list
end

local threads = {}
local ports = {}
for p in (os.getenv("BENCH_PORTS") or ""):gmatch("%d+") do ports[#ports + 1] = p end

function setup(thread)
  thread:set("tid", #threads)
  if #ports > 0 then
    -- Each thread keeps to one server, as a load balancer's sticky connections would.
    thread.addr = wrk.lookup("127.0.0.1", ports[#threads % #ports + 1])[1]
  end
  threads[#threads + 1] = thread
end

-- errors and writes are globals: done() reads them from each thread with thread:get.
errors, writes = 0, 0
local tid, n = 0, 0
local slugs, categories, etags = {}, {}, {}
local pool, version, free = {}, {}, {}
local headers = { ["Content-Type"] = "application/json" }
local write_headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }

function init(args)
  tid = tonumber(wrk.thread:get("tid")) or 0
  slugs = lines(data .. "/slugs.txt")
  for _, line in ipairs(lines(data .. "/categories.txt")) do
    local id, slug = line:match("^(%d+) (%S+)$")
    if id then categories[#categories + 1] = { id = id, slug = slug } end
  end
  for _, line in ipairs(lines(data .. "/etags.txt")) do
    local slug, etag = line:match("^(%S+) (.+)$")
    if slug then etags[#etags + 1] = { slug = slug, etag = etag } end
  end
  -- Writes go to the end of the shuffled slug list, each thread its own slugs, so two threads
  -- never race for one role's version.
  local i = #slugs - tid
  while i >= 1 and #pool < 100 do
    pool[#pool + 1] = slugs[i]
    version[#pool] = 1
    free[#free + 1] = #pool
    i = i - nthreads
  end
end

local function post(query, variables, hdrs)
  local body = '{"query":"' .. query .. '","variables":' .. variables .. '}'
  return wrk.format("POST", "/graphql", hdrs or headers, body)
end

local function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- The page over GET (GraphQL over HTTP): the document in the URL, as a CDN would see it. The
-- Lua source escapes the quotes of its POST bodies; a URL carries them as they are.
local GET_PAGE = "/graphql?query=" .. urlencode((JOBRISK_PAGE:gsub('\\"', '"'))) .. "&variables="
local get_headers = { ["Accept"] = "application/graphql-response+json" }

local function get_page(slug, hdrs)
  return wrk.format("GET", GET_PAGE .. urlencode('{"slug":"' .. slug .. '"}'), hdrs or get_headers)
end

local function page()
  local slug = slugs[(n * nthreads + tid) % #slugs + 1]
  return post(target == "jobrisk" and JOBRISK_PAGE or PG_PAGE, '{"slug":"' .. slug .. '"}')
end

local function write()
  writes = writes + 1
  local summary = '"Edited by the benchmark (thread ' .. tid .. ', write ' .. writes ..
    '): how exposed this role is to AI, and why."'
  if target == "jobrisk" then
    local entry = table.remove(free, 1)
    if not entry then return page() end
    return post(string.format(JOBRISK_WRITE, entry),
      '{"slug":"' .. pool[entry] .. '","v":' .. version[entry] .. ',"s":' .. summary .. '}',
      write_headers)
  end
  local slug = pool[writes % #pool + 1]
  return post(PG_WRITE, '{"slug":"' .. slug .. '","s":' .. summary .. '}')
end

-- Reads build each distinct request once per thread and send the same bytes again after: wrk
-- shares the two cores with the server, and building a kilobyte of URL or body in Lua for every
-- request charged the load generator's work to the scenarios with long requests, not to the
-- /healthz baseline.
local built = {}
local function once(index, make)
  local r = built[index]
  if not r then
    r = make()
    built[index] = r
  end
  return r
end

function request()
  n = n + 1
  if scenario == "baseline" then
    return once(0, function()
      if target == "jobrisk" then return wrk.format("GET", "/healthz") end
      return post("{ __typename }", "{}")
    end)
  elseif scenario == "page" or scenario == "cached" or scenario == "storm" or scenario == "two"
      or scenario == "bounded" then
    local i = (n * nthreads + tid) % #slugs + 1
    return once(i, page)
  elseif scenario == "cached-get" then
    local i = (n * nthreads + tid) % #slugs + 1
    return once(i, function() return get_page(slugs[i]) end)
  elseif scenario == "revalidate" then
    local i = (n * nthreads + tid) % #etags + 1
    return once(i, function()
      local e = etags[i]
      return get_page(e.slug, { ["Accept"] = "application/graphql-response+json",
        ["If-None-Match"] = e.etag })
    end)
  elseif scenario == "list" then
    local c = categories[(n + tid) % #categories + 1]
    if target == "jobrisk" then return post(JOBRISK_LIST, '{"category":"' .. c.slug .. '"}') end
    return post(PG_LIST, '{"category":' .. c.id .. '}')
  elseif scenario == "search" then
    local q = TERMS[(n + tid) % #TERMS + 1]
    return post(target == "jobrisk" and JOBRISK_SEARCH or PG_SEARCH, '{"q":"' .. q .. '"}')
  elseif scenario == "mix" then
    if n % write_every == 0 then return write() end
    return page()
  end
  error("unknown BENCH_SCENARIO " .. scenario)
end

function response(status, headers, body)
  local expected = (scenario == "revalidate") and 304 or 200
  if status ~= expected or body:find('"errors"', 1, true) then errors = errors + 1 end
  if scenario == "mix" and target == "jobrisk" then
    -- Give the role back to the pool with the version the answer reports.
    local entry, v = body:match('"w(%d+)":{"slug":"[^"]*","version":(%d+)}')
    if not entry then
      entry = body:match('"path":%["w(%d+)"%]')
      v = body:match('"currentVersion":(%d+)')
    end
    entry, v = tonumber(entry), tonumber(v)
    if entry and v and pool[entry] then
      version[entry] = v
      free[#free + 1] = entry
    end
  end
end

function done(summary, latency, requests)
  local errs, wrote = 0, 0
  for _, t in ipairs(threads) do
    errs = errs + (tonumber(t:get("errors")) or 0)
    wrote = wrote + (tonumber(t:get("writes")) or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,' ..
    '"graphql_or_status_errors":%d,"socket_errors":%d,"writes":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(99), latency.mean, errs,
    e.connect + e.read + e.write + e.timeout, wrote))
end
