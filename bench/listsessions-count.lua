-- wrk script: listsessions, but every thread stops after a fixed number of
-- responses (first argument after "--", per thread), so that a run drives a
-- known number of requests.  Unlike the plain scripts it looks at every
-- body, which costs wrk some speed: use it for the RSS run, not for req/s.
wrk.method = "POST"
wrk.body   = "task=listsessions&user=test&password=sweet"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    limit = tonumber(args[1]) or 1000
    count = 0
    bad = 0
end

function response(status, headers, body)
    count = count + 1
    if status ~= 200 or not string.find(body, "Access granted", 1, true) then
        bad = bad + 1
    end
    if count >= limit then
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local total, wrong = 0, 0
    for _, t in ipairs(threads) do
        total = total + (t:get("count") or 0)
        wrong = wrong + (t:get("bad") or 0)
    end
    io.write(string.format("X2GOB-COUNT answered=%d wrong=%d\n", total, wrong))
end
