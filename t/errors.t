# errors.t - hostile and malformed input: body limits, bad UTF-8, control
# characters, oversized fields, field repetition, and a burst of garbage
# after which the server must still answer (spec 1.3 step 5, 1.8).
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;

plan tests => 56, need_module 'x2gobroker';

my $E400 = error_page(400, 'Bad Request');
my $P = '/x2gobroker/plain/';
my $OPEN = '/xgb-nopass/plain/';        # no auth: BROKER_USER shows `user`
my $SMALL = '/xgb-small/plain/';        # X2GoBrokerMaxBodySize 256

# the user name as the broker saw it, via BROKER_USER in p1-kde
sub seen_user {
    my $res = shift;
    return undef unless $res->code == 200;
    return $res->content =~ /\[p1-kde\]\n(?:[^\n]+\n)*?user=([^\n]*)\n/
        ? $1 : undef;
}

# --- body size ---------------------------------------------------------------
my $base = 'task=listsessions&user=u&pad=';
my $res = xgb_post($SMALL, $base . ('x' x (256 - length $base)));
is($res->code, 200, 'body of exactly the limit (256): 200');
$res = xgb_post($SMALL, $base . ('x' x (257 - length $base)));
is($res->code, 413, 'body one byte over the limit: 413');
$res = xgb_post($SMALL, 'x' x 100_000);
is($res->code, 413, 'body far over the limit: 413');
$res = xgb_post($P, 'pad=' . ('y' x 70_000) . '&user=test&password=test');
is($res->code, 413, 'default limit (64 KiB) applies too');

# chunked body without Content-Length must be counted as well
my $chunk = 'z' x 200;
my $raw = raw_http("POST $SMALL HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    . "Content-Type: application/x-www-form-urlencoded\r\n"
    . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    . join('', map { sprintf("%x\r\n%s\r\n", length $chunk, $chunk) } 1 .. 3)
    . "0\r\n\r\n");
