# sources_used.t - what a configuration does not use is not set up:
#  - the default cookie store (shmcb) only when some configuration keeps
#    cookies in it; a dbd-only setup runs without mod_socache_shmcb;
#  - a session-profile file (the default one or a named one) is loaded,
#    and can stop httpd, only when some configuration serves it.
# Scratch httpds; the default profile file is replaced by a broken one
# inside a private mount namespace (a bind mount over /etc/x2go/broker),
# so the system's file is never touched.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 34, need 'x2gobroker',
    { 'scratch directory and PostgreSQL from t/run-suite' => have_env() };

my $PROFILES = data_file('profiles.conf');
my $HTPASSWD = data_file('htpasswd');
my $DEFAULT = '/etc/x2go/broker/x2gobroker-sessionprofiles.conf';

# The cookie stores are set up in the second configuration pass only,
# after `httpd -k start` has returned: a refusal there shows as an httpd
# that exits again.  up(H) -> 1 if H still runs and answers after a
# moment; gone(H) -> 1 if it exits within 10 s.
sub up {
    my $x = shift;
    select undef, undef, undef, 0.5;
    return $x->running
        && defined xgb_request('GET', $x->url . '/', timeout => 5)->code;
}

sub gone {
    my $x = shift;
    for (1 .. 100) {
        return 1 unless $x->running;
        select undef, undef, undef, 0.1;
    }
    return 0;
}

sub loc {
    my ($path, @lines) = @_;
    return "<Location $path>\n    SetHandler x2gobroker\n"
         . join('', map { "    $_\n" } @lines) . "</Location>\n";
}

my $DBD = "DBDriver pgsql\n"
        . "DBDParams \"$ENV{X2GOB_TEST_PGDSN} connect_timeout=5\"\n"
        . "X2GoBrokerDefaultPortscanX2goservers Off\n";
my @PG = ("X2GoBrokerSessionProfiles $PROFILES", 'X2GoBrokerAuthProvider file',
          "AuthUserFile $HTPASSWD", 'X2GoBrokerCookieStore dbd');
my @ALICE = (task => 'listsessions', user => 'x2gbalice', password => 'alice secret');

# --- cookies in PostgreSQL only: no mod_socache_shmcb needed -----------
my $h = X2GoBTest::Httpd->new(name => 'dbdonly', modules => ['dbd'],
    without => ['socache_shmcb'],
    conf => $DBD . loc('/pg', @PG)
          . loc('/open', "X2GoBrokerSessionProfiles $PROFILES",
                'X2GoBrokerRequirePassword Off'));
my ($ok, $out) = $h->start;
ok($ok && up($h), 'dbd-only setup starts without mod_socache_shmcb')
    or diag $out . $h->error_log;
my $res = xgb_post($h->url . '/pg/plain/', [@ALICE]);
is($res->code, 200, 'password login: 200');
my $id = authid_of($res) // '';
like($id, qr/\A$UUID_RE\z/, 'with a cookie');
$res = xgb_post($h->url . '/pg/plain/', [task => 'listsessions', user => 'x2gbalice',
                                          authid => $id]);
is($res->code, 200, 'the cookie (kept in PostgreSQL) logs in');
$res = xgb_post($h->url . '/pg/json/', [task => 'listprofiles', user => 'x2gbalice',
                                         password => 'alice secret']);
is($res->code, 200, 'json/ as well');
$res = xgb_post($h->url . '/open/plain/', 'task=listsessions&user=u');
is($res->code, 200, 'an open broker (no password, no cookies) needs no store either');
unlike($h->error_log, qr/shmcb|XGB0002[0-3]/, 'nothing about shmcb in the error_log');
$h->stop;

# --- a configuration that does use the default store still needs it ----
$h = X2GoBTest::Httpd->new(name => 'dbdplusdefault', modules => ['dbd'],
    without => ['socache_shmcb'],
    conf => $DBD . loc('/pg', @PG)
          . loc('/dflt', "X2GoBrokerSessionProfiles $PROFILES",
                'X2GoBrokerAuthProvider file', "AuthUserFile $HTPASSWD"));
