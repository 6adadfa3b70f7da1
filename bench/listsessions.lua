-- wrk script: x2goclient's listsessions request (plain frontend).
-- Credentials are the reference broker's testsuite account, which the
-- module's AuthUserFile mirrors (bench/run creates it).
wrk.method = "POST"
wrk.body   = "task=listsessions&user=test&password=sweet"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
