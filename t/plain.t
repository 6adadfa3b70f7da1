# plain.t - the plain frontend (x2goclient): every task, routing, status
# codes, headers and error pages (spec sections 1.1-1.9).
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;

plan tests => 113, need_module 'x2gobroker';

my $P = '/x2gobroker/plain/inifile/';
my @CRED = (user => 'test', password => 'test');
my $E401 = error_page(401, 'Unauthorized');
my $E404 = error_page(404, 'Not Found');
my $E405 = error_page(405, 'Method Not Allowed');

# --- listsessions: the whole body, byte for byte -----------------------
my $res = xgb_post($P, [task => 'listsessions', @CRED]);
is($res->code, 200, 'listsessions: 200');
is($res->header('Content-Type'), 'text/plain; charset=utf-8',
   'listsessions: Content-Type');
is($res->header('Expires'), '+1h', 'listsessions: literal Expires: +1h');
my $id = authid_of($res);
like($id // '', qr/\A$UUID_RE\z/, 'listsessions: AUTHID is a v4 UUID');
is($res->content, expected_plain('plain-listsessions.txt', $id // ''),
   'listsessions: exact bytes (order, typing, BROKER_USER, not-set, UTF-8)');
is_deeply(profile_ids($res->content),
          [qw(P0-upper p1-kde p2-farm p3-rdp p4-utf8)],
          'listsessions: profiles in byte order of their IDs');
unlike($res->content, qr/\r/, 'listsessions: LF line ends only');
is($res->header('Content-Length'), length($res->content),
   'listsessions: Content-Length matches');

# --- selectsession ----------------------------------------------------
$res = xgb_post($P, [task => 'selectsession', sid => 'p1-kde', @CRED]);
my $p = plain_parts($res->content);
is($res->code, 200, 'selectsession single host: 200');
like($p->{authid} // '', qr/\A$UUID_RE\z/, 'selectsession: AUTHID');
is($p->{rest}, "SERVER:127.0.0.11:22\n",
   'selectsession: mapped address of "srv1 (127.0.0.11)" and sshport');
is($res->content, "AUTHID:$p->{authid}\nAccess granted\nSERVER:127.0.0.11:22\n",
   'selectsession: whole body');

$res = xgb_post($P, [task => 'selectsession', sid => 'P0-upper', @CRED]);
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.13:2022\n",
   'selectsession: profile sshport');

$res = xgb_post($P, [task => 'selectsession', sid => 'p3-rdp', @CRED]);
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
   'selectsession: plain host');

# p2-farm: srv1 (127.0.0.11), srv2 (127.0.0.12:2222), srv3 - chosen at
# random; each answer must be one of the three with its own port
my %farm = map { $_ => 1 }
    ("SERVER:127.0.0.11:22\n", "SERVER:127.0.0.12:2222\n", "SERVER:srv3:22\n");
my %seen;
for (1 .. 12) {
    $res = xgb_post($P, [task => 'selectsession', sid => 'p2-farm', @CRED]);
    my $rest = plain_parts($res->content)->{rest} // '(none)';
    $seen{$rest}++;
}
is(scalar(grep { !$farm{$_} } keys %seen), 0,
   'selectsession farm: every answer is a farm host with its port')
    or diag explain \%seen;
ok(scalar(keys %seen) >= 1, 'selectsession farm: got answers');

$res = xgb_post($P, [task => 'selectsession', sid => 'nosuch', @CRED]);
is($res->code, 200, 'selectsession unknown profile: 200');
is(plain_parts($res->content)->{rest}, "SERVER:no-server-available:22\n",
   'selectsession unknown profile: no-server-available:22');

$res = xgb_post($P, [task => 'selectsession', sid => '', @CRED]);
$p = plain_parts($res->content);
ok($p->{granted}, 'selectsession empty sid: granted');
is($p->{rest}, '', 'selectsession empty sid: nothing after Access granted');

# the plain frontend reads only "sid"; "profile-id" is JSON's
$res = xgb_post($P, [task => 'selectsession', 'profile-id' => 'p1-kde', @CRED]);
is(plain_parts($res->content)->{rest}, '',
   'selectsession: profile-id is ignored by plain');

# an existing profile the user may not see answers like an unknown one
$res = xgb_post('/xgb-acl/plain/', [task => 'selectsession',
    sid => 'admins-only', user => 'x2gbbob', password => 'bobpw']);
is($res->code, 200, 'selectsession not permitted: 200');
is(plain_parts($res->content)->{rest}, "SERVER:no-server-available:22\n",
   'selectsession not permitted: no-server-available:22');
$res = xgb_post('/xgb-acl/plain/', [task => 'selectsession',
    sid => 'admins-only', user => 'x2gbalice', password => 'alice secret']);
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.20:22\n",
   'selectsession permitted: the server');

