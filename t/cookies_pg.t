# cookies_pg.t - X2GoBrokerCookieStore dbd: cookies live in PostgreSQL
# (table from conf/x2gobroker-cookies.sql), so a cookie issued by one
# httpd is accepted by a SECOND httpd sharing the database.  The second
# instance is started here with a minimal configuration on another free
# loopback port and stopped at the end.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use POSIX ();
use Time::HiRes ();
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 29, need 'x2gobroker', 'dbd',
    { 'PostgreSQL from t/run-suite (X2GOB_TEST_PGPORT)' => have_env() },
    { 'psql' => sub { system('psql --version >/dev/null 2>&1') == 0 } };

my $DSN = $ENV{X2GOB_TEST_PGDSN};

# sql(QUERY) -> rows as arrayrefs (psql unaligned, tab-separated)
sub sql {
    my $q = shift;
    open my $ph, '-|', 'psql', $DSN, '-XAt', '-F', "\t", '-v',
        'ON_ERROR_STOP=1', '-c', $q or die "psql: $!";
    my @rows = map { chomp; [split /\t/, $_, -1] } <$ph>;
    close $ph;
    return @rows;
}

sub row_of {
    my $cookie = shift;
    $cookie =~ s/'/''/g;
    my @r = sql("SELECT username, client_ip, origtime, expires "
              . "FROM x2gobroker_cookies WHERE cookie = '$cookie'");
    return $r[0];
}

my $A = '/xgb-pg/plain/';
my @ALICE = (user => 'x2gbalice');

my $t = X2GoBTest::Httpd->new(
    name    => 'pg2',
    modules => ['dbd'],
    loglevel => 'info x2gobroker:debug dbd:debug',
    conf    => <<"EOF");
DBDriver pgsql
DBDParams "$DSN connect_timeout=5"
DBDMin 0
DBDKeep 2
DBDMax 4
DBDExptime 60
<Location /xgb-pg2>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles ${\ t_dir()}/data/profiles.conf
    X2GoBrokerDefaultPortscanX2goservers Off
    X2GoBrokerAuthProvider file
    AuthUserFile ${\ t_dir()}/data/htpasswd
    X2GoBrokerCookieStore dbd
</Location>
EOF
my ($started, $out) = $t->start;
ok($started, 'second httpd started') or diag $out, $t->error_log;
my $B = $t->url . '/xgb-pg2/plain/';

sub req {
    my ($where, @form) = @_;
    return xgb_post($where, [task => '', @form]);
}

# Expired rows are purged by the brokers (each child at most once a
# minute, on its first store): plant one expired and one live row now;
# the stores below run in fresh children of both servers.
sql("INSERT INTO x2gobroker_cookies VALUES "
  . "('purge-me', 'nobody', '127.0.0.1', 0, " . (time - 5) . "), "
  . "('keep-me', 'nobody', '127.0.0.1', 0, " . (time + 3600) . ")");

# --- password login on server A: a row appears ------------------------------------
my $t0 = time;
my $res = req($A, @ALICE, password => 'alice secret', authid => '');
is($res->code, 200, 'A: password login');
my $c1 = authid_of($res) // '';
like($c1, qr/\A$UUID_RE\z/, 'A: cookie issued');
my $row = row_of($c1);
ok($row, 'the cookie is a row in x2gobroker_cookies');
$row ||= ['', '', 0, 0];
is($row->[0], 'x2gbalice', 'row: username');
is($row->[1], '127.0.0.1', 'row: client_ip');
ok(abs($row->[2] - $t0) < 5, 'row: origtime is the login time') or diag $row->[2];
ok($row->[3] > time, 'row: expires lies in the future');
my $orig = $row->[2];

# --- server B accepts it --------------------------------------------------------------
$res = req($B, @ALICE, authid => $c1);
is($res->code, 200, 'B accepts the cookie issued by A');
my $c2 = authid_of($res) // '';
like($c2, qr/\A$UUID_RE\z/, 'B issues the next cookie');
isnt($c2, $c1, 'rotated');
ok(!row_of($c1), 'the used cookie\'s row is gone');
$row = row_of($c2) || ['', '', 0, 0];
is($row->[0], 'x2gbalice', 'next row: username');
ok(abs($row->[2] - $orig) < 0.001, 'next row: origtime of the password login kept')
    or diag "$row->[2] vs $orig";

is(req($A, @ALICE, authid => $c1)->code, 401, 'A refuses the cookie B consumed');
is(req($B, @ALICE, authid => $c1)->code, 401, 'B refuses it too');

$res = req($A, @ALICE, authid => $c2);
is($res->code, 200, 'A accepts the cookie B issued');
my $c3 = authid_of($res) // '';
is(req($B, @ALICE, authid => $c2)->code, 401, 'B refuses the cookie A consumed');
is(req($B, user => 'x2gbbob', authid => $c3)->code, 401,
   'another user cannot use the cookie');
ok(row_of($c3), 'another user\'s attempt left the row alone');

# --- single use across both servers under concurrency ---------------------------------
my $n = 8;
my @kids;
for my $i (1 .. $n) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        my $r = req($i % 2 ? $A : $B, @ALICE, authid => $c3);
        POSIX::_exit($r->code == 200 ? 0 : $r->code == 401 ? 1 : 2);
    }
    push @kids, $pid;
}
my %codes;
for (@kids) { waitpid $_, 0; $codes{$? >> 8}++; }
is($codes{0} || 0, 1, "$n parallel uses on both servers: exactly one 200")
    or diag explain \%codes;
is($codes{1} || 0, $n - 1, 'the others: 401 (no 5xx)');

# --- hostile cookie values go through as data, not SQL -----------------------------------
my $before = (sql('SELECT count(*) FROM x2gobroker_cookies'))[0][0] // -1;
is(req($A, @ALICE, authid => "x' OR '1'='1")->code, 401, 'quote in a cookie: 401');
is(req($B, user => "x2gbalice'--", authid => $c2)->code, 401,
   'quote in the user name: 401');
my $after = (sql('SELECT count(*) FROM x2gobroker_cookies'))[0][0] // -2;
is($after, $before, 'no rows touched by hostile values');

# --- expired rows are gone, live ones stay ----------------------------------------------
is(scalar(sql("SELECT 1 FROM x2gobroker_cookies WHERE cookie = 'purge-me'")),
   0, 'expired cookie row purged');
is(scalar(sql("SELECT 1 FROM x2gobroker_cookies WHERE cookie = 'keep-me'")),
   1, 'live cookie row kept');
sql("DELETE FROM x2gobroker_cookies WHERE cookie = 'keep-me'");

# --- the first server still works without the second ----------------------------------
diag "second httpd error_log:\n", $t->error_log
    unless Test::More->builder->is_passing;
$t->stop;
ok(!$t->running, 'second httpd stopped');
$res = req($A, @ALICE, password => 'alice secret');
is($res->code, 200, 'A alone: password login still works');
