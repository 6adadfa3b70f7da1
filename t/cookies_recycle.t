# cookies_recycle.t - the default cookie store (shmcb) lives in shared
# memory of the parent: a cookie issued by one child is redeemed by the
# next one after the first has exited (MaxConnectionsPerChild 1 with a
# single child slot, so every connection is served by a fresh process).
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/lib";
use Test::More import => ["!plan"];
use Apache::Test qw(-withtestmore);
use Time::HiRes ();
use X2GoBTest;
use X2GoBTest::Httpd;

plan tests => 8, need 'x2gobroker', 'socache_shmcb',
    { 'scratch directory from t/run-suite' => have_env() };

my $dir = t_dir();
my $h = X2GoBTest::Httpd->new(name => 'recycle', conf => <<"EOF");
StartServers 1
ServerLimit 1
ThreadsPerChild 4
MinSpareThreads 1
MaxSpareThreads 4
MaxConnectionsPerChild 1
<Location /xgb>
    SetHandler x2gobroker
    X2GoBrokerSessionProfiles $dir/data/profiles.conf
    X2GoBrokerDefaultPortscanX2goservers Off
    X2GoBrokerAuthProvider file
    AuthUserFile $dir/data/htpasswd
</Location>
EOF
my ($ok, $out) = $h->start;
ok($ok, 'scratch httpd started') or diag $out;

# the httpd children of the scratch parent
sub children {
    my $parent = $h->pid // return ();
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh> // '';
        push @kids, $1 if $line =~ /^(\d+) \(.*\) \S (\d+) / && $2 == $parent;
    }
    return sort @kids;
}

# wait until the children differ from @old (the old child has gone and
# a new one serves), at most 10 s
sub new_generation {
    my @old = @_;
    for (1 .. 100) {
        my @now = children();
        my %old = map { $_ => 1 } @old;
        return @now if @now && !grep { $old{$_} } @now;
        Time::HiRes::sleep(0.1);
    }
    return ();
}

my $url = $h->url . '/xgb/plain/';
my @first = children();
is(scalar @first, 1, 'one child process');
my $res = xgb_post($url, [task => '', user => 'x2gbalice',
                          password => 'alice secret', authid => '']);
my $c1 = authid_of($res) // '';
like($c1, qr/\A$UUID_RE\z/, 'password login: cookie issued');

my @second = new_generation(@first);
ok(@second, 'the child that issued it has exited, a new one serves')
    or diag "children before: @first, now: ", join(' ', children());
$res = xgb_post($url, [task => '', user => 'x2gbalice', authid => $c1]);
is($res->code, 200, 'the new child accepts the cookie');
my $c2 = authid_of($res) // '';
like($c2, qr/\A$UUID_RE\z/, 'and issues the next one');

ok(new_generation(@second), 'another new child');
is(xgb_post($url, [task => '', user => 'x2gbalice', authid => $c1])->code,
   401, 'the used cookie stays used across children');
$h->stop;
