# json.t - the JSON frontend (python-x2go / PyHoca), spec section 2.1.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use X2GoBTest;

plan tests => 59, need_module 'x2gobroker';

my $J = '/x2gobroker/json/inifile/';
my @CRED = (user => 'test', password => 'test');
my $json = JSON::PP->new;

sub decode {
    my $body = shift;
    my $d = eval { $json->decode($body) };
    return $d;
}

# --- listsessions is renamed to listprofiles -------------------------------
my $res = xgb_post($J, [task => 'listsessions', @CRED]);
is($res->code, 200, 'listsessions: 200');
is($res->header('Content-Type'), 'text/json; charset=utf-8',
   'Content-Type text/json; charset=utf-8');
is($res->header('Expires'), '+1h', 'Expires: +1h');
my $d = decode($res->content);
ok(ref $d eq 'HASH', 'body is a JSON object') or diag $res->content;
$d ||= {};
is($d->{task}, 'listprofiles', 'task echoed as listprofiles');
is($d->{'auth-status'}, 'Access granted', 'auth-status');
like($d->{'next-authid'} // '', qr/\A$UUID_RE\z/, 'next-authid is a v4 UUID');
is($res->content, expected_json('json-listprofiles.json', $d->{'next-authid'} // ''),
   'exact bytes: 4-space indent, sorted keys, \\u escapes, no final newline');
is_deeply([sort keys %$d], [qw(auth-status next-authid profiles task)],
          'top-level members');

my $pr = $d->{profiles} || {};
is_deeply([sort keys %$pr], [qw(P0-upper p1-kde p2-farm p3-rdp p4-utf8)],
          'all profiles present');
my $kde = $pr->{'p1-kde'} || {};
ok(JSON::PP::is_bool($kde->{rootless}) && !$kde->{rootless},
   'typed boolean false (rootless of a desktop profile)');
ok(JSON::PP::is_bool($kde->{sound}) && $kde->{sound}, 'typed boolean true');
ok(!ref $kde->{usebrokerpass} && $kde->{usebrokerpass} eq 'true',
   'unknown key stays the string "true"');
is_deeply($kde->{host}, ['srv1'], 'host is an array of names');
is_deeply($pr->{'p2-farm'}{host}, [qw(srv1 srv2 srv3)], 'farm host array');
is_deeply($pr->{'p2-farm'}{applications}, [qw(TERMINAL WWWBROWSER)],
          'applications list, items stripped');
is($pr->{'p2-farm'}{width}, 1024, 'integer value');
like($res->content, qr/"width": 1024,/, 'integer written without quotes');
like($res->content, qr/"sshport": 2022,/, 'profile sshport is a number');
is($kde->{user}, 'test', 'BROKER_USER replaced');
is($pr->{'P0-upper'}{user}, '', 'empty user stays empty');
ok(!exists $pr->{'P0-upper'}{speed}, 'not-set key removed');
is($pr->{'p4-utf8'}{name}, "B\x{fc}ro \x{2013} \x{dc}n\x{ef}code \x{2603} \x{1f600}",
   'non-ASCII name round-trips');
unlike($res->content, qr/[\x80-\xff]/, 'body is pure ASCII (\\u escapes)');

# --- selectsession ----------------------------------------------------------
$res = xgb_post($J, [task => 'selectsession', 'profile-id' => 'p1-kde', @CRED]);
$d = decode($res->content) || {};
is($res->code, 200, 'selectsession: 200');
is_deeply($d->{selected_session}, {server => '127.0.0.11', port => '22'},
          'selected_session server/port');
like($res->content, qr/"port": "22"/, 'port is a JSON string');
is($d->{task}, 'selectsession', 'task selectsession');
my $nid = $d->{'next-authid'} // '';
is($res->content, "{\n    \"auth-status\": \"Access granted\",\n"
    . "    \"next-authid\": \"$nid\",\n"
    . "    \"selected_session\": {\n        \"port\": \"22\",\n"
    . "        \"server\": \"127.0.0.11\"\n    },\n"
    . "    \"task\": \"selectsession\"\n}",
   'selectsession: exact bytes');

$res = xgb_post($J, [task => 'selectsession', 'profile-id' => 'P0-upper', @CRED]);
$d = decode($res->content) || {};
is_deeply($d->{selected_session}, {server => '127.0.0.13', port => '2022'},
          'selectsession: sshport as a string');

$res = xgb_post($J, [task => 'selectsession', sid => 'p3-rdp',
                     'profile-id' => 'P0-upper', @CRED]);
$d = decode($res->content) || {};
is($d->{selected_session}{port}, '22', 'sid overrides profile-id (port)');
is($d->{selected_session}{server}, '127.0.0.11', 'sid overrides profile-id (server)');

$res = xgb_post($J, [task => 'selectsession', @CRED]);
$d = decode($res->content) || {};
is_deeply($d->{selected_session}, {}, 'no profile id: empty selected_session');
like($res->content, qr/"selected_session": \{\},/, 'empty object written as {}');

$res = xgb_post($J, [task => 'selectsession', 'profile-id' => 'nosuch', @CRED]);
$d = decode($res->content) || {};
is_deeply($d->{selected_session}, {server => 'no-server-available', port => '22'},
          'unknown profile: no-server-available, port "22"');

# --- testcon, empty task, setpass ---------------------------------------------
$res = xgb_post($J, [task => 'testcon', @CRED]);
is($res->code, 200, 'testcon: 200');
is($res->content, '', 'testcon: empty body');
is($res->header('Content-Type'), 'text/json; charset=utf-8', 'testcon: text/json');

$res = xgb_post($J, [@CRED]);
$d = decode($res->content) || {};
$nid = $d->{'next-authid'} // '';
is($res->content, "{\n    \"auth-status\": \"Access granted\",\n"
    . "    \"next-authid\": \"$nid\",\n    \"task\": \"\"\n}",
   'no task: exact bytes, task ""');
like($nid, qr/\A$UUID_RE\z/, 'no task: next-authid');

$res = xgb_post($J, [task => 'setpass', newpass => 'x', @CRED]);
$d = decode($res->content) || {};
is($d->{task}, 'setpass', 'setpass: echoed');
is_deeply([sort keys %$d], [qw(auth-status next-authid task)],
          'setpass: nothing else');

# --- cookies through next-authid ------------------------------------------------
$res = xgb_post($J, [task => 'listprofiles', user => 'test', password => 'test']);
my $c1 = (decode($res->content) || {})->{'next-authid'} // '';
$res = xgb_post($J, [task => 'listprofiles', user => 'test', authid => $c1]);
is($res->code, 200, 'authid instead of password: 200');
my $c2 = (decode($res->content) || {})->{'next-authid'} // '';
like($c2, qr/\A$UUID_RE\z/, 'rotated next-authid');
isnt($c2, $c1, 'next-authid changes');
$res = xgb_post($J, [task => 'listprofiles', user => 'test', authid => $c1]);
is($res->code, 401, 'used next-authid cannot be replayed');

# --- no credentials required ----------------------------------------------------
$res = xgb_post('/xgb-nopass/json/', 'task=listprofiles&user=nobody');
$d = decode($res->content) || {};
is($res->code, 200, 'require-password off: 200');
ok(!exists $d->{'next-authid'}, 'require-password off: no next-authid');
is($d->{profiles}{'p1-kde'}{user}, 'nobody', 'require-password off: BROKER_USER');

# --- errors ---------------------------------------------------------------------
$res = xgb_post($J, [task => 'listprofiles', user => 'test', password => 'bad']);
is($res->code, 401, 'bad password: 401');
is($res->content, error_page(401, 'Unauthorized'), 'bad password: HTML page');
like($res->header('Content-Type') // '', qr{\Atext/html}i, 'bad password: text/html');
$res = xgb_post('/x2gobroker/json/nosuch/', [@CRED]);
is($res->code, 404, 'unknown backend: 404');
$res = xgb_post('/xgb-nooutput/json/', 'task=listprofiles');
is($res->code, 404, 'enable-json-output off: 404');
$res = xgb_request('GET', "$J?user=test&password=test");
is($res->code, 405, 'GET without debug: 405');
$res = xgb_request('GET', '/xgb-debug/json/?task=selectsession&profile-id=p1-kde'
                        . '&user=test&password=test');
is($res->code, 200, 'GET with debug: 200');
is((decode($res->content) || {})->{selected_session}{server}, '127.0.0.11',
   'GET with debug: query fields used');
$res = xgb_post('/x2gobroker/json/', [task => 'selectsession',
                'profile-id' => 'p1-kde', @CRED]);
is((decode($res->content) || {})->{selected_session}{server}, '127.0.0.11',
   '/json/ without backend: inifile');
$res = xgb_post('/x2gobroker/json', [@CRED]);
is($res->code, 404, '/json without slash: 404');