($ok, $out) = $h->start;
ok(gone($h), 'a <Location> using the default store: no start without mod_socache_shmcb');
my $all = $out . $h->error_log;
like($all, qr/XGB00020: .*unknown store 'shmcb'.*needed as the default X2GoBrokerCookieStore by \/dflt/,
     'the message names the store, the module and the <Location>') or diag $all;
ok(!$h->running, 'no httpd left running');
$h->stop;

# --- nothing configured at all: no shmcb needed -------------------------
$h = X2GoBTest::Httpd->new(name => 'unconfigured', without => ['socache_shmcb'],
                           conf => "# the module is loaded, nothing more\n");
($ok, $out) = $h->start;
ok($ok && up($h), 'module loaded but not configured: starts without mod_socache_shmcb')
    or diag $out . $h->error_log;
$h->stop;

# --- SetHandler at server level, beside a <Location> of ours -------------
# The server level then serves the broker at / with the server's
# settings, which start-up cannot tell from mere defaults for the
# <Location>s: it would use the default store, which was not set up.  A
# clear 500, not a crash.
$h = X2GoBTest::Httpd->new(name => 'bare', modules => ['dbd'],
    without => ['socache_shmcb'],
    conf => $DBD . "SetHandler x2gobroker\nX2GoBrokerDefaultAuthMech none\n"
          . loc('/pg', @PG));
($ok, $out) = $h->start;
ok($ok && up($h), 'dbd <Location> plus SetHandler at server level: starts') or diag $out;
$res = xgb_post($h->url . '/plain/', [@ALICE]);
is($res->code, 500, 'the server level: 500');
like($h->error_log, qr/XGB00203: no cookie store for \/plain\/: set X2GoBrokerCookieStore here/,
     'with a message saying what to do');
is(xgb_post($h->url . '/pg/plain/', [@ALICE])->code, 200, 'the dbd one still works');
unlike($h->error_log, qr/exit signal|Segmentation fault/, 'no child crashed');
$h->stop;

# --- profile files: only the used ones load ------------------------------
my $dir = scratch() . '/sources_used';
my $etc = "$dir/etc-broker";            # stands in for /etc/x2go/broker
mkdir $dir;
mkdir $etc;
chmod 0755, $dir, $etc;
my $broken = "[a]\nhost=127.0.0.1\nhost=127.0.0.2\n";   # line 3: duplicate key
spew("$etc/x2gobroker-sessionprofiles.conf", $broken);
spew("$dir/broken.conf", $broken);
spew("$dir/good.conf", "[good]\nhost=127.0.0.61\n");
chmod 0644, "$etc/x2gobroker-sessionprofiles.conf", "$dir/broken.conf", "$dir/good.conf";

my $can_ns = -d '/etc/x2go/broker'
    && system('unshare', '-m', '--propagation', 'private', 'true') == 0;

# start(NAME, CONF) -> (httpd, ok, output) with the broken default file
my $start = sub {
    my ($name, $conf) = @_;
    my $x = X2GoBTest::Httpd->new(name => $name,
        conf => "X2GoBrokerDefaultPortscanX2goservers Off\n" . $conf);
    my ($ok, $out) = $x->start_with_binds($etc => '/etc/x2go/broker');
    return ($x, $ok, $out . $x->error_log);
};

