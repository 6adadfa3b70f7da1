-- AUTHID cookie table for "X2GoBrokerCookieStore dbd" (mod_x2gobroker).
--
-- Load it into the database that mod_dbd's DBDParams points at, as the
-- role mod_dbd connects with (so that role owns the table):
--   psql "host=... dbname=x2gob user=x2gob" -v ON_ERROR_STOP=1 -f x2gobroker-cookies.sql
--
-- One row per live cookie.  A cookie is single-use unless
-- X2GoBrokerUseStaticCookie is on: the module deletes the presented row
-- and inserts the next one, so several httpd instances sharing this
-- database accept each other's cookies.
--   cookie    the AUTHID value handed to the client (UUID text)
--   username  broker user the cookie was issued to
--   client_ip address of the initial password login (X2GoBrokerVerifyIp)
--   origtime  Unix time (fractional seconds) of that password login;
--             it is carried over on rotation (X2GoBrokerAuthTimeout)
--   expires   Unix time after which the brokers delete the row

CREATE TABLE IF NOT EXISTS x2gobroker_cookies (
    cookie    text PRIMARY KEY,
    username  text NOT NULL,
    client_ip text NOT NULL,
    origtime  double precision NOT NULL,
    expires   bigint NOT NULL
);

-- Expired rows are removed by "DELETE ... WHERE expires < now"; the
-- index keeps that cheap when the table grows.
CREATE INDEX IF NOT EXISTS x2gobroker_cookies_expires
    ON x2gobroker_cookies (expires);
