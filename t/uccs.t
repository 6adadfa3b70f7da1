# uccs.t - the UCCS frontend (Arctica Greeter remote logon), spec 2.2.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use X2GoBTest;

plan tests => 31, need_module 'x2gobroker';

my $API5 = '/xgb-uccs/uccs/inifile/api/5';
my $json = JSON::PP->new;

sub get
{
    my ($path, $user, $pass) = @_;
    return xgb_request('GET', $path,
                       defined $user
                           ? (headers => [Authorization =>
                                          basic_auth($user, $pass)])
                           : ());
}

sub servers
{
    my $body = shift;
    my $d = eval { $json->decode($body) } || {};
    return ($d, { map { $_->{Name} => $_ } @{ $d->{RemoteDesktopServers}
                                               || [] } });
}

# --- ping: HEAD only, GET only in debug mode ---------------------------
my $res = xgb_request('HEAD', '/xgb-uccs/uccs/');
is($res->code, 200, 'HEAD uccs/ (ping): 200');
is($res->content, '', 'HEAD: no body');
$res = xgb_request('GET', '/xgb-uccs/uccs/');
is($res->code, 405, 'GET uccs/ without X2GoBrokerDebug: 405');
$res = xgb_request('GET', '/xgb-uccsanon/uccs/');
is($res->code, 200, 'GET uccs/ with X2GoBrokerDebug: 200');
like($res->content, qr/\A\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\z/,
     'ping body is the UTC time as Python prints it');

# --- API: HTTP Basic authentication first ------------------------------
$res = get($API5);
is($res->code, 401, 'no credentials: 401');
is($res->header('WWW-Authenticate'), 'Basic realm="Authentication required"',
   'WWW-Authenticate: Basic realm="Authentication required"');
is($res->content, '', '401 without body');
is(get($API5, 'test', 'wrong')->code, 401, 'wrong password: 401');
is(get($API5, 'nosuchuser', 'test')->code, 401, 'unknown user: 401');

$res = get($API5, 'test', 'test');
is($res->code, 200, 'test/test: 200');
is($res->header('Content-Type'), 'text/plain; charset=utf-8',
   'Content-Type text/plain; charset=utf-8');
my ($d, $by) = servers($res->content);
is_deeply([map { $_->{Name} } @{ $d->{RemoteDesktopServers} || [] }],
          ['a-term', 'KDE desktop', 'Windows'],
          'servers sorted by profile id, hidden profile left out, '
          . 'name falls back to the id');
is($d->{DefaultServer}, 'Windows', 'DefaultServer: the last one listed');
is($d->{URL}, 'https://broker.example.org/x2gobroker/uccs/inifile/',
   'URL from X2GoBrokerMyUccsUrlBase');
is($d->{Name}, 'X2Go Session Broker', 'Name');
is($by->{'KDE desktop'}{URL}, 'http://127.0.0.21:2222/',
   'x2go server URL: mapped address and per-host port');
is($by->{'KDE desktop'}{Command}, 'KDE', 'API 5: desktop command upper-cased');
ok($by->{'KDE desktop'}{CommandRequired}, 'API 5: CommandRequired');
is($by->{'a-term'}{URL}, 'http://127.0.0.22:2022/', 'sshport used');
is($by->{'a-term'}{Username}, 'test', 'BROKER_USER is the Basic user');
is($by->{Windows}{Protocol}, 'rdp', 'directrdp: rdp server');
is($by->{Windows}{WindowsDomain}, 'LOCAL', 'rdp: WindowsDomain LOCAL');

($d, $by) = servers(get('/xgb-uccs/uccs/inifile/api/4', 'test', 'test')
                    ->content);
is($by->{'KDE desktop'}{SessionType}, 'KDE', 'API 4: SessionType');

# greeters send e-mail addresses: retried without the domain
($d, $by) = servers(get($API5, 'test@example.org', 'test')->content);
is($by->{'a-term'}{Username}, 'test', 'user@domain retried as user');

# a ':' in the password is fine (the reference crashed: B13)
is(get($API5, 'colon', 'pa:ss')->code, 200, "':' in the password");

# --- after authentication: switches and backends ----------------------
is(get('/xgb-uccsoff/uccs/inifile/api/5', 'test', 'test')->code, 404,
   'X2GoBrokerEnableUccsOutput Off: 404');
is(get('/xgb-uccs/uccs/nosuch/api/5', 'test', 'test')->code, 404,
   'unknown backend: 404');
is(get('/xgb-uccs/uccs/inifile/api/x')->code, 404, 'not an API route: 404');

# no credentials needed when the broker requires none: user anonymous
($d, $by) = servers(get('/xgb-uccsanon/uccs/inifile/api/5')->content);
is($by->{'a-term'}{Username}, 'anonymous', 'anonymous access');
is(xgb_request('POST', $API5, body => '')->code, 405, 'POST on the API: 405');