SKIP: {
    skip 'needs /etc/x2go/broker and unshare -m (root)', 17 unless $can_ns;

    # a named file, the default one broken: the default is not used
    ($h, $ok, $out) = $start->('ownfile',
        loc('/own', "X2GoBrokerSessionProfiles $dir/good.conf",
            'X2GoBrokerRequirePassword Off'));
    ok($ok, 'broken default profile file, nobody uses it: httpd starts') or diag $out;
    $res = xgb_post($h->url . '/own/plain/', 'task=listsessions&user=u');
    is(join(',', @{ profile_ids($res->content) }), 'good', 'and serves the named file');
    unlike($h->error_log, qr/\Q$DEFAULT\E:3/, 'the default file was not even read');
    $h->stop;

    # a <Location> using the default file: still stops httpd
    ($h, $ok, $out) = $start->('usesdefault',
        loc('/own', "X2GoBrokerSessionProfiles $dir/good.conf")
        . loc('/dflt', 'X2GoBrokerRequirePassword Off'));
    ok(!$ok, 'a <Location> using the broken default file: httpd refuses to start');
    like($out, qr/\Q$DEFAULT\E:3: \S/, 'naming the default file and the line') or diag $out;
    ok(!$h->running, 'no httpd left running');
    $h->stop;

    # the default file, but the inifile backend is off there
    ($h, $ok, $out) = $start->('noinifile',
        loc('/zc', 'X2GoBrokerRequirePassword Off', 'X2GoBrokerInifileEnable Off',
            'X2GoBrokerZeroconfEnable On'));
    ok($ok, 'no X2GoBrokerSessionProfiles but inifile off: starts') or diag $out;
    $res = xgb_post($h->url . '/zc/plain/zeroconf/', 'task=listsessions&user=u');
    is(scalar @{ profile_ids($res->content) }, 1, 'zeroconf answers with its profile');
    is(xgb_post($h->url . '/zc/plain/', 'task=listsessions&user=u')->code, 404,
       'inifile: 404 (off)');
    $h->stop;

    # a named file where inifile is off: not used either
    ($h, $ok, $out) = $start->('namedunused',
        loc('/zc', "X2GoBrokerSessionProfiles $dir/broken.conf",
            'X2GoBrokerRequirePassword Off', 'X2GoBrokerInifileEnable Off',
            'X2GoBrokerBaseEnable On'));
    ok($ok, 'a broken named file where inifile is off: starts') or diag $out;
    is(xgb_post($h->url . '/zc/plain/base/', 'task=listsessions&user=u')->code, 200,
       'base answers');
    $h->stop;

    # ... and where every frontend is off
    ($h, $ok, $out) = $start->('nofrontend',
        loc('/x', 'X2GoBrokerRequirePassword Off', 'X2GoBrokerEnablePlainOutput Off',
            'X2GoBrokerEnableJsonOutput Off'));
    ok($ok, 'default file, plain/ and json/ off (UCCS off by default): starts') or diag $out;
    $h->stop;

    # SetHandler at server level beside a <Location> of ours: the server
    # level uses the default file unseen at start-up, so it is loaded at
    # its first request, as on a reload
    ($h, $ok, $out) = $start->('lazy',
        "SetHandler x2gobroker\nX2GoBrokerRequirePassword Off\n"
        . loc('/own', "X2GoBrokerSessionProfiles $dir/good.conf"));
    ok($ok, 'SetHandler at server level beside a <Location>: starts') or diag $out;
    is(join(',', @{ profile_ids(xgb_post($h->url . '/own/plain/',
                                         'task=listsessions&user=u')->content) }),
       'good', 'the <Location> serves its file');
    $res = xgb_post($h->url . '/plain/', 'task=listsessions&user=u');
    is($res->code, 200, 'its first request: 200');
    is_deeply(profile_ids($res->content), [], 'no profiles from the broken file');
    like($h->error_log, qr/\Q$DEFAULT\E:3: .*keeping the last good profiles/,
         'the broken default file is reported at that request');
    spew_atomic("$etc/x2gobroker-sessionprofiles.conf", "[fixed]\nhost=127.0.0.62\n");
    $res = xgb_post($h->url . '/plain/', 'task=listsessions&user=u');
    is(join(',', @{ profile_ids($res->content) }), 'fixed', 'once fixed, it is served');
    $h->stop;
}