# --- testcon, setpass, empty and unknown tasks ------------------------
$res = xgb_post($P, [task => 'testcon', @CRED]);
is($res->code, 200, 'testcon: 200');
is($res->content, 'OK', 'testcon: body is exactly "OK"');
is($res->header('Content-Type'), 'text/plain; charset=utf-8',
   'testcon: Content-Type');

$res = xgb_post($P, 'task=testcon');
is($res->code, 401, 'testcon without credentials (password required): 401');

$res = xgb_post('/xgb-nopass/plain/', 'task=testcon');
is($res->code, 200, 'testcon on an open broker: 200');
is($res->content, 'OK', 'testcon on an open broker: "OK"');

for my $task ('setpass', '', 'no-such-task', 'listprofiles') {
    $res = xgb_post($P, [task => $task, newpass => 'whatever', @CRED]);
    my $id = authid_of($res) // '';
    is($res->code, 200, "task '$task': 200");
    like($id, qr/\A$UUID_RE\z/, "task '$task': AUTHID");
    is($res->content, "AUTHID:$id\nAccess granted\n",
       "task '$task': AUTHID + Access granted only");
}

$res = xgb_post($P, [@CRED]);
is($res->content, 'AUTHID:' . (authid_of($res) // '') . "\nAccess granted\n",
   'no task field: like the empty task');

# --- open broker: no cookie at all ---------------------------------------
$res = xgb_post('/xgb-nopass/plain/inifile/', 'task=listsessions&user=nobody');
is($res->code, 200, 'require-password off: 200 without a password');
like($res->content, qr/\AAccess granted\nSTART_USER_SESSIONS\n/,
     'require-password off: no AUTHID line');
like($res->content, qr/^user=nobody$/m, 'require-password off: BROKER_USER');

$res = xgb_post('/xgb-nocheck/plain/', 'task=&user=x&password=wrong');
is($res->code, 200, 'check-credentials off: wrong password still 200');
is($res->content, "Access granted\n", 'check-credentials off: no AUTHID');

$res = xgb_post('/xgb-mechnone/plain/', 'task=');
is($res->code, 200, 'auth mech none: no credentials still 200');
like($res->content, qr/\AAUTHID:$UUID_RE\nAccess granted\n\z/,
     'auth mech none: a cookie is issued');

# --- testsuite auth mech ---------------------------------------------------
$res = xgb_post('/xgb-testsuite/plain/', [user => 'test', password => 'sweet']);
is($res->code, 200, 'testsuite mech: test/sweet accepted');
$res = xgb_post('/xgb-testsuite/plain/',
                [user => "jacques", password => "th\x{e9}r\x{e8}se"]);
is($res->code, 200, 'testsuite mech: jacques with a UTF-8 password accepted');
$res = xgb_post('/xgb-testsuite/plain/', [user => 'test', password => 'test']);
is($res->code, 401, 'testsuite mech: test/test refused');
$res = xgb_post('/xgb-testsuite/plain/', [user => 'jacques', password => 'therese']);
is($res->code, 401, 'testsuite mech: ASCII look-alike password refused');

# --- 401 -------------------------------------------------------------------
for my $case (['wrong password', [user => 'test', password => 'nope']],
              ['unknown user',   [user => 'nosuchuser', password => 'test']],
              ['no credentials', []],
              ['empty password', [user => 'test', password => '']]) {
    my ($what, $form) = @$case;
    $res = xgb_post($P, [task => 'listsessions', @$form]);
    is($res->code, 401, "$what: 401");
    is($res->content, $E401, "$what: Tornado's 401 page");
    like($res->header('Content-Type') // '', qr{\Atext/html; charset=UTF-8\z}i,
         "$what: text/html");
    ok(!defined $res->header('WWW-Authenticate'),
       "$what: no WWW-Authenticate header");
}

# --- routing: 404 ---------------------------------------------------------
for my $path ('/x2gobroker/plain', '/x2gobroker/plain/nosuch/',
              '/x2gobroker/plain/nosuch', '/x2gobroker/plainx/',
              '/x2gobroker/rpc', '/x2gobroker/json', '/x2gobroker/json/nosuch/',
              '/x2gobroker/plain/zeroconf/', '/x2gobroker/plain/base/',
              '/x2gobroker/plain/..%2f/') {
    $res = xgb_post($path, [@CRED]);
    is($res->code, 404, "POST $path: 404");
}
$res = xgb_post('/x2gobroker/plain/nosuch/', [@CRED]);
is($res->content, $E404, 'unknown backend: Tornado 404 page');

# backend from the path: trailing slashes, extra components
for my $path ('/x2gobroker/plain/', '/x2gobroker/plain/inifile',
              '/x2gobroker/plain/inifile///', '/x2gobroker/plain/inifile/x/y') {
    $res = xgb_post($path, [task => 'selectsession', sid => 'p1-kde', @CRED]);
    is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
       "POST $path: the inifile backend");
}