like($raw // '', qr{\AHTTP/1\.1 413 }, 'chunked body over the limit: 413');
$raw = raw_http("POST $SMALL HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    . "12\r\ntask=listsessions&\r\n5\r\nuser=\r\n3\r\nabc\r\n0\r\n\r\n");
like($raw // '', qr{\AHTTP/1\.1 200 .*\r\n\r\nAccess granted\n.*^user=abc$}sm,
     'small chunked body: parsed');

# --- UTF-8 -------------------------------------------------------------------------
for my $case (['user', 'user=%ff&password=test'],
              ['password', 'user=test&password=%c3%28'],
              ['task', 'task=%e2%82&user=test&password=test'],
              ['overlong encoding', 'user=%c0%af&password=test'],
              ['UTF-16 surrogate', 'user=%ed%a0%80&password=test'],
              ['above U+10FFFF', 'user=%f4%90%80%80&password=test'],
              ['authid', 'user=test&password=test&authid=%fe'],
              ['sid', 'task=selectsession&sid=%80&user=test&password=test']) {
    my ($what, $body) = @$case;
    $res = xgb_post($P, $body);
    is($res->code, 400, "invalid UTF-8 in $what: 400");
}
$res = xgb_post($P, 'user=%ff&password=test');
is($res->content, $E400, '400: Tornado page');
like($res->header('Content-Type') // '', qr{\Atext/html}i, '400: text/html');
$res = xgb_post('/x2gobroker/json/', 'user=%ff');
is($res->code, 400, 'invalid UTF-8 on json: 400');
$res = xgb_post($OPEN, "task=listsessions&user=%ff");
is($res->code, 400, 'invalid UTF-8 is refused before authentication decides');
$res = xgb_post($OPEN, "task=listsessions&user=J%C3%BCrgen%20%F0%9F%98%80");
is(seen_user($res), "J\xc3\xbcrgen \xf0\x9f\x98\x80",
   'valid multi-byte UTF-8 passes unchanged');

# --- control characters, whitespace -----------------------------------------------
$res = xgb_post($OPEN, 'task=listsessions&user=te%01st');
is(seen_user($res), 'te st', '0x01 becomes a space');
$res = xgb_post($OPEN, 'task=listsessions&user=a%00b%08c%0Ed%1Fe');
is(seen_user($res), 'a b c d e', 'NUL, 0x08, 0x0E, 0x1F become spaces');
$res = xgb_post($OPEN, 'task=listsessions&user=%20%09test%0A%0D%20');
is(seen_user($res), 'test', 'leading/trailing whitespace stripped from user');
$res = xgb_post($OPEN, 'task=listsessions&user=%00%00x');
is(seen_user($res), 'x', 'control characters at the edge: replaced, then stripped');
$res = xgb_post($OPEN, 'task=listsessions&user=a+b');
is(seen_user($res), 'a b', '+ is a space');
$res = xgb_post($OPEN, 'task=listsessions&user=100%25%zz%4');
is(seen_user($res), '100%%zz%4', 'stray % kept literally');
$res = xgb_post($OPEN, '&&&task=listsessions&&user=amp&&&');
is(seen_user($res), 'amp', 'empty pieces between & skipped');
$res = xgb_post($OPEN, '%20task%20=listsessions&user=sp');
is($res->code, 200, 'field name with spaces: not a known field, no error');
$res = xgb_post($OPEN, 'task=%20listsessions%20&user=strip');
is(seen_user($res), 'strip', 'task value is stripped too');
# the password is NOT stripped: htpasswd user "padded" has "  pw  "
$res = xgb_post($P, 'user=padded&password=%20%20pw%20%20');
is($res->code, 200, 'password with surrounding spaces kept as is');
$res = xgb_post($P, 'user=padded&password=pw');
is($res->code, 401, 'stripped password does not match');

# --- repetition: the last value wins --------------------------------------------
$res = xgb_post($OPEN, 'task=listsessions&user=first&user=second&user=third');
is(seen_user($res), 'third', 'repeated field: last wins');
$res = xgb_post($P, 'user=test&password=wrong&password=test');
is($res->code, 200, 'repeated password: last (correct) wins');
$res = xgb_post($P, 'user=test&password=test&password=wrong');
is($res->code, 401, 'repeated password: last (wrong) wins');
$res = xgb_post("$OPEN?user=query", 'task=listsessions&user=body');
is(seen_user($res), 'body', 'body beats query string');

# --- oversized fields, many fields ----------------------------------------------
$res = xgb_post($OPEN, 'task=listsessions&user=' . ('a' x 20_000));
is($res->code, 400, 'user field of 20000 bytes: 400');
$res = xgb_post($P, 'user=test&password=' . ('p' x 20_000));
is($res->code, 400, 'password field of 20000 bytes: 400');
# user names are capped at 255 bytes (t/user_length.t has the details)
my $mark0 = error_log_mark();
$res = xgb_post($OPEN, 'task=listsessions&user=' . ('a' x 1000));
is($res->code, 400, 'user field of 1000 bytes: 400, even on an open broker');
like(error_log_since($mark0, qr/XGB00200/), qr/XGB00200: bad request: field 'user' of 1000 bytes exceeds 255/,
     'the 400 for the long user name is logged');
$res = xgb_post($OPEN, 'task=listsessions&user=' . ('a' x 255));
is(seen_user($res), 'a' x 255, 'user field of 255 bytes: fine');
# at most 64 fields, known or not (README: request limits)
$mark0 = error_log_mark();
$res = xgb_post($OPEN, 'task=listsessions&user=u&' . join('&', map { "f$_=1" } 1 .. 500));
is($res->code, 400, '502 fields: 400');
like(error_log_since($mark0, qr/XGB00048/), qr/XGB00048: bad request: more than 64 fields/,
     'the 400 for too many fields is logged with the reason');
$res = xgb_post($OPEN, 'task=listsessions&user=u&' . join('&', map { "f$_=1" } 1 .. 62));
is(seen_user($res), 'u', '64 fields: fine');

# --- unknown backends cannot reach anything ------------------------------------------
for my $b ('os', '__import__', 'inifile%00', 'INIFILE', 'inifile.py') {
    $res = xgb_post("/x2gobroker/plain/$b/", 'user=test&password=test');
    is($res->code, 404, "backend '$b': 404");
}

# --- GET only in debug mode -----------------------------------------------------------
$res = xgb_request('GET', "$OPEN?task=listsessions&user=q");
is($res->code, 405, 'GET without debug: 405 even on an open broker');
$res = xgb_request('GET', '/xgb-debug/plain/?user=test&password=test');
is($res->code, 200, 'GET with debug: 200');

# --- garbage burst -------------------------------------------------------------------
my @garbage = (
    "\x00\x01\x02\xff\xfe\r\n\r\n",
    "GARBAGE\r\n\r\n",
    "POST $P HTTP/9.9\r\n\r\n",
    "POST $P HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nuser=",
    "POST $P HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "POST $P HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
    "POST $P HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "POST $P HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
    "POST $P HTTP/1.1\r\nHost: x\r\nX-Long: " . ('h' x 10_000) . "\r\n\r\n",
    "POST $P HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n"
        . "user=\x00\x00\x00%%%%&&&&====\xff\xfe&task=\x80\x81\x82x",
    "POST $P HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n"
        . "=&=&=&=&=&=&=&=&=&=&=&=&=&=&=&",
    "POST /x2gobroker/plain/%ff%00/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "POST /x2gobroker/" . ('a/' x 3000) . " HTTP/1.1\r\nHost: x\r\n\r\n",
    "POST $P?" . ('%' x 5000) . " HTTP/1.1\r\nHost: x\r\n\r\n",
    "POST /x2gobroker/json/ HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nauthid=%0",
    "POST /x2gobroker/plain/ HTTP/1.0\r\nContent-Length: 18\r\n\r\nuser=test&password",
);
# round 0: the client vanishes after 0.3 s; round 1: it half-closes and
# waits for whatever the server says
my $ok = 0;
for my $i (0 .. 1) {
    for my $g (@garbage) {
        my $r = $i ? raw_http($g, timeout => 3, half_close => 1)
                   : raw_http($g, timeout => 0.3);
        $ok++ if defined $r;
    }
}
is($ok, 2 * @garbage, 'every garbage connection was accepted');
# truncated bodies: the client gives up mid-body
for (1 .. 5) {
    raw_http("POST $P HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nuser=te",
             timeout => 0.2);
}
$res = xgb_post($P, 'task=selectsession&sid=p1-kde&user=test&password=test');
is($res->code, 200, 'after the burst the server still answers');
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
   'after the burst the answer is still right');
my $log = error_log_since(0);
unlike($log, qr/exit signal|Segmentation fault|AH00051|AH00052/,
       'no child crashed so far');

# --- the error_log ------------------------------------------------------------
# client-controlled text must not forge log lines
my $mark = error_log_mark();
$res = xgb_post($P, 'user=inj%0A%5BWed%5D%20%5Bx2gobroker%3Aerror%5D%20XGB99999%3A%20forged'
                  . '&password=wrong');
is($res->code, 401, 'user name with an embedded newline: 401');
$log = error_log_since($mark, qr/inj/, 2);
unlike($log, qr/^\[Wed\] \[x2gobroker:error\] XGB99999/m,
       'an embedded newline cannot forge an error_log line');
# every line the module writes carries its tag (XGB + 5 digits)
my @untagged = grep { !/XGB\d{5}: / } grep { /\[x2gobroker:/ } split /\n/, error_log_since(0);
is(scalar @untagged, 0, 'every [x2gobroker:*] error_log line has the XGBnnnnn tag')
    or diag join "\n", @untagged[0 .. ($#untagged < 4 ? $#untagged : 4)];
