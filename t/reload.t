# reload.t - the profile file is re-read when it changes (stat: mtime,
# size, inode) without a restart; a broken file keeps the last good
# profiles and logs "<file>:<line>: <reason>"; a broken file at startup
# stops httpd with that message.
#
# Works on $X2GOB_TEST_SCRATCH/reload-profiles.conf (a copy t/run-suite
# makes of t/data/reload-profiles.conf); tracked files are never touched.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use Time::HiRes ();
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 27, need 'x2gobroker',
    { 'scratch directory from t/run-suite' => have_env() };

my $FILE = scratch() . '/reload-profiles.conf';
my $R = '/xgb-reload/plain/';

sub ids {
    my $res = xgb_post($R, 'task=listsessions&user=u');
    return $res->code == 200 ? join(',', @{ profile_ids($res->content) })
                             : 'HTTP ' . $res->code;
}

# Ask a few times: every child must see the change (each child may keep
# its own copy).  Returns the distinct answers.
sub ids_all {
    my %seen;
    $seen{ ids() }++ for 1 .. 6;
    return join ' | ', sort keys %seen;
}

is(ids_all(), 'reload-a', 'initial profiles');

# --- replaced by rename (new inode) ---------------------------------------------------
spew_atomic($FILE, "[reload-b]\nhost=127.0.0.31\n");
is(ids_all(), 'reload-b', 'file replaced by rename: new profiles, no restart');

# --- rewritten in place, same size, mtime changes -----------------------------------------
Time::HiRes::sleep(1.1);
spew($FILE, "[reload-c]\nhost=127.0.0.31\n");
is(ids_all(), 'reload-c', 'rewritten in place with the same size');

# --- rewritten in place, other size, within the same second ----------------------------
spew($FILE, "[reload-d]\nhost=127.0.0.31\n\n[reload-e]\nhost=127.0.0.32\n");
is(ids_all(), 'reload-d,reload-e', 'rewritten in place with another size');

my $res = xgb_post($R, 'task=selectsession&sid=reload-e&user=u');
is(plain_parts($res->content)->{rest}, "SERVER:127.0.0.32:22\n",
   'selectsession uses the reloaded profile');

# --- broken file: last good profiles stay, error_log says where ---------------------------
my @broken = (
    ["[reload-f]\nhost=127.0.0.33\nhost=127.0.0.34\n", 3, 'duplicate key'],
    ["[reload-f]\nhost=127.0.0.33\n\n[reload-f]\nhost=1\n", 4, 'duplicate section'],
    ["host=127.0.0.33\n[reload-f]\n", 1, 'key before any section'],
    ["[reload-f]\nhost=127.0.0.33\n[unterminated\n", 3, 'bad section header'],
);
# Every child answers with the last good profiles (reload-d,reload-e):
# one that never loaded them takes the copy another child shared.  (The
# churn test at the end checks the same with children forked after the
# file broke.)
for my $b (@broken) {
    my ($text, $line, $what) = @$b;
    my $mark = error_log_mark();
    spew_atomic($FILE, $text);
    my $got = ids_all();
    my $log = error_log_since($mark, qr/\Q$FILE\E:$line:/);
    is($got, 'reload-d,reload-e', "$what: the last good profiles keep serving");
    like($log, qr/\Q$FILE\E:$line: \S/, "$what: error_log names $FILE:$line");
}
my $mark = error_log_mark();
spew_atomic($FILE, "[reload-f]\nhost=127.0.0.33\nhost=127.0.0.34\n");
ids_all() for 1 .. 2;
my $log = error_log_since($mark, qr/\Q$FILE\E:3:/);
like($log, qr/XGB\d{5}: /, 'the message carries the module\'s log tag');

# --- fixed again --------------------------------------------------------------------------
spew_atomic($FILE, "[reload-g]\nhost=127.0.0.35\n");
is(ids_all(), 'reload-g', 'fixed file picked up again');

