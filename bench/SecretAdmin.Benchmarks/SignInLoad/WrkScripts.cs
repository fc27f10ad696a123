namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// The Lua scripts wrk runs. Both count a response as a success only when it is what that
/// endpoint answers on success, and end by printing one <c>P3-RESULT</c> line (latency
/// percentiles, wrk's socket errors, our counts) for <see cref="WrkResult.Parse"/>. Values cross
/// from wrk's threads to <c>done()</c> as numbers and strings only (wrk copies nothing else safely).
/// </summary>
internal static class WrkScripts
{
    /// <summary>GET of the liveness endpoint: a success is a 200.</summary>
    public const string Liveness = Common + """

        function init(args)
          sent, succeeded, refused, failed, reused, stale, next_step_codes = 0, 0, 0, 0, 0, 0, 0
          users, used_log, seen_statuses, current_sent = 0, "", "", 0
        end

        function response(status, headers, body)
          if status == 200 then
            succeeded = succeeded + 1
          else
            failed = failed + 1
          end
          count_status(status)
        end
        """;

    /// <summary>
    /// The second-factor POST. Arguments: the sessions file (one line per user: Cookie header,
    /// URL-encoded form token, then the 6-digit codes of consecutive steps from the first step),
    /// the number of threads, the first step, the number of steps in the file, the period in
    /// seconds, the code form's path and the expected redirect. Thread i takes the users on lines
    /// i, i + threads, … and goes round them in turn. Each user's codes are sent for strictly
    /// increasing steps, each step once: the current step's code while the user has not sent it,
    /// else the next step's (which the app's verification window accepts), else — no user of the
    /// thread left for this step — a repeat, counted as <c>reused</c> (it fails, and so does the run).
    /// A success is a 302 to the expected redirect; the form shown again with its alert is
    /// <c>refused</c>; anything else <c>failed</c>.
    /// </summary>
    public const string SecondFactor = Common + """

        function init(args)
          local file, thread_count = args[1], tonumber(args[2])
          first_step, step_count, period = tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
          local path = args[6]
          expected_location = args[7]
          prefixes, codes, last = {}, {}, {}
          local line_number = 0
          for line in io.lines(file) do
            if line_number % thread_count == thread_index then
              local cookie, token, step_codes = line:match("^([^\t]*)\t([^\t]*)\t([0-9]*)$")
              local body = "_handler=login-code&__RequestVerificationToken=" .. token .. "&Input.Code=000000"
              local request = wrk.format("POST", path, { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
              prefixes[#prefixes + 1] = request:sub(1, #request - 6)
              codes[#codes + 1] = step_codes
              last[#last + 1] = first_step - 1
            end
            line_number = line_number + 1
          end

          users = #prefixes
          _G["last_" .. (first_step - 1)] = users
          next_user = 1
          sent, succeeded, refused, failed, reused, stale, next_step_codes = 0, 0, 0, 0, 0, 0, 0
          used_log, seen_statuses = "", ""
          current_step, current_sent, current_next = -1, 0, 0
        end

        function request()
          local now = math.floor(os.time() / period)
          if now ~= current_step then
            if current_sent > 0 then
              used_log = used_log .. current_step .. ":" .. current_sent .. ":" .. current_next .. ","
            end
            current_step, current_sent, current_next = now, 0, 0
          end

          -- The next user in turn whose next code is at most one step ahead.
          local user, step
          for _ = 1, users do
            local candidate = next_user
            next_user = next_user % users + 1
            if last[candidate] <= now then
              user, step = candidate, math.max(last[candidate] + 1, now)
              break
            end
          end

          if user == nil then
            reused = reused + 1
            user = next_user
            step = last[user]
          else
            if step > now then
              next_step_codes = next_step_codes + 1
              current_next = current_next + 1
            end
            count_last(last[user], -1)
            last[user] = step
            count_last(step, 1)
          end

          local slot = step - first_step
          if slot < 0 or slot >= step_count then
            stale = stale + 1
            slot = math.max(0, math.min(step_count - 1, slot))
          end

          sent = sent + 1
          current_sent = current_sent + 1
          return prefixes[user] .. codes[user]:sub(slot * 6 + 1, slot * 6 + 6)
        end

        -- How many of this thread's users have each step as the last one sent (read by done()).
        function count_last(step, change)
          local name = "last_" .. step
          _G[name] = (_G[name] or 0) + change
        end

        function response(status, headers, body)
          -- haproxy forwards header names in lower case (HTTP/1.1 names are case-insensitive).
          if status == 302 and (headers["Location"] or headers["location"]) == expected_location then
            succeeded = succeeded + 1
          elseif status == 200 and body:find("That code is not valid", 1, true) then
            refused = refused + 1
          else
            failed = failed + 1
          end
          count_status(status)
        end
        """;

    private const string Common = """
        local threads = {}

        function setup(thread)
          thread:set("thread_index", #threads)
          table.insert(threads, thread)
        end

        function count_status(status)
          local name = "status_" .. status
          if _G[name] == nil then
            _G[name] = 0
            seen_statuses = seen_statuses .. status .. ","
          end
          _G[name] = _G[name] + 1
        end

        function done(summary, latency, requests)
          local totals = { sent = 0, succeeded = 0, refused = 0, failed = 0, reused = 0, stale = 0, next_step_codes = 0 }
          for _, thread in ipairs(threads) do
            for name, value in pairs(totals) do
              totals[name] = value + (thread:get(name) or 0)
            end
          end

          local e = summary.errors
          io.write(string.format(
            "P3-RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
            "p50_us=%d p90_us=%d p99_us=%d p999_us=%d min_us=%d max_us=%d mean_us=%.1f " ..
            "sent=%d succeeded=%d refused=%d failed=%d reused=%d stale=%d next_step_codes=%d\n",
            summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
            latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
            latency.min, latency.max, latency.mean,
            totals.sent, totals.succeeded, totals.refused, totals.failed, totals.reused, totals.stale, totals.next_step_codes))

          for index, thread in ipairs(threads) do
            local log = thread:get("used_log") or ""
            local current_sent = thread:get("current_sent") or 0
            if current_sent > 0 then
              log = log .. thread:get("current_step") .. ":" .. current_sent .. ":" .. thread:get("current_next") .. ","
            end
            local users = thread:get("users") or 0
            for step, used, next_codes in log:gmatch("(%d+):(%d+):(%d+),") do
              io.write(string.format("P3-USED thread=%d step=%s used=%s next=%s available=%d\n", index - 1, step, used, next_codes, users))
            end
            local first_step, step_count = thread:get("first_step"), thread:get("step_count")
            if first_step ~= nil then
              for step = first_step - 1, first_step + step_count - 1 do
                local count = thread:get("last_" .. step)
                if count ~= nil and count ~= 0 then
                  io.write(string.format("P3-LAST thread=%d step=%d users=%d\n", index - 1, step, count))
                end
              end
            end
            for status in (thread:get("seen_statuses") or ""):gmatch("(%d+),") do
              io.write(string.format("P3-STATUS thread=%d status=%s count=%d\n", index - 1, status, thread:get("status_" .. status)))
            end
          end
        end
        """;
}