# frontends and backends switched off
$res = xgb_post('/xgb-nooutput/plain/', 'task=listsessions');
is($res->code, 404, 'enable-plain-output off: 404');
$res = xgb_post('/xgb-backends/plain/inifile/', 'task=listsessions');
is($res->code, 404, 'inifile backend disabled: 404');

# base backend: no profiles at all
$res = xgb_post('/xgb-backends/plain/base/', 'task=listsessions&user=u');
is($res->code, 200, 'base backend: 200');
is($res->content, "Access granted\n", 'base backend: no profile block');

# zeroconf backend: one profile under a fresh UUID
$res = xgb_post('/xgb-backends/plain/zeroconf/', 'task=listsessions&user=u');
is($res->code, 200, 'zeroconf backend: 200');
my $ids = profile_ids($res->content);
ok(@$ids == 1 && $ids->[0] =~ /\A$UUID_RE\z/,
   'zeroconf: exactly one profile, named by a UUID');
like($res->content, qr/^command=XFCE$/m, 'zeroconf: desktop shell upper-cased');
like($res->content, qr/^name=LOCALHOST\n\nEND_USER_SESSIONS\n\z/m,
     'zeroconf: name=LOCALHOST comes last');
$res = xgb_post('/xgb-backends/plain/zeroconf/',
                'task=selectsession&sid=anything&user=u');
is(plain_parts($res->content)->{rest}, "SERVER:localhost:22\n",
   'zeroconf selectsession: localhost:22');

# --- methods: 405 ---------------------------------------------------------
$res = xgb_request('GET', "$P?task=listsessions&user=test&password=test");
is($res->code, 405, 'GET without debug: 405');
is($res->content, $E405, 'GET without debug: Tornado 405 page');
for my $m (qw(PUT DELETE PATCH)) {
    $res = xgb_request($m, $P, body => 'user=test&password=test');
    is($res->code, 405, "$m: 405");
}
$res = xgb_request('HEAD', $P);
is($res->code, 405, 'HEAD: 405');
$res = xgb_request('OPTIONS', $P);
is($res->code, 405, 'OPTIONS: 405');
$res = xgb_request('GET', '/x2gobroker/json/?user=test&password=test');
is($res->code, 405, 'GET json without debug: 405');

# debug mode: GET is treated exactly like POST
$res = xgb_request('GET', '/xgb-debug/plain/inifile/?task=selectsession'
                        . '&sid=p1-kde&user=test&password=test');
is($res->code, 200, 'GET with debug: 200');
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
   'GET with debug: fields from the query string');
$res = xgb_request('PUT', '/xgb-debug/plain/', body => 'user=test&password=test');
is($res->code, 405, 'PUT with debug: still 405');

# --- request field sources ----------------------------------------------
$res = xgb_post("$P?task=selectsession&sid=p3-rdp&user=test", 'password=test');
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
   'query string and body are merged');
$res = xgb_post("$P?sid=P0-upper", [task => 'selectsession', sid => 'p1-kde', @CRED]);
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
   'a body field wins over the same query field');
$res = xgb_post($P, 'task=selectsession&sid=p1-kde&user=test&password=test',
                content_type => 'text/plain');
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.11:22\n",
   'body parsed as a form even when labelled text/plain');
$res = xgb_post($P, 'task=selectsession&sid=p1-kde&user=test&password=test',
                content_type => undef);
is($res->code, 200, 'body parsed without any Content-Type');

# x2goclient's exact request shape (authid present but empty, raw sid)
$res = xgb_post($P, 'task=listsessions&user=test&password=test&authid=');
is($res->code, 200, 'x2goclient listsessions request: 200');

# --- the "It works" page ---------------------------------------------------
$res = xgb_request('GET', '/x2gobroker/');
is($res->code, 200, 'GET /: 200');
is($res->content,
   '<body><html><h1>X2Go Session Broker</h1><p>It works...</p></body></html>',
   'GET /: the reference page');
like($res->header('Content-Type') // '', qr{\Atext/html}, 'GET /: text/html');