# --- deleted file: keep the last good profiles -------------------------------------------
$mark = error_log_mark();
unlink $FILE;
is(ids_all(), 'reload-g', 'file removed: the last good profiles keep serving');
like(error_log_since($mark, qr/cannot stat/),
     qr/XGB00013: session profiles \Q$FILE\E: cannot stat, keeping the last good profiles/,
     'file removed: logged');
spew_atomic($FILE, "[reload-h]\nhost=127.0.0.36\n");
is(ids_all(), 'reload-h', 'file back: picked up');

# --- a broken file at startup stops httpd ------------------------------------------------
my $dir = scratch() . '/startup';
mkdir $dir;
chmod 0755, $dir;
my $good = "$dir/good.conf";
my $bad  = "$dir/bad.conf";
spew($good, "[s1]\nhost=127.0.0.40\n");
spew($bad, "# comment\n[s1]\nhost=127.0.0.40\nhost=127.0.0.41\n");
chmod 0644, $good, $bad;

my $conf = sub {
    my $f = shift;
    return "<Location /xgb>\n    SetHandler x2gobroker\n"
         . "    X2GoBrokerSessionProfiles $f\n"
         . "    X2GoBrokerRequirePassword Off\n"
         . "    X2GoBrokerDefaultPortscanX2goservers Off\n</Location>\n";
};

my $h = X2GoBTest::Httpd->new(name => 'startgood', conf => $conf->($good));
my ($ok, $out) = $h->start;
ok($ok, 'scratch httpd with a good profile file starts') or diag $out;
$res = xgb_post($h->url . '/xgb/plain/', 'task=listsessions&user=u');
is(join(',', @{ profile_ids($res->content) }), 's1', 'and serves it');
$h->stop;

$h = X2GoBTest::Httpd->new(name => 'startbad', conf => $conf->($bad));
($ok, $out) = $h->start;
ok(!$ok, 'scratch httpd with a broken profile file refuses to start');
my $all = $out . $h->error_log;
like($all, qr/\Q$bad\E:4: \S/, 'the startup error names the file and line 4')
    or diag $all;
ok(!$h->running, 'no httpd left running');
$h->stop;

# --- last good profiles across child processes ------------------------------------
# Children are replaced after every two connections, so after the file
# is broken new children (forked from the parent, which loaded the file
# at startup) serve the requests.  They must answer with the last good
# profiles (churn-b), not with the ones loaded at startup (churn-a).
my $cf = "$dir/churn.conf";
spew($cf, "[churn-a]\nhost=127.0.0.50\n");
chmod 0644, $cf;
# (prefork: mpm_event can leave a child that served its last connection
# hanging, see cookies_recycle.t; with MaxConnectionsPerChild that would
# eat slots and time out requests)
$h = X2GoBTest::Httpd->new(name => 'churn', mpm => 'prefork',
    conf => $conf->($cf)
    . "MaxConnectionsPerChild 2\nStartServers 2\nMinSpareServers 1\n"
    . "MaxSpareServers 4\nServerLimit 8\nMaxRequestWorkers 8\n");
($ok, $out) = $h->start;
ok($ok, 'churn httpd started') or diag $out;
my $churn = sub {
    my %seen;
    for (1 .. 8) {
        my $r = xgb_post($h->url . '/xgb/plain/', 'task=listsessions&user=u',
                         timeout => 10);
        $seen{ $r->code == 200 ? join(',', @{ profile_ids($r->content) })
                               : 'HTTP ' . $r->code }++;
    }
    return join ' | ', sort keys %seen;
};
spew_atomic($cf, "[churn-b]\nhost=127.0.0.51\n");
is($churn->(), 'churn-b', 'churn: good change seen by every child');
spew_atomic($cf, "[churn-c]\nhost=1\nhost=2\n");
is($churn->(), 'churn-b', 'churn: broken file, new children still serve the last good profiles');
unlink $cf;
is($churn->(), 'churn-b', 'churn: file removed, new children still serve the last good profiles');
$h->stop;
