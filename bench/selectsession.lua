-- wrk script: selectsession on a single-host profile, so neither broker
-- has to pick a server at random or probe anything.
wrk.method = "POST"
wrk.body   = "task=selectsession&sid=p1-kde&user=test&password=sweet"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
