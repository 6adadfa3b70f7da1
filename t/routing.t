# routing.t - the routes hang off the <Location> whose SetHandler makes a
# request the broker's, wherever the X2GoBroker directives are: all at
# server level with a bare <Location> that only sets the handler, or in a
# nested <Location> below the handler's own.  Scratch httpds.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 16, need 'x2gobroker',
    { 'scratch directory from t/run-suite' => have_env() };

my $PROFILES = data_file('profiles.conf');
my $HTPASSWD = data_file('htpasswd');
my @ALICE = (user => 'x2gbalice', password => 'alice secret');
# AuthUserFile is a per-directory directive: at server level the
# reference's testsuite mechanism checks passwords
my @TEST = (user => 'test', password => 'sweet');
my $SERVER_LEVEL = "X2GoBrokerSessionProfiles $PROFILES\n"
                 . "X2GoBrokerDefaultAuthMech testsuite\n"
                 . "X2GoBrokerDefaultPortscanX2goservers Off\n";

# --- every directive at server level, a bare <Location> ----------------
my $h = X2GoBTest::Httpd->new(name => 'route-bare',
    conf => $SERVER_LEVEL
          . "<Location /bare>\n    SetHandler x2gobroker\n</Location>\n");
my ($ok, $out) = $h->start;
ok($ok, 'server-level directives + bare <Location>: starts') or diag $out;
my $res = xgb_post($h->url . '/bare/plain/inifile/', [task => 'listsessions', @TEST]);
is($res->code, 200, '/bare/plain/inifile/: 200');
like($res->content, qr/^START_USER_SESSIONS$/m, 'with the listing');
$res = xgb_post($h->url . '/bare/json/', [task => 'listprofiles', @TEST]);
is($res->code, 200, '/bare/json/: 200');
like($res->content, qr/"profiles"/, 'with the JSON listing');
$res = xgb_request('GET', $h->url . '/bare/');
is($res->code, 200, 'GET /bare/: the "It works" page');
$res = xgb_request('GET', $h->url . '/bare/pubkeys/');
is($res->code, 200, 'GET /bare/pubkeys/: 200');
$res = xgb_post($h->url . '/bare/nothing/', [task => 'listsessions', @TEST]);
is($res->code, 404, '/bare/nothing/: 404');
$h->stop;

# --- a nested <Location> with one directive below the handler's -------
$h = X2GoBTest::Httpd->new(name => 'route-nested',
    conf => "<Location /x>\n    SetHandler x2gobroker\n"
          . "    X2GoBrokerSessionProfiles $PROFILES\n"
          . "    X2GoBrokerAuthProvider file\n    AuthUserFile $HTPASSWD\n"
          . "    X2GoBrokerDefaultPortscanX2goservers Off\n</Location>\n"
          . "<Location /x/json>\n    X2GoBrokerEnableJsonOutput On\n</Location>\n");
($ok, $out) = $h->start;
ok($ok, 'nested <Location /x/json> with one directive: starts') or diag $out;
$res = xgb_post($h->url . '/x/json/', [task => 'listprofiles', @ALICE]);
is($res->code, 200, 'POST /x/json/: 200, not 405');
like($res->content, qr/"profiles"/, 'with the JSON listing');
$res = xgb_post($h->url . '/x/json/inifile/', [task => 'listprofiles', @ALICE]);
is($res->code, 200, 'POST /x/json/inifile/: 200');
$res = xgb_post($h->url . '/x/plain/', [task => 'listsessions', @ALICE]);
is($res->code, 200, 'POST /x/plain/: 200');
like($res->content, qr/^START_USER_SESSIONS$/m, 'with the listing');
$res = xgb_request('GET', $h->url . '/x/json/');
is($res->code, 405, 'GET /x/json/ without X2GoBrokerDebug: 405');
$res = xgb_request('GET', $h->url . '/x');
is($res->code, 200, 'GET /x: the "It works" page');
$h->stop;
